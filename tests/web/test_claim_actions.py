"""Workflow actions posted from the claim page: each goes through transition_apply, and the
server re-checks permission, state and guards whatever the page offered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, Event, RatingLabel, VerdictProposal
from tests.web.conftest import text_of


def _post(client, claim, action, data=None):
    return client.post(reverse("claims:transition", args=[claim.code, action]), data or {})


def _events(claim):
    return list(Event.objects.filter(claim=claim).values_list("action", flat=True))


def test_submit(client_for, build):
    claim = build.draft()
    client = client_for("editor")
    response = _post(client, claim, "submit")
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:detail", args=[claim.code])
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_VERIFICATION
    page = client.get(response["Location"])
    assert "Submitted for verification." in text_of(page)


def test_propose(client_for, build):
    claim = build.submitted()
    evidence = build.evidence(claim)
    response = _post(
        client_for("reviewer"),
        claim,
        "propose",
        {
            "propose-rating": RatingLabel.objects.get(slug="false").pk,
            "propose-reasoning": "Flight records put him in Tehran.",
            "propose-evidence": [evidence.pk],
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AWAITING_APPROVAL
    proposal = VerdictProposal.objects.get(claim=claim)
    assert list(proposal.evidence.all()) == [evidence]


def test_propose_without_evidence_chosen_is_a_form_error(client_for, build):
    claim = build.submitted()
    build.evidence(claim)
    response = _post(
        client_for("reviewer"),
        claim,
        "propose",
        {"propose-rating": RatingLabel.objects.get(slug="false").pk, "propose-reasoning": "x"},
    )
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_VERIFICATION


def test_propose_citing_another_claims_evidence_is_refused(client_for, build):
    claim, other = build.submitted(), build.submitted(statement="Another.")
    build.evidence(claim)
    foreign = build.evidence(other)
    response = _post(
        client_for("reviewer"),
        claim,
        "propose",
        {
            "propose-rating": RatingLabel.objects.get(slug="false").pk,
            "propose-reasoning": "x",
            "propose-evidence": [foreign.pk],
        },
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_VERIFICATION


def test_send_back_needs_a_comment(client_for, build):
    claim = build.awaiting()
    response = _post(client_for("approver"), claim, "send_back", {"send_back-comment": " "})
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    response = _post(
        client_for("approver"), claim, "send_back", {"send_back-comment": "Second source?"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_VERIFICATION
    assert _events(claim)[-1] == "claim.sent_back"


def test_approve_publishes(client_for, build):
    claim = build.awaiting()
    response = _post(client_for("approver"), claim, "approve", {"approve-explanation": ""})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    assert claim.current_publication is not None


def test_approve_by_the_proposer_is_refused_with_the_rule(client_for, build, reviewer):
    from django.contrib.auth.models import Group

    reviewer.groups.add(Group.objects.get(name="approver"))
    claim = build.awaiting()
    before = _events(claim)
    response = _post(client_for("reviewer"), claim, "approve")
    assert response.status_code == 400
    assert "Four-eyes rule: the reviewer who proposed the verdict cannot approve it." in text_of(
        response
    )
    assert _events(claim) == before


def test_reopen_and_withdraw_and_restore(client_for, build):
    published = build.published()
    response = _post(client_for("approver"), published, "reopen", {"reopen-reason": "Wrong date."})
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Claim.Status.IN_VERIFICATION

    draft = build.draft(statement="To withdraw.")
    assert (
        _post(client_for("editor"), draft, "withdraw", {"withdraw-reason": ""}).status_code == 400
    )
    _post(client_for("editor"), draft, "withdraw", {"withdraw-reason": "Duplicate."})
    draft.refresh_from_db()
    assert draft.status == Claim.Status.WITHDRAWN
    _post(client_for("editor"), draft, "restore")
    draft.refresh_from_db()
    assert draft.status == Claim.Status.DRAFT


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("reviewer", "submit"),
        ("reviewer", "withdraw"),
        ("approver", "submit"),
        ("editor", "approve"),
        ("editor", "propose"),
        ("reviewer", "approve"),
    ],
)
def test_actions_without_the_permission_are_403(role, action, client_for, build):
    claim = build.draft()
    before = _events(claim)
    response = _post(client_for(role), claim, action, {"withdraw-reason": "x"})
    assert response.status_code == 403
    assert _events(claim) == before


def test_an_action_from_the_wrong_state_is_explained(client_for, build):
    claim = build.submitted()
    response = _post(client_for("editor"), claim, "submit")
    assert response.status_code == 400
    assert "cannot be submit for verification" in text_of(response)


def test_unknown_action_is_404(client_for, build):
    claim = build.draft()
    assert _post(client_for("editor"), claim, "publish_now").status_code == 404


def test_csrf_is_enforced(personas, build):
    from django.test import Client

    claim = build.draft()
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["editor"])
    response = _post(client, claim, "submit")
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT

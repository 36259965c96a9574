"""Transitions as POST actions, driven end to end through the newsroom API, with the
workflow's own errors in the one JSON shape."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.models import Claim, Publication, VerdictProposal

pytestmark = pytest.mark.django_db


def _post(client, claim: Claim, action: str, body: dict | None = None):
    return client.post(f"/api/v1/claims/{claim.code}/{action}/", body or {}, format="json")


def test_a_claim_goes_from_draft_to_published_through_the_api(
    editor, reviewer, approver, client_for, build
):
    desk, checker, boss = client_for(editor), client_for(reviewer), client_for(approver)
    claim = build.draft()
    evidence = desk.post(
        f"/api/v1/claims/{claim.code}/evidence/",
        {"kind": "note", "note": "Footage at the airport.", "is_public": True},
        format="json",
    ).json()

    assert _post(desk, claim, "submit").json()["status"] == "in_verification"
    assignment = desk.post(
        f"/api/v1/claims/{claim.code}/assignments/",
        {"user": "reviewer", "role": "reviewer"},
        format="json",
    )
    assert assignment.status_code == 201
    proposed = _post(
        checker,
        claim,
        "propose",
        {
            "rating": "mostly-true",
            "reasoning": "Two sources agree.",
            "evidence": [evidence["code"]],
        },
    )
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["status"] == "awaiting_approval"
    proposals = desk.get(f"/api/v1/claims/{claim.code}/proposals/").json()
    assert proposals[0]["rating"]["slug"] == "mostly-true"
    assert proposals[0]["evidence"] == [evidence["code"]]

    approved = _post(boss, claim, "approve", {"explanation": "Public explanation."})

    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "published"
    assert body["verdict"]["slug"] == "mostly-true"
    assert body["current_publication"]["number"] == 1
    assert Publication.objects.get(claim=claim).explanation == "Public explanation."
    actions = [
        e["action"] for e in desk.get(f"/api/v1/claims/{claim.code}/events/").json()["results"]
    ]
    assert actions[-1] == "claim.published"
    assert "claim.submitted" in actions


def test_transition_not_allowed_from_this_state(editor, client_for, build):
    response = _post(client_for(editor), build.published(), "submit")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_required_input_is_named(editor, client_for, build):
    response = _post(client_for(editor), build.draft(), "withdraw", {})

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_four_eyes_rule_is_enforced(admin_user, client_for, build):
    from claims.workflow import Action, transition_apply

    claim = build.submitted()
    from claims import services

    services.assignment_create(claim=claim, user=admin_user, role="reviewer", by=build.editor)
    transition_apply(
        claim=claim, action=Action.PROPOSE, by=admin_user, data=build.proposal_input(claim)
    )

    response = _post(client_for(admin_user), claim, "approve")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "four_eyes"
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.AWAITING_APPROVAL


def test_propose_only_with_this_claims_evidence(reviewer, client_for, build):
    claim = build.submitted()
    other = build.evidence(build.draft())

    response = _post(
        client_for(reviewer),
        claim,
        "propose",
        {"rating": "true", "reasoning": "r", "evidence": [str(other.code)]},
    )

    assert response.status_code == 400
    assert "evidence" in response.json()["error"]["fields"]


def test_unknown_rating_names_the_field(reviewer, client_for, build):
    claim = build.submitted()
    evidence = build.evidence(claim)

    response = _post(
        client_for(reviewer),
        claim,
        "propose",
        {"rating": "pants-on-fire", "reasoning": "r", "evidence": [str(evidence.code)]},
    )

    assert response.status_code == 400
    assert "rating" in response.json()["error"]["fields"]


def test_send_back_reopen_withdraw_restore(editor, approver, client_for, build):
    awaiting = build.awaiting()
    sent = _post(client_for(approver), awaiting, "send-back", {"comment": "Need a source."})
    assert sent.json()["status"] == "in_verification"
    assert VerdictProposal.objects.get(claim=awaiting).state == "sent_back"

    published = build.published()
    assert (
        _post(client_for(approver), published, "reopen", {"reason": "New data"}).status_code == 200
    )
    withdrawn = _post(client_for(editor), published, "withdraw", {"reason": "Wrong quote"})
    assert withdrawn.json()["status"] == "withdrawn"
    assert _post(client_for(editor), published, "restore").json()["status"] == "draft"


def test_session_authentication_enforces_csrf(editor, build):
    claim = build.draft()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    refused = browser.post(
        f"/api/v1/claims/{claim.code}/submit/", "{}", content_type="application/json"
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]

    token_value = "a" * 32  # any well-formed secret; the cookie and the header must agree
    browser.cookies["csrftoken"] = token_value
    accepted = browser.post(
        f"/api/v1/claims/{claim.code}/submit/",
        "{}",
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token_value,
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "in_verification"

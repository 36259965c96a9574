"""Guards: the four-eyes rule, required comments and reasons, evidence and assignment rules.
A refused transition writes nothing."""

from __future__ import annotations

import pytest

from claims import services
from claims.exceptions import GuardFailed
from claims.models import Assignment, Claim, Event, Publication, RatingLabel, User, VerdictProposal
from claims.workflow import Action, TransitionInput, transition_apply
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db


def _refused(claim: Claim, action: Action, by: User, data: TransitionInput, code: str) -> None:
    claim.refresh_from_db()
    status, events = claim.status, Event.objects.count()
    with pytest.raises(GuardFailed) as caught:
        transition_apply(claim=claim, action=action, by=by, data=data)
    assert caught.value.code == code
    claim.refresh_from_db()
    assert claim.status == status
    assert Event.objects.count() == events


def test_four_eyes_proposer_cannot_approve(build: ClaimBuilder, admin_user: User) -> None:
    # An admin holds every permission; the rule still stops them approving their own proposal.
    claim = build.submitted()
    services.assignment_create(
        claim=claim, user=admin_user, role=Assignment.Role.REVIEWER, by=build.editor
    )
    claim = transition_apply(
        claim=claim, action=Action.PROPOSE, by=admin_user, data=build.proposal_input(claim)
    )
    _refused(claim, Action.APPROVE, admin_user, TransitionInput(), "four_eyes")
    assert Publication.objects.count() == 0


def test_four_eyes_author_cannot_approve(build: ClaimBuilder, admin_user: User) -> None:
    claim = build.awaiting()
    Claim.objects.filter(pk=claim.pk).update(author=admin_user)
    claim.refresh_from_db()
    _refused(claim, Action.APPROVE, admin_user, TransitionInput(), "four_eyes")


def test_another_approver_may_approve(build: ClaimBuilder, approver: User) -> None:
    claim = transition_apply(claim=build.awaiting(), action=Action.APPROVE, by=approver)
    assert claim.status == Claim.Status.PUBLISHED
    assert claim.verdict is not None
    assert claim.verdict.slug == "true"
    assert claim.current_publication is not None
    assert claim.current_publication.number == 1


@pytest.mark.parametrize("comment", ["", "   "])
def test_send_back_needs_a_comment(build: ClaimBuilder, approver: User, comment: str) -> None:
    _refused(
        build.awaiting(),
        Action.SEND_BACK,
        approver,
        TransitionInput(comment=comment),
        "comment_required",
    )


def test_send_back_returns_the_claim_to_the_reviewer(build: ClaimBuilder, approver: User) -> None:
    claim = build.awaiting()
    claim = transition_apply(
        claim=claim,
        action=Action.SEND_BACK,
        by=approver,
        data=TransitionInput(comment="Find a second, independent source."),
    )
    assert claim.status == Claim.Status.IN_VERIFICATION
    assert claim.proposals.get().state == VerdictProposal.State.SENT_BACK
    assert claim.assignments.filter(
        user=build.reviewer, role=Assignment.Role.REVIEWER, state=Assignment.State.OPEN
    ).exists()
    event = claim.events.order_by("-id").first()
    assert event is not None
    assert event.details["comment"] == "Find a second, independent source."


@pytest.mark.parametrize("action", [Action.WITHDRAW, Action.REOPEN])
def test_withdraw_and_reopen_need_a_reason(build: ClaimBuilder, action: Action) -> None:
    claim = build.draft() if action is Action.WITHDRAW else build.published()
    _refused(claim, action, build.editor, TransitionInput(reason=" "), "reason_required")


def test_propose_needs_rating_reasoning_and_evidence(build: ClaimBuilder) -> None:
    claim = build.submitted()
    good = build.proposal_input(claim)
    cases = [
        (TransitionInput(reasoning=good.reasoning, evidence=good.evidence), "rating_required"),
        (TransitionInput(rating=good.rating, evidence=good.evidence), "reasoning_required"),
        (TransitionInput(rating=good.rating, reasoning=good.reasoning), "evidence_required"),
    ]
    for data, code in cases:
        _refused(claim, Action.PROPOSE, build.reviewer, data, code)


def test_propose_needs_an_assignment(build: ClaimBuilder, reviewer2: User) -> None:
    claim = build.submitted()  # assigned to `reviewer`, not reviewer2
    _refused(claim, Action.PROPOSE, reviewer2, build.proposal_input(claim), "not_assigned")


def test_propose_refuses_evidence_of_another_claim(build: ClaimBuilder) -> None:
    claim, other = build.submitted(), build.draft(statement="Hezbollah lost 3,000 fighters.")
    data = build.proposal_input(claim)
    data.evidence = [build.evidence(other)]
    _refused(claim, Action.PROPOSE, build.reviewer, data, "evidence_mismatch")


def test_propose_refuses_a_retired_label(build: ClaimBuilder) -> None:
    claim = build.submitted()
    data = build.proposal_input(claim)
    RatingLabel.objects.filter(pk=data.rating.pk).update(is_active=False)  # type: ignore[union-attr]
    data.rating.refresh_from_db()  # type: ignore[union-attr]
    _refused(claim, Action.PROPOSE, build.reviewer, data, "rating_inactive")


def test_correction_keeps_public_version_until_republished(
    build: ClaimBuilder, approver: User
) -> None:
    claim = build.published()
    first = claim.current_publication
    claim = transition_apply(
        claim=claim,
        action=Action.REOPEN,
        by=build.editor,
        data=TransitionInput(reason="The date in the explanation is wrong."),
    )
    assert claim.status == Claim.Status.IN_VERIFICATION
    assert claim.current_publication == first  # the public still sees version 1
    # Reopened claims go back to the pool; the editor assigns a reviewer.
    services.assignment_create(
        claim=claim, user=build.reviewer, role=Assignment.Role.REVIEWER, by=build.editor
    )
    services.claim_update(
        claim=claim, by=build.editor, fields={"statement": "Ghaffari arrived in Damascus."}
    )
    claim = transition_apply(
        claim=claim,
        action=Action.PROPOSE,
        by=build.reviewer,
        data=build.proposal_input(claim, rating="mostly-true"),
    )
    claim.refresh_from_db()
    assert claim.current_publication == first
    claim = transition_apply(claim=claim, action=Action.APPROVE, by=approver)
    second = claim.current_publication
    assert second is not None
    assert second.number == 2
    assert second.is_correction
    assert second.correction_note == "The date in the explanation is wrong."
    assert second.statement == "Ghaffari arrived in Damascus."
    assert claim.events.order_by("-id")[0].action == "claim.corrected"


def test_withdraw_records_reason_and_closes_pending_proposal(build: ClaimBuilder) -> None:
    claim = transition_apply(
        claim=build.awaiting(),
        action=Action.WITHDRAW,
        by=build.editor,
        data=TransitionInput(reason="The claimant retracted the statement."),
    )
    assert claim.withdrawn_reason == "The claimant retracted the statement."
    assert claim.proposals.get().state == VerdictProposal.State.WITHDRAWN
    claim = transition_apply(claim=claim, action=Action.RESTORE, by=build.editor)
    assert claim.status == Claim.Status.DRAFT


def test_stale_claim_object_gets_a_conflict(build: ClaimBuilder) -> None:
    from claims.exceptions import Conflict

    claim = build.draft()
    stale = Claim.objects.get(pk=claim.pk)
    transition_apply(claim=claim, action=Action.SUBMIT, by=build.editor)
    stale.status = Claim.Status.DRAFT
    events = Event.objects.count()
    with pytest.raises(Conflict):
        transition_apply(claim=stale, action=Action.SUBMIT, by=build.editor)
    assert Event.objects.count() == events

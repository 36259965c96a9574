"""Assignments, the queue's take-next, and comments with mentions."""

from __future__ import annotations

import pytest

from claims import services
from claims.exceptions import GuardFailed, InvalidInput, NotPermitted
from claims.models import Assignment, Claim, User
from claims.workflow import Action, transition_apply
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db


def test_assign_checks_role_and_duplicates(build: ClaimBuilder, outsider: User) -> None:
    claim = build.submitted()  # reviewer already assigned
    with pytest.raises(GuardFailed, match="already"):
        services.assignment_create(
            claim=claim, user=build.reviewer, role="reviewer", by=build.editor
        )
    with pytest.raises(InvalidInput):
        services.assignment_create(claim=claim, user=outsider, role="reviewer", by=build.editor)
    with pytest.raises(NotPermitted):
        services.assignment_create(
            claim=claim, user=build.approver, role="approver", by=build.reviewer
        )


def test_decline_needs_reason_and_the_assignee(build: ClaimBuilder, reviewer2: User) -> None:
    claim = build.submitted()
    assignment = claim.assignments.get()
    with pytest.raises(NotPermitted):
        services.assignment_decline(assignment=assignment, by=reviewer2, reason="busy")
    with pytest.raises(GuardFailed):
        services.assignment_decline(assignment=assignment, by=build.reviewer, reason=" ")
    services.assignment_decline(
        assignment=assignment, by=build.reviewer, reason="Conflict of interest."
    )
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.DECLINED
    with pytest.raises(GuardFailed):
        services.assignment_decline(assignment=assignment, by=build.reviewer, reason="again")


def test_take_next_picks_most_urgent_unassigned(build: ClaimBuilder, reviewer2: User) -> None:
    low = transition_apply(
        claim=build.draft(priority=Claim.Priority.LOW), action=Action.SUBMIT, by=build.editor
    )
    urgent = transition_apply(
        claim=build.draft(priority=Claim.Priority.URGENT), action=Action.SUBMIT, by=build.editor
    )
    build.submitted(priority=Claim.Priority.URGENT)  # already has a reviewer: not in the pool
    assert services.claim_take_next(by=reviewer2) == urgent
    assert services.claim_take_next(by=reviewer2) == low
    assert services.claim_take_next(by=reviewer2) is None
    assert reviewer2.assignments.filter(state="open").count() == 2


def test_declined_claims_are_not_offered_again(build: ClaimBuilder) -> None:
    claim = transition_apply(claim=build.draft(), action=Action.SUBMIT, by=build.editor)
    assert services.claim_take_next(by=build.reviewer) == claim
    services.assignment_decline(
        assignment=claim.assignments.get(), by=build.reviewer, reason="I wrote the source piece."
    )
    assert services.claim_take_next(by=build.reviewer) is None


def test_only_reviewers_take(build: ClaimBuilder) -> None:
    with pytest.raises(NotPermitted):
        services.claim_take_next(by=build.editor)


def test_comment_mentions_newsroom_users_only(
    build: ClaimBuilder, reviewer2: User, outsider: User
) -> None:
    claim = build.draft()
    comment = services.comment_add(
        claim=claim,
        by=build.editor,
        body="@reviewer2 can you check the Al-Alam clip? cc @outsider @nobody @editor",
    )
    assert list(comment.mentions.all()) == [reviewer2]
    event = claim.events.order_by("-id").first()
    assert event is not None
    assert event.details["mentions"] == ["reviewer2"]
    with pytest.raises(InvalidInput):
        services.comment_add(claim=claim, by=build.editor, body="   ")
    with pytest.raises(NotPermitted):
        services.comment_add(claim=claim, by=outsider, body="hello")

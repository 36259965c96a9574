"""Every (state, action, role): it either succeeds and writes exactly one event, or is
refused with a clear error and changes nothing.

The expectations are written out here by hand from the product rules, not read from the
workflow table, so a wrong table fails these tests."""

from __future__ import annotations

import itertools

import pytest

from claims.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from claims.models import Assignment, Claim, Event, Publication, User, VerdictProposal
from claims.workflow import Action, TransitionInput, transition_apply
from tests.builders import ClaimBuilder

S = Claim.Status
STATES = [S.DRAFT, S.IN_VERIFICATION, S.AWAITING_APPROVAL, S.PUBLISHED, S.WITHDRAWN]
ROLES = ["editor", "reviewer", "approver", "admin", "outsider"]

EXPECTED = {
    # action: (from states, to state, roles allowed, event)
    Action.SUBMIT: ({S.DRAFT}, S.IN_VERIFICATION, {"editor", "admin"}, "claim.submitted"),
    Action.PROPOSE: (
        {S.IN_VERIFICATION},
        S.AWAITING_APPROVAL,
        {"reviewer", "admin"},
        "claim.verdict_proposed",
    ),
    Action.SEND_BACK: (
        {S.AWAITING_APPROVAL},
        S.IN_VERIFICATION,
        {"approver", "admin"},
        "claim.sent_back",
    ),
    Action.APPROVE: ({S.AWAITING_APPROVAL}, S.PUBLISHED, {"approver", "admin"}, "claim.published"),
    Action.REOPEN: (
        {S.PUBLISHED},
        S.IN_VERIFICATION,
        {"editor", "approver", "admin"},
        "claim.reopened",
    ),
    Action.WITHDRAW: (
        {S.DRAFT, S.IN_VERIFICATION, S.AWAITING_APPROVAL},
        S.WITHDRAWN,
        {"editor", "admin"},
        "claim.withdrawn",
    ),
    Action.RESTORE: ({S.WITHDRAWN}, S.DRAFT, {"editor", "admin"}, "claim.restored"),
}


def _valid_input(build: ClaimBuilder, claim: Claim, action: Action, actor: User) -> TransitionInput:
    """The input a careful user would give: every required field, every precondition."""
    if action is Action.PROPOSE:
        if claim.status == S.IN_VERIFICATION and actor.has_perm("claims.propose_verdict"):
            Assignment.objects.get_or_create(
                claim=claim,
                user=actor,
                role=Assignment.Role.REVIEWER,
                state=Assignment.State.OPEN,
                defaults={"assigned_by": build.editor},
            )
        if claim.status == S.WITHDRAWN:  # evidence cannot be added there; the state refuses
            return TransitionInput(reasoning="x")
        return build.proposal_input(claim)
    if action is Action.SEND_BACK:
        return TransitionInput(comment="The second source is a repost of the first.")
    if action in (Action.REOPEN, Action.WITHDRAW):
        return TransitionInput(reason="A reader sent a correction.")
    return TransitionInput()


def _snapshot(claim: Claim) -> tuple[object, ...]:
    claim.refresh_from_db()
    return (
        claim.status,
        claim.verdict_id,
        claim.current_publication_id,
        Event.objects.count(),
        Publication.objects.count(),
        VerdictProposal.objects.filter(claim=claim).values_list("pk", "state").count(),
        list(VerdictProposal.objects.filter(claim=claim).values_list("state", flat=True)),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "action", "role"), list(itertools.product(STATES, list(Action), ROLES))
)
def test_transition_matrix(
    build: ClaimBuilder, personas: dict[str, User], state: str, action: Action, role: str
) -> None:
    claim = build.in_state(state)
    actor = personas[role]
    sources, target, roles, event_name = EXPECTED[action]
    data = _valid_input(build, claim, action, actor)
    events_before = Event.objects.count()
    should_succeed = state in sources and role in roles

    if should_succeed:
        result = transition_apply(claim=claim, action=action, by=actor, data=data)
        assert result.status == target
        new_events = list(Event.objects.filter(pk__gt=0).order_by("id")[events_before:])
        assert len(new_events) == 1
        (event,) = new_events
        assert event.action == event_name
        assert (event.from_status, event.to_status) == (state, target)
        assert event.actor == actor
        assert event.claim == claim
    else:
        before = _snapshot(claim)
        expected_error = NotPermitted if role not in roles else TransitionNotAllowed
        with pytest.raises(expected_error) as caught:
            transition_apply(claim=claim, action=action, by=actor, data=data)
        assert caught.value.message  # a sentence a person can read
        assert _snapshot(claim) == before


@pytest.mark.django_db
def test_unknown_action_is_refused(build: ClaimBuilder) -> None:
    claim = build.draft()
    with pytest.raises(DomainError) as caught:
        transition_apply(claim=claim, action="publish_now", by=build.editor)
    assert caught.value.code == "unknown_action"
    assert Event.objects.filter(claim=claim).count() == 1  # only claim.created

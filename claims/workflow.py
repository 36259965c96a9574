"""The claim workflow: one table of transitions and the one function that applies them.

    action     from                                   to                 permission       requires
    submit     draft                                  in_verification    submit_claim     -
    propose    in_verification                        awaiting_approval  propose_verdict  rating, reasoning, evidence; an open reviewer assignment
    send_back  awaiting_approval                      in_verification    approve_claim    comment
    approve    awaiting_approval                      published          approve_claim    four eyes: not the proposer, not the author
    reopen     published                              in_verification    reopen_claim     reason (what needs correcting)
    withdraw   draft, in_verification, awaiting_appr. withdrawn          withdraw_claim   reason
    restore    withdrawn                              draft              withdraw_claim   -

``transition_apply`` checks the table, the permission and the guard, moves the status with a
compare-and-set update and writes exactly one event, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from claims.exceptions import Conflict, GuardFailed, NotPermitted, TransitionNotAllowed
from claims.models import (
    Assignment,
    Claim,
    Event,
    Evidence,
    Publication,
    RatingLabel,
    Snapshot,
    User,
    VerdictProposal,
)
from claims.rows import Rows

S = Claim.Status
_EVENT_ROWS = Rows(Event)

# Sent after the transaction that wrote an event commits; notifications and webhooks
# connect here. Receivers get ``event`` (an Event instance).
event_recorded = Signal()


class Action(StrEnum):
    SUBMIT = "submit"
    PROPOSE = "propose"
    SEND_BACK = "send_back"
    APPROVE = "approve"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    RESTORE = "restore"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str
    permission: str
    event: str
    requires: tuple[str, ...]
    label: str


def _t(
    action: Action,
    sources: Sequence[str],
    target: str,
    permission: str,
    event: str,
    requires: tuple[str, ...],
    label: str,
) -> Transition:
    return Transition(
        action, frozenset(sources), target, f"claims.{permission}", event, requires, label
    )


UNPUBLISHED = (S.DRAFT, S.IN_VERIFICATION, S.AWAITING_APPROVAL)

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.SUBMIT, [S.DRAFT], S.IN_VERIFICATION, "submit_claim",
           "claim.submitted", (), "Submit for verification"),
        _t(Action.PROPOSE, [S.IN_VERIFICATION], S.AWAITING_APPROVAL, "propose_verdict",
           "claim.verdict_proposed", ("rating", "reasoning", "evidence"), "Propose verdict"),
        _t(Action.SEND_BACK, [S.AWAITING_APPROVAL], S.IN_VERIFICATION, "approve_claim",
           "claim.sent_back", ("comment",), "Send back"),
        _t(Action.APPROVE, [S.AWAITING_APPROVAL], S.PUBLISHED, "approve_claim",
           "claim.published", (), "Approve and publish"),
        _t(Action.REOPEN, [S.PUBLISHED], S.IN_VERIFICATION, "reopen_claim",
           "claim.reopened", ("reason",), "Reopen for correction"),
        _t(Action.WITHDRAW, UNPUBLISHED, S.WITHDRAWN, "withdraw_claim",
           "claim.withdrawn", ("reason",), "Withdraw"),
        _t(Action.RESTORE, [S.WITHDRAWN], S.DRAFT, "withdraw_claim",
           "claim.restored", (), "Restore to draft"),
    )
}  # fmt: skip


@dataclass
class TransitionInput:
    """What the caller supplies; which fields matter depends on the action."""

    comment: str = ""
    reason: str = ""
    rating: RatingLabel | None = None
    reasoning: str = ""
    evidence: Sequence[Evidence] = ()
    explanation: str = ""
    details: dict[str, Any] = field(default_factory=dict)


_REQUIRED_MESSAGES = {
    "comment": ("comment_required", "Say what needs to change: a comment is required."),
    "reason": ("reason_required", "A reason is required."),
    "rating": ("rating_required", "Choose a verdict from the rating scale."),
    "reasoning": ("reasoning_required", "Explain the verdict: reasoning is required."),
    "evidence": ("evidence_required", "Cite at least one evidence item the verdict rests on."),
}


# --------------------------------------------------------------------------------------------
# Events


def event_record(
    *,
    claim: Claim | None = None,
    claim_id: int | None = None,
    actor: User | None,
    action: str,
    details: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
) -> Event:
    """Append one audit event; receivers of ``event_recorded`` run after commit. The claim
    is given as an object or, where the caller holds only its id (the fetch pipeline,
    which does not load claims), as ``claim_id``."""
    event = Event(
        actor=actor,
        action=action,
        details=details or {},
        from_status=from_status,
        to_status=to_status,
    )
    if claim is not None:
        event.claim = claim  # keeps the object for the receivers
    else:
        event.claim_id = claim_id
    _EVENT_ROWS.insert(event)  # every transition and fetch writes one: plain SQL
    transaction.on_commit(lambda: event_recorded.send(sender=Event, event=event))
    return event


# --------------------------------------------------------------------------------------------
# Questions the interfaces ask


def allowed_actions(claim: Claim, user: User) -> list[Action]:
    """Actions the table and the user's permissions allow now (guards are checked on apply)."""
    if not user.is_authenticated:
        return []
    return [
        t.action
        for t in TRANSITIONS.values()
        if claim.status in t.sources and user.has_perm(t.permission)
    ]


# --------------------------------------------------------------------------------------------
# Guards: raise GuardFailed, write nothing.


def _guard_propose(claim: Claim, by: User, data: TransitionInput) -> None:
    assert data.rating is not None
    if not data.rating.is_active:
        raise GuardFailed("That verdict label is retired.", code="rating_inactive", field="rating")
    if any(item.claim_id != claim.pk for item in data.evidence):
        raise GuardFailed(
            "Evidence cited must belong to this claim.", code="evidence_mismatch", field="evidence"
        )
    if not claim.assignments.filter(
        user=by, role=Assignment.Role.REVIEWER, state=Assignment.State.OPEN
    ).exists():
        raise GuardFailed(
            "Only a reviewer assigned to this claim can propose its verdict.",
            code="not_assigned",
        )


def _guard_approve(claim: Claim, by: User, data: TransitionInput) -> None:
    proposal = claim.latest_proposal()
    if proposal is None:
        raise GuardFailed("There is no verdict proposal to approve.", code="no_proposal")
    if by.pk == proposal.reviewer_id:
        raise GuardFailed(
            "Four-eyes rule: the reviewer who proposed the verdict cannot approve it.",
            code="four_eyes",
        )
    if by.pk == claim.author_id:
        raise GuardFailed(
            "Four-eyes rule: the claim's author cannot approve its verdict.", code="four_eyes"
        )


def _guard_submit(claim: Claim, by: User, data: TransitionInput) -> None:
    if not claim.statement.strip():
        raise GuardFailed("The claim has no statement.", code="statement_required")


_GUARDS: dict[Action, Callable[[Claim, User, TransitionInput], None]] = {
    Action.SUBMIT: _guard_submit,
    Action.PROPOSE: _guard_propose,
    Action.APPROVE: _guard_approve,
}


# --------------------------------------------------------------------------------------------
# Effects: rows written with the status change, inside the same transaction.


def _before_approve(claim: Claim, by: User, data: TransitionInput) -> dict[str, Any]:
    """Write the public version first: a published claim must point at one."""
    proposal = claim.latest_proposal()
    if proposal is None:  # another approve or a withdrawal got there first
        raise _conflict()
    number = claim.publications.count() + 1
    correction_note = ""
    if number > 1:
        reopened = claim.events.filter(action="claim.reopened").order_by("-id").first()
        correction_note = str(reopened.details.get("reason", "")) if reopened else ""
    explanation = data.explanation.strip() or proposal.reasoning
    try:
        with transaction.atomic():
            publication = Publication.objects.create(
                claim=claim,
                number=number,
                verdict=proposal.rating,
                explanation=explanation,
                correction_note=correction_note,
                proposal=proposal,
                approved_by=by,
                **Publication.snapshot_of(claim),
            )
            publication.tags.set(claim.tags.all())
    except IntegrityError as exc:  # a concurrent approve wrote this number first
        raise _conflict() from exc
    return {
        "verdict": proposal.rating,
        "verdict_explanation": explanation,
        "current_publication": publication,
    }


def _before_withdraw(claim: Claim, by: User, data: TransitionInput) -> dict[str, Any]:
    return {"withdrawn_reason": data.reason.strip()}


def _after_propose(claim: Claim, by: User, data: TransitionInput) -> dict[str, Any]:
    assert data.rating is not None
    proposal = VerdictProposal.objects.create(
        claim=claim, reviewer=by, rating=data.rating, reasoning=data.reasoning.strip()
    )
    proposal.evidence.set(data.evidence)
    # What the reviewer saw: the latest good snapshot of each cited link.
    snapshots = list(Snapshot.objects.latest_ok_for(data.evidence).values_list("pk", flat=True))
    proposal.snapshots.set(snapshots)
    _close_assignments(claim, user=by, role=Assignment.Role.REVIEWER)
    return {
        "proposal": proposal.pk,
        "rating": data.rating.label,
        "evidence": [item.pk for item in data.evidence],
        "snapshots": snapshots,
    }


def _after_send_back(claim: Claim, by: User, data: TransitionInput) -> dict[str, Any]:
    proposal = claim.latest_proposal()
    if proposal is None:
        return {"comment": data.comment.strip()}
    VerdictProposal.objects.filter(pk=proposal.pk).update(state=VerdictProposal.State.SENT_BACK)
    # The reviewer gets the claim back in their queue.
    Assignment.objects.get_or_create(
        claim=claim,
        user_id=proposal.reviewer_id,
        role=Assignment.Role.REVIEWER,
        state=Assignment.State.OPEN,
        defaults={"assigned_by": by},
    )
    return {"comment": data.comment.strip(), "proposal": proposal.pk}


def _after_approve(claim: Claim, by: User, data: TransitionInput) -> dict[str, Any]:
    proposal = claim.latest_proposal()
    assert proposal is not None
    VerdictProposal.objects.filter(pk=proposal.pk).update(state=VerdictProposal.State.APPROVED)
    _close_assignments(claim, user=by, role=Assignment.Role.APPROVER)
    publication = claim.current_publication
    assert publication is not None
    return {
        "proposal": proposal.pk,
        "publication": publication.number,
        "verdict": publication.verdict.label,
        "correction": publication.is_correction,
    }


def _after_withdraw(claim: Claim, by: User, data: TransitionInput) -> dict[str, Any]:
    claim.proposals.filter(state=VerdictProposal.State.PENDING).update(
        state=VerdictProposal.State.WITHDRAWN
    )
    return {"reason": data.reason.strip()}


def _after_reason(claim: Claim, by: User, data: TransitionInput) -> dict[str, Any]:
    return {"reason": data.reason.strip()}


_BEFORE: dict[Action, Callable[[Claim, User, TransitionInput], dict[str, Any]]] = {
    Action.APPROVE: _before_approve,
    Action.WITHDRAW: _before_withdraw,
}
_AFTER: dict[Action, Callable[[Claim, User, TransitionInput], dict[str, Any]]] = {
    Action.PROPOSE: _after_propose,
    Action.SEND_BACK: _after_send_back,
    Action.APPROVE: _after_approve,
    Action.WITHDRAW: _after_withdraw,
    Action.REOPEN: _after_reason,
}


def _close_assignments(claim: Claim, *, user: User, role: str) -> None:
    claim.assignments.filter(user=user, role=role, state=Assignment.State.OPEN).update(
        state=Assignment.State.DONE, closed_at=timezone.now()
    )


def _conflict() -> Conflict:
    return Conflict(
        "Someone else changed this claim a moment ago. Reload it and try again.",
        code="conflict",
    )


# --------------------------------------------------------------------------------------------
# The one function that applies a transition


def transition_apply(
    *, claim: Claim, action: str, by: User, data: TransitionInput | None = None
) -> Claim:
    """Apply ``action`` to ``claim`` as ``by``: permission, table, guard, compare-and-set, one
    event. Raises a DomainError and writes nothing when any check fails."""
    data = data or TransitionInput()
    try:
        transition = TRANSITIONS[Action(action)]
    except ValueError:
        raise TransitionNotAllowed(f"Unknown action {action!r}.", code="unknown_action") from None
    if not by.is_authenticated or not by.has_perm(transition.permission):
        raise NotPermitted(f"You may not {transition.label.lower()} claims.")
    current = claim.status
    if current not in transition.sources:
        raise TransitionNotAllowed(
            f"A claim that is {Claim.Status(current).label.lower()} cannot be "
            f"{transition.label.lower()}: allowed from "
            + ", ".join(sorted(Claim.Status(s).label.lower() for s in transition.sources))
            + "."
        )
    for name in transition.requires:
        value = getattr(data, name)
        if not (value.strip() if isinstance(value, str) else value):
            code, message = _REQUIRED_MESSAGES[name]
            raise GuardFailed(message, code=code, field=name)
    guard = _GUARDS.get(transition.action)
    if guard is not None:
        try:
            guard(claim, by, data)
        except GuardFailed:
            # A guard that read rows a concurrent transition just changed (the proposal it
            # approved, say) fails for that reason: report the conflict, not the symptom.
            if not Claim.objects.filter(pk=claim.pk, status=current).exists():
                raise _conflict() from None
            raise

    with transaction.atomic():
        now = timezone.now()
        before = _BEFORE.get(transition.action)
        extra = before(claim, by, data) if before else {}
        changed = Claim.objects.filter(pk=claim.pk, status=current).update(
            status=transition.target, updated_at=now, **extra
        )
        if changed != 1:
            raise _conflict()
        claim.refresh_from_db()
        after = _AFTER.get(transition.action)
        details = after(claim, by, data) if after else {}
        details.update(data.details)
        event_name = transition.event
        if transition.action is Action.APPROVE and details.get("correction"):
            event_name = "claim.corrected"
        event_record(
            claim=claim,
            actor=by,
            action=event_name,
            details=details,
            from_status=current,
            to_status=transition.target,
        )
    return claim

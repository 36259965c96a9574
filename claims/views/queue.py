"""The reviewer queue: my assignments, "Take next", and claims awaiting approval."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from claims import services
from claims.exceptions import DomainError
from claims.forms import DeclineForm
from claims.models import Assignment, Claim, User, VerdictProposal
from claims.views.common import error_status, newsroom_required, permission_check

AWAITING_LIMIT = 50
QUEUE_LIMIT = 100


def my_open_assignments(user: User) -> QuerySet[Assignment]:
    """Open assignments, most urgent first: priority, then due date (the assignment's, else
    the claim's), undated last."""
    return (
        Assignment.objects.filter(user=user, state=Assignment.State.OPEN)
        .select_related("claim", "claim__claimant", "claim__verdict")
        .annotate(due=Coalesce("due_date", "claim__due_date"))
        .order_by("-claim__priority", F("due").asc(nulls_last=True), "created_at", "id")
    )


@require_GET
@newsroom_required
def queue(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    assignments = list(my_open_assignments(user)[: QUEUE_LIMIT + 1])
    more = len(assignments) > QUEUE_LIMIT
    assignments = assignments[:QUEUE_LIMIT]
    today = timezone.localdate()
    for assignment in assignments:
        assignment.is_overdue = bool(  # type: ignore[attr-defined]
            assignment.due and assignment.due < today  # type: ignore[attr-defined]
        )
    awaiting: list[VerdictProposal] = []
    if user.has_perm("claims.approve_claim"):
        awaiting = list(
            VerdictProposal.objects.filter(
                state=VerdictProposal.State.PENDING,
                claim__status=Claim.Status.AWAITING_APPROVAL,
            )
            .select_related("claim", "claim__claimant", "rating", "reviewer")
            .order_by("-claim__priority", "created_at", "id")[:AWAITING_LIMIT]
        )
    context = {
        "assignments": assignments,
        "more_assignments": more,
        "awaiting": awaiting,
        "can_take": user.has_perm("claims.take_claim"),
        "decline_form": DeclineForm(),
    }
    return render(request, "claims/queue.html", context)


@require_POST
@newsroom_required
def take_next(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    permission_check(user, "claims.take_claim")
    try:
        claim = services.claim_take_next(by=user)
    except DomainError as exc:
        error_status(exc)
        messages.error(request, exc.message)
        return redirect("claims:queue")
    if claim is None:
        messages.info(request, "Nothing to take: every claim in verification has a reviewer.")
        return redirect("claims:queue")
    messages.success(request, "This claim is yours to review.")
    return redirect("claims:detail", code=claim.code)

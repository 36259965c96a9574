"""The claim page and the parts of it that update on their own: evidence, comments,
assignments."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claims import services
from claims.exceptions import DomainError
from claims.forms import (
    RTL_LANGUAGES,
    ApproveForm,
    AssignmentForm,
    CommentForm,
    DeclineForm,
    EvidenceForm,
    ProposalForm,
    ReasonForm,
    SendBackForm,
)
from claims.models import Assignment, Claim, Evidence, User, VerdictProposal
from claims.views.common import (
    claim_get_for,
    domain_error_show,
    is_htmx,
    newsroom_required,
    permission_check,
    safe_next,
)
from claims.workflow import Action, allowed_actions

SETTLED_FETCH_STATES = frozenset(
    {Evidence.FetchState.FETCHED, Evidence.FetchState.FAILED, Evidence.FetchState.BLOCKED}
)


def action_forms(claim: Claim, data: Any = None) -> dict[str, forms.Form]:
    """One form per workflow action, unbound unless ``data`` is given. Actions without input
    get an empty form that can still carry an error."""
    return {
        Action.SUBMIT: forms.Form(data, prefix="submit"),
        Action.PROPOSE: ProposalForm(data, claim=claim, prefix="propose"),
        Action.SEND_BACK: SendBackForm(data, prefix="send_back"),
        Action.APPROVE: ApproveForm(data, prefix="approve"),
        Action.REOPEN: ReasonForm(data, prefix="reopen"),
        Action.WITHDRAW: ReasonForm(data, prefix="withdraw"),
        Action.RESTORE: forms.Form(data, prefix="restore"),
    }


def evidence_context(claim: Claim) -> dict[str, Any]:
    evidence = list(claim.evidence.select_related("added_by").order_by("created_at", "id"))
    unsettled = any(
        item.kind == Evidence.Kind.LINK and item.fetch_state not in SETTLED_FETCH_STATES
        for item in evidence
    )
    return {"claim": claim, "evidence": evidence, "polling": unsettled}


def comments_context(claim: Claim) -> dict[str, Any]:
    comments = claim.comments.select_related("author").prefetch_related("mentions")
    return {"claim": claim, "comments": list(comments.order_by("created_at", "id"))}


def claim_page_context(
    request: HttpRequest, claim: Claim, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    """Everything the claim page shows; ``bound`` replaces forms that failed validation."""
    user: User = request.user  # type: ignore[assignment]
    bound = bound or {}
    actions = allowed_actions(claim, user)
    pending = (
        claim.proposals.filter(state=VerdictProposal.State.PENDING)
        .select_related("rating", "reviewer")
        .prefetch_related("evidence")
        .order_by("-id")
        .first()
    )
    assignments = list(
        claim.assignments.select_related("user", "assigned_by").order_by("-created_at", "-id")
    )
    mine_open = [a for a in assignments if a.user_id == user.pk and a.state == "open"]
    reviewing = any(a.role == Assignment.Role.REVIEWER for a in mine_open)
    four_eyes = pending is not None and user.pk not in (pending.reviewer_id, claim.author_id)

    forms_by_action = action_forms(claim)
    forms_by_action.update({k: v for k, v in bound.items() if k in forms_by_action})
    shown = [a for a in actions if a != Action.PROPOSE or reviewing]
    if Action.APPROVE in shown and not four_eyes:
        shown = [a for a in shown if a not in (Action.APPROVE, Action.SEND_BACK)]
    decline_forms = [
        (a, bound.get(f"decline_{a.role}") or DeclineForm(initial={"role": a.role}))
        for a in mine_open
    ]
    can_assign = user.has_perm("claims.assign_claim") and claim.status not in (
        Claim.CLOSED_STATUSES
    )
    return {
        "claim": claim,
        "rtl": claim.language.split("-")[0] in RTL_LANGUAGES,
        "tags": list(claim.tags.all()),
        "attribution": list(claim.attribution.all()),
        "pending": pending,
        "publication": claim.current_publication,
        "assignments": assignments,
        "actions": shown,
        "forms": forms_by_action,
        "propose_hint": Action.PROPOSE in actions and not reviewing,
        "approve_hint": Action.APPROVE in actions and pending is not None and not four_eyes,
        "decline_forms": decline_forms,
        "assignment_form": bound.get("assign") or (AssignmentForm() if can_assign else None),
        "evidence_form": bound.get("evidence") or EvidenceForm(),
        "comment_form": bound.get("comment") or CommentForm(),
        "can_add_evidence": user.has_perm("claims.add_evidence")
        and claim.status != Claim.Status.WITHDRAWN,
        "can_edit": user.has_perm("claims.change_claim") and claim.status != Claim.Status.WITHDRAWN,
        "events": list(claim.events.select_related("actor").order_by("-created_at", "-id")[:200]),
        **evidence_context(claim),
        **comments_context(claim),
    }


def render_claim_page(
    request: HttpRequest,
    claim: Claim,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = claim_page_context(request, claim, bound)
    return render(request, "claims/claim_detail.html", context, status=status)


@require_GET
@newsroom_required
def claim_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    claim = claim_get_for(request, code)
    return render_claim_page(request, claim)


# --------------------------------------------------------------------------------------------
# Evidence


@require_GET
@newsroom_required
def evidence_list(request: HttpRequest, code: UUID) -> HttpResponse:
    """The evidence list alone: htmx polls it while any link is still being fetched."""
    claim = claim_get_for(request, code)
    permission_check(request.user, "claims.view_evidence")  # type: ignore[arg-type]
    return render(request, "claims/partials/evidence_list.html", evidence_context(claim))


@require_POST
@newsroom_required
def evidence_add(request: HttpRequest, code: UUID) -> HttpResponse:
    claim = claim_get_for(request, code)
    permission_check(request.user, "claims.add_evidence")  # type: ignore[arg-type]
    form = EvidenceForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evidence_add(
                claim=claim,
                by=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                stance=data["stance"],
                url=data["url"],
                file=data["file"],
                note=data["note"],
                title=data["title"],
            )
        except DomainError as exc:
            status = domain_error_show(request, form, exc)
        else:
            if not is_htmx(request):
                messages.success(request, "Evidence added.")
                return redirect("claims:detail", code=claim.code)
            form, status = EvidenceForm(), 200
    if is_htmx(request):
        # The evidence section, and out of band the proposal form, whose evidence choices
        # just changed.
        context = {**claim_page_context(request, claim, {"evidence": form}), "oob": True}
        return render(request, "claims/partials/evidence_added.html", context, status=status)
    return render_claim_page(request, claim, {"evidence": form}, status=status)


@require_GET
@newsroom_required
def evidence_file(request: HttpRequest, code: UUID, evidence_code: UUID) -> FileResponse:
    """An evidence file, only through this permission-checked view: always a download,
    never rendered by the browser."""
    permission_check(request.user, "claims.view_evidence")  # type: ignore[arg-type]
    evidence = get_object_or_404(
        Evidence, code=evidence_code, claim__code=code, kind=Evidence.Kind.FILE
    )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.file_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.file_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --------------------------------------------------------------------------------------------
# Comments


@require_POST
@newsroom_required
def comment_add(request: HttpRequest, code: UUID) -> HttpResponse:
    claim = claim_get_for(request, code)
    permission_check(request.user, "claims.add_comment")  # type: ignore[arg-type]
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.comment_add(claim=claim, by=request.user, body=form.cleaned_data["body"])  # type: ignore[arg-type]
        except DomainError as exc:
            status = domain_error_show(request, form, exc)
        else:
            if not is_htmx(request):
                messages.success(request, "Comment added.")
                return redirect(f"{claim_url(claim)}#comments")
            form, status = CommentForm(), 200
    if is_htmx(request):
        context = {**comments_context(claim), "comment_form": form}
        return render(request, "claims/partials/comments.html", context, status=status)
    return render_claim_page(request, claim, {"comment": form}, status=status)


def claim_url(claim: Claim) -> str:
    return reverse("claims:detail", args=[claim.code])


# --------------------------------------------------------------------------------------------
# Assignments


@require_POST
@newsroom_required
def assignment_add(request: HttpRequest, code: UUID) -> HttpResponse:
    claim = claim_get_for(request, code)
    permission_check(request.user, "claims.assign_claim")  # type: ignore[arg-type]
    form = AssignmentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assignment_create(
                claim=claim,
                user=data["user"],
                role=data["role"],
                by=request.user,  # type: ignore[arg-type]
                due_date=data["due_date"],
            )
        except DomainError as exc:
            status = domain_error_show(request, form, exc)
            return render_claim_page(request, claim, {"assign": form}, status=status)
        messages.success(
            request, f"Assigned {assignment.user} as {assignment.get_role_display().lower()}."
        )
        return redirect("claims:detail", code=claim.code)
    return render_claim_page(request, claim, {"assign": form}, status=400)


@require_POST
@newsroom_required
def assignment_decline(request: HttpRequest, code: UUID) -> HttpResponse:
    """Decline my open assignment on this claim (in the role posted), with a reason."""
    user: User = request.user  # type: ignore[assignment]
    claim = claim_get_for(request, code)
    form = DeclineForm(request.POST)
    role = request.POST.get("role", "")
    assignment = (
        Assignment.objects.filter(claim=claim, user=user, role=role, state="open")
        .select_related("claim")
        .first()
    )
    if assignment is None:
        raise PermissionDenied("You have no open assignment on this claim in that role.")
    if form.is_valid():
        try:
            services.assignment_decline(
                assignment=assignment,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            status = domain_error_show(request, form, exc)
            return render_claim_page(request, claim, {f"decline_{role}": form}, status=status)
        messages.success(request, "Assignment declined.")
        return redirect(safe_next(request, claim_url(claim)))
    return render_claim_page(request, claim, {f"decline_{role}": form}, status=400)

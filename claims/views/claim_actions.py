"""Workflow actions on one claim: each is a POST that calls ``transition_apply``."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from claims.exceptions import DomainError
from claims.views.claim_page import action_forms, render_claim_page
from claims.views.common import claim_get_for, domain_error_show, newsroom_required
from claims.workflow import TRANSITIONS, Action, TransitionInput, transition_apply

DONE_MESSAGES = {
    Action.SUBMIT: "Submitted for verification.",
    Action.PROPOSE: "Verdict proposed; the claim now awaits approval.",
    Action.SEND_BACK: "Sent back to the reviewer.",
    Action.APPROVE: "Approved and published.",
    Action.REOPEN: "Reopened for a correction.",
    Action.WITHDRAW: "Claim withdrawn.",
    Action.RESTORE: "Restored to draft.",
}


def _input_from(action: Action, form: forms.Form) -> TransitionInput:
    data = form.cleaned_data
    if action is Action.PROPOSE:
        return TransitionInput(
            rating=data["rating"], reasoning=data["reasoning"], evidence=list(data["evidence"])
        )
    if action is Action.SEND_BACK:
        return TransitionInput(comment=data["comment"])
    if action is Action.APPROVE:
        return TransitionInput(explanation=data["explanation"])
    if action in (Action.REOPEN, Action.WITHDRAW):
        return TransitionInput(reason=data["reason"])
    return TransitionInput()


@require_POST
@newsroom_required
def claim_transition(request: HttpRequest, code: UUID, action: str) -> HttpResponse:
    try:
        chosen = Action(action)
    except ValueError:
        raise Http404("No such action.") from None
    claim = claim_get_for(request, code)
    if not request.user.has_perm(TRANSITIONS[chosen].permission):
        raise PermissionDenied("You may not do that.")
    form = action_forms(claim, request.POST)[chosen]
    if form.is_valid():
        try:
            transition_apply(
                claim=claim,
                action=chosen,
                by=request.user,  # type: ignore[arg-type]
                data=_input_from(chosen, form),
            )
        except DomainError as exc:
            status = domain_error_show(request, form, exc)
            claim.refresh_from_db()
            return render_claim_page(request, claim, {chosen: form}, status=status)
        messages.success(request, DONE_MESSAGES[chosen])
        return redirect("claims:detail", code=claim.code)
    return render_claim_page(request, claim, {chosen: form}, status=400)

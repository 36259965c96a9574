"""Logging a claim and editing it: statement, claimant, source and attribution chain."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from claims import services
from claims.duplicate_services import DuplicateMatch, claim_duplicates_find
from claims.exceptions import DomainError
from claims.forms import AttributionFormSet, ClaimForm, attribution_from
from claims.models import Claim, Source, User
from claims.views.common import (
    claim_get_for,
    domain_error_show,
    newsroom_required,
    permission_check,
)


def _source_from(form: ClaimForm, by: User) -> Source | None:
    if not form.has_source():
        return None
    data = form.cleaned_data
    return services.source_get_or_create(
        by=by, url=data["source_url"], outlet=data["source_outlet"], title=data["source_title"]
    )


def _render(
    request: HttpRequest,
    form: ClaimForm,
    formset: forms.BaseFormSet,
    claim: Claim | None,
    status: int,
    duplicates: list[DuplicateMatch] | None = None,
) -> HttpResponse:
    context = {"form": form, "formset": formset, "claim": claim, "duplicates": duplicates or []}
    return render(request, "claims/claim_form.html", context, status=status)


@newsroom_required
def claim_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    permission_check(user, "claims.add_claim")
    if request.method != "POST":
        return _render(request, ClaimForm(), AttributionFormSet(prefix="attribution"), None, 200)
    form = ClaimForm(request.POST)
    formset = AttributionFormSet(request.POST, prefix="attribution")
    if form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        # Before saving, show claims that look the same; the editor may log it anyway.
        if not request.POST.get("confirm_new"):
            duplicates = claim_duplicates_find(text=data["statement"])
            if duplicates:
                return _render(request, form, formset, None, 200, duplicates)
        try:
            with transaction.atomic():  # the source and the claim, or neither
                claim = services.claim_create(
                    by=user,
                    statement=data["statement"],
                    claimant_name=data["claimant_name"],
                    claimant_kind=data["claimant_kind"],
                    source=_source_from(form, user),
                    excerpt=data["excerpt"],
                    claim_date=data["claim_date"],
                    language=data["language"],
                    tags=form.tag_names(),
                    priority=data["priority"],
                    due_date=data["due_date"],
                    internal_notes=data["internal_notes"],
                    attribution=attribution_from(formset),
                )
        except DomainError as exc:
            status = domain_error_show(request, form, exc)
            return _render(request, form, formset, None, status)
        messages.success(request, "Claim logged as a draft.")
        return redirect("claims:detail", code=claim.code)
    return _render(request, form, formset, None, 400)


@newsroom_required
def claim_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    claim = claim_get_for(request, code)
    permission_check(user, "claims.change_claim")
    if request.method != "POST":
        form = ClaimForm(initial=ClaimForm.initial_for(claim))
        initial = [{"name": a.name, "relation": a.relation} for a in claim.attribution.all()]
        formset = AttributionFormSet(initial=initial, prefix="attribution")
        return _render(request, form, formset, claim, 200)
    form = ClaimForm(request.POST)
    formset = AttributionFormSet(request.POST, prefix="attribution")
    if form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "statement",
                "excerpt",
                "claim_date",
                "language",
                "priority",
                "due_date",
                "internal_notes",
            )
        }
        try:
            with transaction.atomic():
                fields["source"] = _source_from(form, user)
                services.claim_update(
                    claim=claim,
                    by=user,
                    fields=fields,
                    tags=form.tag_names(),
                    attribution=attribution_from(formset),
                    claimant=(data["claimant_name"], data["claimant_kind"]),
                )
        except DomainError as exc:
            status = domain_error_show(request, form, exc)
            claim.refresh_from_db()
            return _render(request, form, formset, claim, status)
        messages.success(request, "Claim saved.")
        return redirect("claims:detail", code=claim.code)
    return _render(request, form, formset, claim, 400)

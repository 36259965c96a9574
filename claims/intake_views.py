"""HTML pages for claim intake ("new from article"), for editors (``claims.add_claim``).

- ``/intake/``: paste text or give a link; your recent jobs.
- ``/intake/<code>/``: progress while the page is fetched (the page refreshes itself, no
  script), then the candidates best first, each with its possible duplicates.
- ``POST /intake/<code>/claims/``: create the ticked candidates as claims in one step.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from claims.duplicate_services import DuplicateMatch
from claims.exceptions import DomainError
from claims.intake_forms import IntakeStartForm, selections_from_post
from claims.intake_services import (
    claimant_kinds_guess,
    intake_candidates_duplicates,
    intake_claims_create,
    intake_from_text,
    intake_from_url,
)
from claims.models import Claimant, IntakeJob, User

RECENT_JOBS = 10


def _editor_only(view: Any) -> Any:
    """Anonymous users go to the login page; signed-in users without the permission get 403."""
    return login_required(permission_required("claims.add_claim", raise_exception=True)(view))


def _get_job_for(request: HttpRequest, code: UUID) -> IntakeJob:
    # Every editor sees every job: intake is shared desk work.
    return get_object_or_404(IntakeJob.objects.select_related("source", "created_by"), code=code)


@_editor_only
@require_http_methods(["GET", "POST"])
def intake_start(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = IntakeStartForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["text"].strip():
                job = intake_from_text(
                    by=user,
                    text=data["text"],
                    title=data["title"],
                    url=data["url"],
                    language=data["language"],
                )
            else:
                job = intake_from_url(by=user, url=data["url"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(job)
    jobs = (
        IntakeJob.objects.filter(created_by=user)
        .select_related("source")
        .order_by("-created_at", "-id")[:RECENT_JOBS]
    )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "intake/start.html", {"form": form, "jobs": jobs}, status=status)


@_editor_only
@require_http_methods(["GET"])
def intake_job(request: HttpRequest, code: UUID) -> HttpResponse:
    return _render_job(request, _get_job_for(request, code))


@_editor_only
@require_POST
def intake_job_claims(request: HttpRequest, code: UUID) -> HttpResponse:
    job = _get_job_for(request, code)
    user: User = request.user  # type: ignore[assignment]
    try:
        claims = intake_claims_create(
            job=job, by=user, selections=selections_from_post(request.POST)
        )
    except DomainError as exc:
        return _render_job(request, job, error=exc.message, posted=request.POST, status=400)
    for claim in claims:
        text = f"Logged claim {str(claim.code)[:8]}: {claim}"
        if claim.duplicate_of_id:
            text += f" (duplicate of claim {str(claim.duplicate_of.code)[:8]}"  # type: ignore[union-attr]
            text += ", merged)" if claim.status == claim.Status.WITHDRAWN else ")"
        messages.success(request, text)
    return HttpResponseRedirect(job.get_absolute_url())


def _render_job(
    request: HttpRequest,
    job: IntakeJob,
    *,
    error: str = "",
    posted: Any = None,
    status: int = 200,
) -> HttpResponse:
    rows = _rows(job, posted) if job.state == IntakeJob.State.READY else []
    context = {
        "job": job,
        "rows": rows,
        "error": error,
        "claimant_kinds": Claimant.Kind.choices,
        "check_worthy_count": sum(1 for row in rows if row["candidate"]["check_worthy"]),
    }
    return render(request, "intake/job.html", context, status=status)


def _rows(job: IntakeJob, posted: Any) -> list[dict[str, Any]]:
    """One row per candidate, best first, with the editor's posted values when re-shown."""
    candidates = job.candidates
    duplicates = intake_candidates_duplicates(job=job)
    kinds = claimant_kinds_guess((c["claimant"], c["text"]) for c in candidates if c["claimant"])
    picked = set(posted.getlist("pick")) if posted is not None else set()
    rows = []
    for index, (candidate, matches) in enumerate(zip(candidates, duplicates, strict=True)):

        def value(name: str, default: str, index: int = index) -> str:
            return posted.get(f"{name}-{index}", default) if posted is not None else default

        claimant = candidate["claimant"] or ""
        rows.append(
            {
                "index": index,
                "number": index + 1,
                "candidate": candidate,
                "picked": str(index) in picked,
                "statement": value("statement", candidate["text"]),
                "claimant": value("claimant", claimant),
                "claimant_kind": value("claimant_kind", kinds.get(claimant, "person")),
                "attribution": value("attribution", " > ".join(candidate["attribution_chain"])),
                "hedged": (
                    posted.get(f"hedged-{index}") == "on"
                    if posted is not None
                    else candidate["hedged"]
                ),
                "duplicates": matches,
                "link_options": _link_options(matches, value("link", "")),
            }
        )
    return rows


def _link_options(matches: list[DuplicateMatch], chosen: str) -> list[dict[str, Any]]:
    options = []
    for match in matches:
        for kind, label in (("duplicate", "a duplicate of claim"), ("merge", "merged into claim")):
            value = f"{kind}:{match.claim.code}"
            options.append(
                {
                    "value": value,
                    "label": f"{label} {match.short_code}",
                    "selected": value == chosen,
                }
            )
    return options

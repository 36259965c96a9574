"""The dashboard: counts per status, overdue claims, my open tasks, recently published."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from claims.models import Claim
from claims.views.common import newsroom_required
from claims.views.queue import my_open_assignments

LIST_LENGTH = 8


@require_GET
@newsroom_required
def dashboard(request: HttpRequest) -> HttpResponse:
    counts = dict(
        Claim.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    statuses = [(value, label, counts.get(value, 0)) for value, label in Claim.Status.choices]
    overdue = (
        Claim.objects.overdue()
        .select_related("claimant")
        .order_by("due_date", "-priority", "id")[:LIST_LENGTH]
    )
    # Publications are numbered as they are written, so the newest current publication has
    # the highest id: an index scan, where sorting on its published_at would join them all.
    published = (
        Claim.objects.published()
        .select_related("claimant", "verdict", "current_publication")
        .order_by("-current_publication_id")[:LIST_LENGTH]
    )
    context = {
        "statuses": statuses,
        "overdue": list(overdue),
        "overdue_total": Claim.objects.overdue().count(),
        "my_tasks": list(my_open_assignments(request.user)[:LIST_LENGTH]),  # type: ignore[arg-type]
        "published": list(published),
        "today": timezone.localdate(),
    }
    return render(request, "claims/dashboard.html", context)

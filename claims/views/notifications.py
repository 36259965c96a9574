"""The in-app notification list."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from claims.models import Notification, User
from claims.notifications import notification_mark_all_read, notification_mark_read
from claims.views.common import newsroom_required

PAGE_SIZE = 30


@require_GET
@newsroom_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    notifications = (
        Notification.objects.filter(recipient=user)
        .select_related("event__claim", "event__actor")
        .order_by("-created_at", "-id")
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "notifications": list(page.object_list)}
    return render(request, "claims/notifications.html", context)


@require_POST
@newsroom_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    notification = get_object_or_404(Notification, pk=pk, recipient=user)
    notification_mark_read(notification=notification, by=user)
    claim = notification.event.claim
    if request.POST.get("open") and claim is not None:
        return redirect("claims:detail", code=claim.code)
    return redirect("claims:notifications")


@require_POST
@newsroom_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Marked {count} notifications as read.")
    return redirect("claims:notifications")

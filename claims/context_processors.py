"""Template context for every page: what the navigation needs, computed only when used."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from claims.models import Notification


def _unread_count(request: HttpRequest) -> int:
    user = request.user
    if not user.is_authenticated or not user.has_perm("claims.view_claim"):
        return 0
    return Notification.objects.filter(recipient=user).unread().count()


def newsroom(request: HttpRequest) -> dict[str, Any]:
    return {"unread_notifications": SimpleLazyObject(lambda: _unread_count(request))}

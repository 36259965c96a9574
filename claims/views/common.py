"""What every newsroom view shares: the access check, claim lookup and error handling."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from claims.exceptions import DomainError, NotPermitted
from claims.models import Claim, User

NEWSROOM_PERMISSION = "claims.view_claim"

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def newsroom_required(view: V) -> V:
    """Anonymous users go to the login page; signed-in users without newsroom access get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(NEWSROOM_PERMISSION):
            raise PermissionDenied("This page is for the newsroom.")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def permission_check(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied("You may not do that.")


def claim_get_for(request: HttpRequest, code: UUID) -> Claim:
    """The claim a newsroom user asked for, with what its page header shows."""
    permission_check(request.user, NEWSROOM_PERMISSION)  # type: ignore[arg-type]
    return get_object_or_404(
        Claim.objects.select_related("claimant", "verdict", "source", "author"), code=code
    )


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_status(exc: DomainError) -> int:
    """403 when the domain refuses the user; 400 for every other refused form."""
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(exc.message)
    return 400


def domain_error_show(request: HttpRequest, form: forms.BaseForm, exc: DomainError) -> int:
    """Show a service's refusal where the user will see it: on the field it names, else at
    the top of the page (or on the form, for an htmx fragment). Returns the HTTP status."""
    status = error_status(exc)
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    elif is_htmx(request):
        form.add_error(None, exc.message)
    else:
        messages.error(request, exc.message)
    return status


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback

"""The app's URLs plus one bare view, for the public API benchmark only.

Selected with DJANGO_ROOT_URLCONF=bench.urls by bench/public_api.py; never in production.
The bare view goes through the same middleware and the same gunicorn as the API, so the
ratio of the two measures what the public API itself costs."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from verify.urls import handler404, handler500
from verify.urls import urlpatterns as app_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "claims": 1000})


# About the size of a public page of 50 checks: what moving that many bytes costs alone.
_LARGE = json.dumps({"items": ["x" * 1290] * 50}).encode()


def bare_large(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_LARGE, content_type="application/json")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-large/", bare_large),
    *app_urlpatterns,
]

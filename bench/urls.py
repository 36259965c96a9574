"""The app's URLs plus one bare view, for the public API benchmark only.

Selected with DJANGO_ROOT_URLCONF=bench.urls by bench/public_api.py; never in production.
The bare view goes through the same middleware and the same gunicorn as the API, so the
ratio of the two measures what the public API itself costs."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from verify.urls import handler404, handler500
from verify.urls import urlpatterns as app_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "claims": 1000})


urlpatterns = [path("bench/bare/", bare), *app_urlpatterns]

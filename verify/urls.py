"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

from verify.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("intake/", include("claims.intake_urls")),
    path("api/v1/", include("claims.api.intake_urls")),
    path("", include("claims.urls")),
]

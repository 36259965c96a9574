"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

from claims import public_views
from verify.health import healthz

handler404 = "claims.api.errors.handler404"
handler500 = "claims.api.errors.handler500"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("intake/", include("claims.intake_urls")),
    path("api/v1/", include("claims.api.urls")),
    path("api/v1/", include("claims.api.intake_urls")),
    path("checks/<str:code>/", public_views.check_page, name="public-check"),
    path("checks/<str:code>/badge.svg", public_views.check_badge, name="public-badge"),
    path("", include("claims.urls")),
]

"""Intake pages; included at ``/intake/``."""

from __future__ import annotations

from django.urls import path

from claims import intake_views

app_name = "intake"

urlpatterns = [
    path("", intake_views.intake_start, name="start"),
    path("<uuid:code>/", intake_views.intake_job, name="job"),
    path("<uuid:code>/claims/", intake_views.intake_job_claims, name="job-claims"),
]

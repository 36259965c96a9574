"""Intake API routes, included at ``/api/v1/`` (the duplicates and the public "has this been
checked?" endpoints sit beside the claim and public routes, not under ``intake/``)."""

from __future__ import annotations

from django.urls import path

from claims.api import intake

app_name = "intake_api"

urlpatterns = [
    path("intake/", intake.IntakeJobCreate.as_view(), name="jobs"),
    path("intake/<uuid:code>/", intake.IntakeJobDetail.as_view(), name="job"),
    path("intake/<uuid:code>/claims/", intake.IntakeJobClaims.as_view(), name="job-claims"),
    path("claims/duplicates/", intake.ClaimDuplicates.as_view(), name="claim-duplicates"),
    path("public/checked", intake.PublicChecked.as_view(), name="public-checked"),
]

"""API routes, included at ``/api/v1/``: the public status API under ``public/``, the
newsroom API beside it, and the OpenAPI schema with its interactive docs."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from claims.api import newsroom, public
from claims.api import schema as _schema  # noqa: F401  (registers the schema extensions)

app_name = "api"

claims_ = newsroom.ClaimViewSet
evidence = newsroom.EvidenceViewSet
assignments = newsroom.AssignmentViewSet

urlpatterns = [
    # Public: anonymous, read-only, cached
    path("public/claims/", public.PublicClaimList.as_view(), name="public-claims"),
    path("public/claims:search", public.PublicClaimSearch.as_view(), name="public-search"),
    path(
        "public/claims/<str:code>/",
        public.PublicClaimDetail.as_view(),
        name="public-claim",
    ),
    path(
        "public/claims/<str:code>/claimreview/",
        public.PublicClaimReview.as_view(),
        name="public-claimreview",
    ),
    # Newsroom: session or token
    path(
        "claims/",
        claims_.as_view({"get": "list", "post": "create"}),
        name="claims",
    ),
    path(
        "claims/<uuid:code>/",
        claims_.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="claim",
    ),
    path("claims/<uuid:code>/tags/", claims_.as_view({"post": "tags"}), name="claim-tags"),
    *[
        path(
            f"claims/<uuid:code>/{segment}/",
            claims_.as_view({"post": method}),
            name=f"claim-{segment}",
        )
        for segment, method in (
            ("submit", "submit"),
            ("propose", "propose"),
            ("send-back", "send_back"),
            ("approve", "approve"),
            ("reopen", "reopen"),
            ("withdraw", "withdraw"),
            ("restore", "restore"),
        )
    ],
    path(
        "claims/<uuid:code>/evidence/",
        evidence.as_view({"get": "list", "post": "create"}),
        name="evidence",
    ),
    path(
        "claims/<uuid:code>/evidence/<uuid:evidence_code>/",
        evidence.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="evidence-item",
    ),
    path(
        "claims/<uuid:code>/evidence/<uuid:evidence_code>/refetch/",
        evidence.as_view({"post": "refetch"}),
        name="evidence-refetch",
    ),
    path(
        "claims/<uuid:code>/assignments/",
        assignments.as_view({"get": "list", "post": "create"}),
        name="assignments",
    ),
    path(
        "claims/<uuid:code>/assignments/<int:assignment_id>/decline/",
        assignments.as_view({"post": "decline"}),
        name="assignment-decline",
    ),
    path(
        "claims/<uuid:code>/proposals/",
        newsroom.ProposalViewSet.as_view({"get": "list"}),
        name="proposals",
    ),
    path(
        "claims/<uuid:code>/events/",
        newsroom.EventViewSet.as_view({"get": "list"}),
        name="events",
    ),
    path(
        "claims/<uuid:code>/comments/",
        newsroom.CommentViewSet.as_view({"get": "list", "post": "create"}),
        name="comments",
    ),
    path("queue/", newsroom.QueueViewSet.as_view({"get": "list"}), name="queue"),
    path(
        "queue/take-next/",
        newsroom.QueueViewSet.as_view({"post": "take_next"}),
        name="queue-take-next",
    ),
    path("ratings/", newsroom.RatingViewSet.as_view({"get": "list"}), name="ratings"),
    # OpenAPI 3 schema and Swagger UI (assets from drf-spectacular-sidecar, no CDN)
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema"),
        name="docs",
    ),
]

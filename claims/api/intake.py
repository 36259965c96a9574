"""Claim intake over the API.

Newsroom (editors, ``claims.add_claim``; token or session):

- ``POST /api/v1/intake/`` ``{"text", "title"?, "url"?, "language"?}`` analyses pasted text
  (201, ready) or ``{"url"}`` starts a background fetch (202, pending);
- ``GET /api/v1/intake/{code}/``: state, progress and, once ready, the candidates best first,
  each with its possible duplicates;
- ``POST /api/v1/intake/{code}/claims/`` ``{"selections": [...]}`` creates the claims in one
  step, all or none (see ``intake_claims_create`` for a selection's keys);
- ``POST /api/v1/claims/duplicates/`` ``{"text", "limit"?, "exclude"?}``: likely duplicates.

Public (anonymous, read-only): ``GET /api/v1/public/checked?query=...`` answers "has this
been checked?" with the closest published claims, read from their public versions only.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from claims.api.serializers import _has_nul
from claims.duplicate_services import (
    MAX_QUERY_CHARS,
    DuplicateMatch,
    PublishedMatch,
    claim_duplicates_find,
    published_claims_find,
)
from claims.intake_services import (
    MAX_TEXT_CHARS,
    intake_candidates_duplicates,
    intake_claims_create,
    intake_from_text,
    intake_from_url,
)
from claims.models import Claim, IntakeJob, User

MAX_SELECTIONS = 200
MAX_MATCHES = 20


class IsEditor(BasePermission):
    """Signed in and allowed to log claims."""

    message = "Only editors can use claim intake."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("claims.add_claim"))


class EditorAPIView(APIView):
    # Token first: an anonymous request gets 401 with a WWW-Authenticate challenge.
    authentication_classes = (TokenAuthentication, SessionAuthentication)
    permission_classes = (IsEditor,)


# --------------------------------------------------------------------------------------------
# Representations


def duplicate_data(match: DuplicateMatch) -> dict[str, Any]:
    claim = match.claim
    return {
        "code": str(claim.code),
        "statement": claim.statement,
        "status": claim.status,
        "verdict": claim.verdict.label if claim.verdict else None,
        "summary": match.summary,
        "score": round(match.score, 3),
        "exact": match.exact,
    }


def job_data(job: IntakeJob) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": str(job.code),
        "state": job.state,
        "progress": job.progress,
        "progress_message": job.progress_message,
        "error": job.error,
        "url": job.url,
        "title": job.title,
        "language": job.language,
        "source": (
            {"url": job.source.url, "title": job.source.title} if job.source is not None else None
        ),
        "created_at": job.created_at.isoformat(),
        "updated_at": job.updated_at.isoformat(),
        "text": job.text if job.state == IntakeJob.State.READY else "",
        "candidates": [],
    }
    if job.state == IntakeJob.State.READY:
        duplicates = intake_candidates_duplicates(job=job)
        data["candidates"] = [
            {"index": index, **candidate, "duplicates": [duplicate_data(m) for m in matches]}
            for index, (candidate, matches) in enumerate(
                zip(job.candidates, duplicates, strict=True)
            )
        ]
    return data


def _created_data(claim: Claim) -> dict[str, Any]:
    return {
        "code": str(claim.code),
        "statement": claim.statement,
        "status": claim.status,
        "excerpt": claim.excerpt,
        "excerpt_start": claim.excerpt_start,
        "excerpt_end": claim.excerpt_end,
        "duplicate_of": str(claim.duplicate_of.code) if claim.duplicate_of else None,
    }


def published_data(match: PublishedMatch) -> dict[str, Any]:
    """Only what the public version says: never internal notes, drafts or reviewers."""
    publication = match.publication
    return {
        "code": match.code,
        "statement": publication.statement,
        "claimant": publication.claimant_name,
        "verdict": {
            "label": publication.verdict.label,
            "normalized": publication.verdict.normalized,
        },
        "published_at": publication.published_at.isoformat(),
        "correction": publication.is_correction,
        "score": round(match.score, 3),
        "exact": match.exact,
    }


# --------------------------------------------------------------------------------------------
# Input


class IntakeRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_TEXT_CHARS
    )
    url = serializers.CharField(required=False, allow_blank=True, max_length=2048)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    language = serializers.CharField(required=False, default="auto", max_length=8)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("text", "").strip() and not attrs.get("url", "").strip():
            raise serializers.ValidationError({"text": ["Give the text, or a url to fetch."]})
        return attrs


class SelectionsSerializer(serializers.Serializer):
    selections = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_SELECTIONS
    )

    def validate_selections(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if _has_nul(value):  # PostgreSQL text cannot hold NUL characters
            raise serializers.ValidationError("Null characters are not allowed.")
        return value


class DuplicatesRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_QUERY_CHARS)
    limit = serializers.IntegerField(required=False, default=5, min_value=1, max_value=MAX_MATCHES)
    exclude = serializers.UUIDField(required=False, help_text="A claim's code to leave out.")


class CheckedQuerySerializer(serializers.Serializer):
    query = serializers.CharField(max_length=MAX_QUERY_CHARS)
    limit = serializers.IntegerField(required=False, default=5, min_value=1, max_value=10)


# --------------------------------------------------------------------------------------------
# Views


def _job_for(code: Any) -> IntakeJob:
    return get_object_or_404(IntakeJob.objects.select_related("source"), code=code)


class IntakeJobCreate(EditorAPIView):
    def post(self, request: Request) -> Response:
        params = IntakeRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        user: User = request.user  # type: ignore[assignment]
        if data.get("text", "").strip():
            job = intake_from_text(
                by=user,
                text=data["text"],
                title=data.get("title", ""),
                url=data.get("url", ""),
                language=data["language"],
            )
        else:
            job = intake_from_url(by=user, url=data["url"])
        job = _job_for(job.code)  # as the worker left it (eager in tests) or pending
        code = status.HTTP_201_CREATED if job.is_settled else status.HTTP_202_ACCEPTED
        location = request.build_absolute_uri(reverse("intake_api:job", args=[job.code]))
        return Response(job_data(job), status=code, headers={"Location": location})


class IntakeJobDetail(EditorAPIView):
    def get(self, request: Request, code: Any) -> Response:
        return Response(job_data(_job_for(code)))


class IntakeJobClaims(EditorAPIView):
    def post(self, request: Request, code: Any) -> Response:
        job = _job_for(code)
        params = SelectionsSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        claims = intake_claims_create(
            job=job,
            by=request.user,  # type: ignore[arg-type]
            selections=params.validated_data["selections"],
        )
        return Response(
            {"claims": [_created_data(claim) for claim in claims]}, status=status.HTTP_201_CREATED
        )


class ClaimDuplicates(EditorAPIView):
    def post(self, request: Request) -> Response:
        params = DuplicatesRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        exclude = None
        if data.get("exclude"):
            exclude = Claim.objects.filter(code=data["exclude"]).values_list("pk", flat=True)
        matches = claim_duplicates_find(text=data["text"], exclude=exclude, limit=data["limit"])
        return Response({"matches": [duplicate_data(match) for match in matches]})


class CheckedThrottle(AnonRateThrottle):
    """Each query is a fuzzy search: a client (by address) gets this many a minute."""

    scope = "public_checked"
    rate = "60/minute"


class PublicChecked(APIView):
    """Has this been checked? Anonymous and read-only."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (CheckedThrottle,)

    def get(self, request: Request) -> Response:
        params = CheckedQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data["query"]
        matches = published_claims_find(query=query, limit=params.validated_data["limit"])
        return Response({"query": query, "results": [published_data(m) for m in matches]})

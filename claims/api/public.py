"""The public status API: anonymous, read-only, cached.

It reads only published versions (``Publication``), the evidence the desk marked public,
and the withdrawal reason of a withdrawn claim; never a claim's working fields. A claim
reopened for correction keeps showing its last published version. An unknown code and an
unpublished one answer the same 404.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q, QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from claims import public_cache
from claims.api.claimreview import Publisher, Scale, claimreview, factcheck_claim
from claims.api.errors import error_body
from claims.api.public_serializers import (
    ClaimReviewSerializer,
    FactCheckSearchRequest,
    FactCheckSearchResponse,
    PublicClaimFilters,
    PublicClaimPageSerializer,
    PublicClaimSerializer,
)
from claims.models import Claim, Evidence, Publication, RatingLabel, Snapshot
from claims.public_cache import Rendered
from verify.cache import count as counter

JSON = "application/json"
LD_JSON = "application/ld+json"
WITHDRAWN_REASON_MAX_CHARS = 300


def publisher() -> Publisher:
    return Publisher(name=settings.PUBLISHER_NAME, url=settings.PUBLISHER_URL)


def scale() -> Scale:
    worst, best = RatingLabel.scale_bounds()
    return Scale(worst=worst, best=best)


def dump(data: Any) -> bytes:
    return json.dumps(
        data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()


# --------------------------------------------------------------------------------------------
# Reading published versions


def public_publications() -> QuerySet[Publication]:
    """The current public version of every visible claim, with what the shapes need."""
    return (
        Publication.objects.current_public()
        .select_related("verdict")
        .prefetch_related("tags")
        .annotate(claim_code=F("claim__code"))
    )


def claim_code(publication: Publication) -> str:
    """The claim's code, annotated on the row by ``public_publications``."""
    return str(publication.claim_code)  # type: ignore[attr-defined]


def public_items(publications: Sequence[Publication]) -> list[dict[str, Any]]:
    """The public shape of each publication: a constant number of queries for any length
    (the page's tags, every version of each claim, the public evidence, its newest
    snapshots, the rating scale)."""
    claim_ids = [p.claim_id for p in publications]
    history: dict[int, list[Publication]] = defaultdict(list)
    sources: dict[int, list[Evidence]] = defaultdict(list)
    snapshots: dict[int, Snapshot] = {}
    if claim_ids:
        for version in (
            Publication.objects.filter(claim_id__in=claim_ids)
            .select_related("verdict")
            .only(
                "claim_id",
                "number",
                "published_at",
                "correction_note",
                "verdict__label",
                "verdict__normalized",
            )
            .order_by("claim_id", "number")
        ):
            history[version.claim_id].append(version)
        for item in Evidence.objects.filter(claim_id__in=claim_ids, is_public=True).order_by(
            "created_at", "id"
        ):
            sources[item.claim_id].append(item)
        links = [e.pk for items in sources.values() for e in items if e.kind == Evidence.Kind.LINK]
        if links:
            for snapshot in Snapshot.objects.latest_ok_for(links).only(
                "evidence_id", "fetched_at", "body_sha256"
            ):
                snapshots[snapshot.evidence_id] = snapshot
    bounds = scale() if publications else Scale(worst=1, best=5)
    who = publisher()
    return [
        public_claim(
            p,
            history=history[p.claim_id],
            sources=sources[p.claim_id],
            snapshots=snapshots,
            publisher=who,
            scale=bounds,
        )
        for p in publications
    ]


def public_claim(
    publication: Publication,
    *,
    history: Sequence[Publication],
    sources: Sequence[Evidence],
    snapshots: dict[int, Snapshot],
    publisher: Publisher,
    scale: Scale,
) -> dict[str, Any]:
    """One claim as the public API shows it (documented by ``PublicClaimSerializer``)."""
    code = claim_code(publication)
    verdict = publication.verdict
    return {
        "code": code,
        "text": publication.statement,
        "claimant": publication.claimant_name,
        "claimant_kind": publication.claimant_kind,
        "claim_date": publication.claim_date,
        "language": publication.language,
        "tags": sorted(tag.slug for tag in publication.tags.all()),
        "appearances": [
            {
                "url": a.get("url", ""),
                "title": a.get("title", ""),
                "outlet": a.get("outlet", ""),
                "published_at": a.get("published_at"),
            }
            for a in publication.appearances
        ],
        "verdict": {
            "label": verdict.label,
            "slug": verdict.slug,
            "value": verdict.value,
            "best": scale.best,
            "worst": scale.worst,
            "normalized": verdict.normalized,
            "colour": verdict.colour,
            "explanation": publication.explanation,
        },
        "published_at": publication.first_published_at,
        "updated_at": publication.published_at,
        "version": publication.number,
        "sources": [_source(item, snapshots.get(item.pk)) for item in sources],
        "history": [
            {
                "version": v.number,
                "published_at": v.published_at,
                "verdict": v.verdict.label,
                "normalized": v.verdict.normalized,
                "correction_note": v.correction_note,
            }
            for v in history
        ],
        "url": publisher.check_url(code),
        "claimreview_url": _absolute(reverse("api:public-claimreview", args=[code])),
    }


def _source(item: Evidence, snapshot: Snapshot | None) -> dict[str, Any]:
    """A public source; for a link, its newest successful snapshot (when, and the SHA-256
    of what came back) and its archived copy, when there are."""
    return {
        "code": str(item.code),
        "kind": item.kind,
        "stance": item.stance,
        "title": item.title or item.page_title,
        "url": item.url,
        "note": item.note,
        "site_name": item.page_site_name,
        "snapshot_at": snapshot.fetched_at if snapshot else item.fetched_at,
        "sha256": snapshot.body_sha256 if snapshot else None,
        "archive_url": item.archive_url,
    }


def _absolute(path: str) -> str:
    return settings.PUBLISHER_URL.rstrip("/") + path


# --------------------------------------------------------------------------------------------
# One claim by code: published, withdrawn (410) or nothing (404)

NOT_FOUND = Rendered(404, JSON, dump(error_body("not_found", "No published check has this code.")))


def publication_for(code: str) -> Publication | Rendered:
    """The public version of a claim, or the 404 / 410 answer. Unknown, malformed and
    unpublished codes all get the very same 404."""
    try:
        key = uuid.UUID(code)
    except ValueError:
        return NOT_FOUND
    row = (
        Claim.objects.filter(code=key)
        .values("pk", "status", "current_publication_id", "withdrawn_reason")
        .first()
    )
    if row is None or row["current_publication_id"] is None:
        return NOT_FOUND
    if row["status"] == Claim.Status.WITHDRAWN:
        reason = " ".join(row["withdrawn_reason"].split())[:WITHDRAWN_REASON_MAX_CHARS]
        body = error_body("withdrawn", f"This check was withdrawn. {reason}".strip())
        return Rendered(410, JSON, dump(body), public_cache.last_public_change(claim_id=row["pk"]))
    return public_publications().get(pk=row["current_publication_id"])


# --------------------------------------------------------------------------------------------
# DRF plumbing shared by the public views


class _BatchedCounts:
    """Per-client request counts of this process, reported to the shared cache in batches.

    A client's count is sent (one round trip) every ``batch`` requests, and before any
    refusal, so a refusal always rests on the shared total. Across P processes a client
    can get at most P x (batch - 1) requests past the limit; batch is 1 (exact) for small
    limits. Counts of past windows are dropped as windows pass."""

    def __init__(self) -> None:
        self._counts: dict[str, list[int]] = {}  # key -> [not yet reported, last shared total]
        self._window = -1
        self._lock = threading.Lock()

    def add(self, key: str, *, window: int, timeout: int, limit: int, batch: int) -> int:
        """Count one request; return the best known total for this client and window."""
        with self._lock:
            if window != self._window:
                self._counts.clear()
                self._window = window
            entry = self._counts.setdefault(key, [0, 0])
            entry[0] += 1
            estimate = entry[0] + entry[1]
            if entry[0] < batch and estimate <= limit:
                return estimate
            pending, entry[0] = entry[0], 0
        shared = counter(cache, key, timeout, pending)
        with self._lock:
            entry[1] = max(entry[1], shared)
            return shared + entry[0]

    def forget(self) -> None:
        with self._lock:
            self._counts.clear()


_counts = _BatchedCounts()


def forget_local_state() -> None:
    """Drop what this process remembers (cached answers, generation, throttle counts): for
    tests, which clear the shared cache between cases."""
    public_cache.forget_local_state()
    _counts.forget()


class PublicRateThrottle(AnonRateThrottle):
    """Per-IP rate for the public API, read from ``settings.PUBLIC_API_RATE``.

    DRF's AnonRateThrottle identifies the client and parses the rate. The count is a fixed
    window (one counter per client and window) kept in the shared cache, fed in batches of
    ``PUBLIC_THROTTLE_BATCH`` (see ``_BatchedCounts``), instead of DRF's list of request
    times read and written on every request. A client may burst up to twice the rate across
    a window boundary; Retry-After is the time left in the window."""

    scope = "public"
    num_requests: int  # set from the rate by SimpleRateThrottle.__init__
    duration: int

    def get_rate(self) -> str:
        return str(settings.PUBLIC_API_RATE)

    def get_cache_key(self, request: Any, view: Any) -> str:
        # Every public request is anonymous (no authentication classes); unlike DRF's, this
        # never reads request.user, so it also works on a plain Django request without
        # touching the session.
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: Any, view: Any) -> bool:
        ident = self.get_cache_key(request, view)
        if self.rate is None or ident is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        batch = max(1, min(int(settings.PUBLIC_THROTTLE_BATCH), self.num_requests // 10))
        used = _counts.add(
            f"{ident}:{window}",
            window=window,
            timeout=self.duration + 1,
            limit=self.num_requests,
            batch=batch,
        )
        return used <= self.num_requests

    def wait(self) -> float:
        return max(1.0, self.window_end - self.now)


class FirstRenderer(BaseContentNegotiation):
    """The public API has one representation per URL: never answer 406."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class PublicView(APIView):
    """Anonymous and cookie-free: no authentication classes, so no session and no CSRF.
    Throttled per client IP.

    A GET whose answer is cached is answered before DRF's request handling (throttled
    all the same); anything else (a miss, a throttled client, another method) goes the
    whole DRF way."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (PublicRateThrottle,)
    content_negotiation_class = FirstRenderer
    renderer_classes = (JSONRenderer,)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method in ("GET", "HEAD"):
            cached = public_cache.lookup(request)
            if cached is not None:
                throttle = PublicRateThrottle()
                if throttle.allow_request(request, self):
                    return cached
                request.public_throttle_wait = throttle.wait()
        return super().dispatch(request, *args, **kwargs)

    def check_throttles(self, request: Request) -> None:
        wait = getattr(request._request, "public_throttle_wait", None)
        if wait is not None:  # already counted and refused on the cached path
            self.throttled(request, wait)
        super().check_throttles(request)

    def serve(self, request: Request, render: Callable[[], Rendered]) -> HttpResponse:
        return public_cache.serve(request._request, render)


class PublicCursorPagination(CursorPagination):
    ordering = ("-first_published_at", "-claim_id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        page = super().paginate_queryset(queryset, request, view)
        # Links are built on the public site's URL, not the request's Host, so a cached
        # page is right for every client.
        self.base_url = _absolute(request.get_full_path())
        return page


def _language_q(field: str, code: str) -> Q:
    primary = code.split("-")[0].lower()
    return Q(**{f"{field}__iexact": primary}) | Q(**{f"{field}__istartswith": primary + "-"})


# --------------------------------------------------------------------------------------------
# Views


class PublicClaimList(PublicView):
    """Published checks, newest first (by first publication), with cursor pagination. A
    check reopened for correction shows its last published version."""

    @extend_schema(
        operation_id="public_claims_list",
        tags=["public"],
        parameters=[
            PublicClaimFilters,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="Pagination cursor."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": 100},
                description="Default 20.",
            ),
        ],
        responses={200: PublicClaimPageSerializer},
        auth=[],
    )
    def get(self, request: Request) -> HttpResponse:
        return self.serve(request, lambda: self._render(request))

    def _render(self, request: Request) -> Rendered:
        filters = PublicClaimFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        queryset = public_publications()
        if "verdict" in wanted:
            queryset = queryset.filter(verdict__slug=wanted["verdict"])
        if "normalized" in wanted:
            queryset = queryset.filter(verdict__normalized=wanted["normalized"])
        if "language" in wanted:
            queryset = queryset.filter(_language_q("language", wanted["language"]))
        if wanted.get("claimant"):
            queryset = queryset.filter(claimant_name__iexact=wanted["claimant"])
        if "tag" in wanted:
            queryset = queryset.filter(tags__slug=wanted["tag"])
        if "updated_since" in wanted:
            queryset = queryset.filter(published_at__gte=wanted["updated_since"])
        paginator = PublicCursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        body = {
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": public_items(page or []),
        }
        return Rendered(200, JSON, dump(body), public_cache.last_public_change())


class PublicClaimDetail(PublicView):
    """One published check. Withdrawn: 410 with the public reason. Unknown or never
    published: 404, the same answer for both."""

    @extend_schema(
        operation_id="public_claims_retrieve",
        tags=["public"],
        responses={200: PublicClaimSerializer},
        auth=[],
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        return self.serve(request, lambda: self._render(code))

    def _render(self, code: str) -> Rendered:
        found = publication_for(code)
        if isinstance(found, Rendered):
            return found
        (item,) = public_items([found])
        return Rendered(
            200, JSON, dump(item), public_cache.last_public_change(claim_id=found.claim_id)
        )


class PublicClaimReview(PublicView):
    """One published check as schema.org ClaimReview (JSON-LD), with every property
    Google's fact-check markup guidelines require or recommend."""

    @extend_schema(
        operation_id="public_claims_claimreview",
        tags=["public"],
        description="schema.org ClaimReview as JSON-LD (`application/ld+json`).",
        responses={(200, LD_JSON): ClaimReviewSerializer},
        auth=[],
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        return self.serve(request, lambda: self._render(code))

    def _render(self, code: str) -> Rendered:
        found = publication_for(code)
        if isinstance(found, Rendered):
            return found
        data = claimreview(
            found,
            code=claim_code(found),
            publisher=publisher(),
            scale=scale(),
        )
        return Rendered(
            200, LD_JSON, dump(data), public_cache.last_public_change(claim_id=found.claim_id)
        )


# --------------------------------------------------------------------------------------------
# Google Fact Check Tools compatible search

SEARCH_DEFAULT_PAGE_SIZE = 10
SEARCH_MAX_TERMS = 10


def _token_encode(publication: Publication) -> str:
    raw = json.dumps([publication.first_published_at.isoformat(), publication.claim_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _token_decode(token: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        when, claim_id = json.loads(raw)
        moment = parse_datetime(when)
        if moment is None or not isinstance(claim_id, int):
            raise ValueError(token)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise serializers.ValidationError(
            {"pageToken": ["This page token is not valid."]}
        ) from None
    return moment, claim_id


class PublicClaimSearch(PublicView):
    """Google Fact Check Tools `claims:search`, same request and response shape."""

    @extend_schema(
        operation_id="public_claims_search",
        tags=["public"],
        description=(
            "The request and response shape of Google Fact Check Tools `claims:search` "
            "(v1alpha1), so its clients can point here. Results are newest first."
        ),
        parameters=[FactCheckSearchRequest],
        responses={200: FactCheckSearchResponse},
        auth=[],
    )
    def get(self, request: Request) -> HttpResponse:
        return self.serve(request, lambda: self._render(request))

    def _render(self, request: Request) -> Rendered:
        form = FactCheckSearchRequest(data=request.query_params)
        form.is_valid(raise_exception=True)
        wanted = form.validated_data
        who = publisher()
        queryset = (
            public_publications()
            .prefetch_related(None)
            .order_by("-first_published_at", "-claim_id")
        )
        site = wanted.get("reviewPublisherSiteFilter", "").strip().lower()
        if site and not (who.site == site or who.site.endswith("." + site)):
            return Rendered(200, JSON, dump({"claims": []}))
        for term in wanted.get("query", "").split()[:SEARCH_MAX_TERMS]:
            queryset = queryset.filter(
                Q(statement__icontains=term) | Q(claimant_name__icontains=term)
            )
        if "languageCode" in wanted:
            queryset = queryset.filter(_language_q("language", wanted["languageCode"]))
        if "maxAgeDays" in wanted:
            cutoff = timezone.now() - timedelta(days=wanted["maxAgeDays"])
            queryset = queryset.filter(
                Q(published_at__gte=cutoff) | Q(claim_date__gte=cutoff.date())
            )
        if "pageToken" in wanted:
            after, claim_id = _token_decode(wanted["pageToken"])
            queryset = queryset.filter(
                Q(first_published_at__lt=after) | Q(first_published_at=after, claim_id__lt=claim_id)
            )
        else:
            offset = wanted.get("offset", 0)
            queryset = queryset[offset:]
        size = wanted.get("pageSize", SEARCH_DEFAULT_PAGE_SIZE)
        rows = list(queryset[: size + 1])
        page, more = rows[:size], len(rows) > size
        body: dict[str, Any] = {
            "claims": [factcheck_claim(p, code=claim_code(p), publisher=who) for p in page]
        }
        if more:
            body["nextPageToken"] = _token_encode(page[-1])
        return Rendered(200, JSON, dump(body), public_cache.last_public_change())

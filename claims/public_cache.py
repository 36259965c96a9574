"""Server-side cache and HTTP validators for everything the public sees.

Public responses (the status API, the check pages, the badges) are rendered once and kept in
Django's cache (Redis when configured), both as rendered and gzipped, with a strong ETag:
the hash of the rendered body. Each entry is stored with the *public generation* it was
rendered under: a counter bumped whenever the public record changes (a claim published,
corrected, withdrawn or restored; the public evidence of a published claim changed). An
entry from an older generation is a miss, so one bump retires every cached response at
once; entries are overwritten on their next render or expire on their own.

Every response gets ETag, Last-Modified, ``Cache-Control: public`` and ``Vary:
Accept-Encoding``; a conditional GET that matches answers 304 without a body.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from claims.models import Claim, Event

logger = logging.getLogger(__name__)

GENERATION_KEY = "public:generation"
# Events that change what the public sees whatever the claim.
PUBLIC_ACTIONS = frozenset(
    {"claim.published", "claim.corrected", "claim.withdrawn", "claim.restored"}
)
_CACHEABLE_STATUSES = frozenset({200, 404, 410})
_GZIP_MIN_BYTES = 200
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@dataclass(frozen=True)
class Rendered:
    """What a public view renders; the cache adds validators and compression."""

    status: int
    content_type: str
    body: bytes
    last_modified: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()


# Stored as a plain tuple: cheap to pickle for Redis.
# (status, content_type, body, gzipped body or None, etag, last_modified epoch or None, headers)
_Stored = tuple[int, str, bytes, bytes | None, str, float | None, tuple[tuple[str, str], ...]]


# --------------------------------------------------------------------------------------------
# The generation counter


def _fresh_generation() -> int:
    # Microseconds since the epoch: a counter re-created after eviction never repeats a
    # value that older entries were stored under.
    return time.time_ns() // 1000


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return int(value) if value is not None else _fresh_generation()


def generation_bump() -> None:
    """Retire every cached public response. Never raises: the publish that triggered it has
    already committed, and ``PUBLIC_CACHE_SECONDS`` bounds staleness if the cache is down."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet (or evicted): any fresh value is newer
            cache.set(GENERATION_KEY, _fresh_generation(), timeout=None)
    except Exception:
        logger.exception("Could not bump the public cache generation")


def on_event_recorded(sender: Any, event: Event, **kwargs: Any) -> None:
    """Receiver of ``claims.workflow.event_recorded`` (runs after commit)."""
    if event.action in PUBLIC_ACTIONS or (
        event.action.startswith("evidence.")
        and Claim.objects.filter(pk=event.claim_id, current_publication__isnull=False).exists()
    ):
        generation_bump()


def last_public_change(*, claim_id: int | None = None) -> datetime | None:
    """When the public record (of one claim, or of all) last changed: the Last-Modified."""
    events = Event.objects.filter(
        Q(action__in=PUBLIC_ACTIONS)
        | Q(action__startswith="evidence.", claim__current_publication__isnull=False)
    )
    if claim_id is not None:
        events = events.filter(claim_id=claim_id)
    return events.aggregate(last=Max("created_at"))["last"]


# --------------------------------------------------------------------------------------------
# Serving


def serve(request: HttpRequest, render: Callable[[], Rendered]) -> HttpResponse:
    """Answer a public GET or HEAD from the cache, rendering on a miss.

    One cache round trip on a hit: the generation counter and the entry (stored with the
    generation it was rendered under) are read together."""
    if settings.PUBLIC_CACHE_SECONDS <= 0:
        return _respond(request, _prepare(render()))
    key = "public:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
    found = cache.get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY)
    if current is None:
        current = generation()
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return _respond(request, entry[1])
    stored = _prepare(render())
    if stored[0] in _CACHEABLE_STATUSES:
        cache.set(key, (current, stored), timeout=settings.PUBLIC_CACHE_SECONDS)
    return _respond(request, stored)


def _prepare(rendered: Rendered) -> _Stored:
    etag = '"' + hashlib.sha256(rendered.body).hexdigest()[:40] + '"'
    gzipped = None
    if len(rendered.body) >= _GZIP_MIN_BYTES:
        gzipped = gzip.compress(rendered.body, compresslevel=6, mtime=0)
    last_modified = rendered.last_modified.timestamp() if rendered.last_modified else None
    return (
        rendered.status,
        rendered.content_type,
        rendered.body,
        gzipped,
        etag,
        last_modified,
        rendered.headers,
    )


def _respond(request: HttpRequest, stored: _Stored) -> HttpResponse:
    status, content_type, body, gzipped, etag, last_modified, headers = stored
    use_gzip = gzipped is not None and bool(
        _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    )
    if use_gzip:
        assert gzipped is not None
        body = gzipped
        etag = etag[:-1] + '-gzip"'  # a different representation needs its own strong tag
    response = HttpResponse(body, status=status, content_type=content_type)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    if use_gzip:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(body))
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
    for name, value in headers:
        response[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    if status == 200:
        return get_conditional_response(
            request,
            etag=etag,
            last_modified=int(last_modified) if last_modified is not None else None,
            response=response,
        )
    return response

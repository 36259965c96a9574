"""Server-side cache and HTTP validators for everything the public sees.

Public responses (the status API, the check pages, the badges) are rendered once and kept in
Django's cache (Redis when configured; the most used ones also in each process's memory),
both as rendered and gzipped, with a strong ETag:
the hash of the rendered body. Each entry is stored with the *public generation* it was
rendered under: the time of the last public change, moved on whenever the public record
changes (a claim published,
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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from claims.models import Claim, Event
from claims.rows import Rows

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


def _now_us() -> int:
    return time.time_ns() // 1000


def generation() -> int:
    """The current generation: the time of the last public change, in microseconds since
    the epoch (or of the counter's creation, if the cache lost it)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _now_us(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return int(value) if value is not None else _now_us()


class _SeenGeneration:
    """This process's view of the generation, read from the shared cache at most every
    ``PUBLIC_GENERATION_CHECK_SECONDS`` (0: on every request). A bump made by this process
    is seen at once; one made by another process within that many seconds. This keeps the
    shared cache off the path of a cached answer."""

    def __init__(self) -> None:
        self._value: int | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> int:
        now = time.monotonic()
        with self._lock:
            if self._value is not None and now - self._read_at < _check_seconds():
                return self._value
        value = generation()
        self.set(value, read_at=now)
        return value

    def set(self, value: int, *, read_at: float | None = None) -> None:
        with self._lock:
            self._value = value
            self._read_at = time.monotonic() if read_at is None else read_at

    def forget(self) -> None:
        with self._lock:
            self._value = None


def _check_seconds() -> float:
    return float(settings.PUBLIC_GENERATION_CHECK_SECONDS)


_seen = _SeenGeneration()


def generation_bump() -> None:
    """Retire every cached public response: the generation becomes now. Never raises: the
    publish that triggered it has already committed, and ``PUBLIC_CACHE_SECONDS`` bounds
    staleness if the cache is down.

    Not atomic, and need not be: any new value retires the old entries, and a value
    written by a slower concurrent bump is still one no entry was rendered under."""
    try:
        current = cache.get(GENERATION_KEY) or 0
        value = max(_now_us(), int(current) + 1)
        cache.set(GENERATION_KEY, value, timeout=None)
        _seen.set(value)
    except Exception:
        logger.exception("Could not bump the public cache generation")


def forget_local_state() -> None:
    """Drop what this process remembers (its view of the generation, its rendered
    entries): for tests, which clear the shared cache between cases."""
    _seen.forget()
    _local.clear()


def on_event_recorded(sender: Any, event: Event, **kwargs: Any) -> None:
    """Receiver of ``claims.workflow.event_recorded`` (runs after commit)."""
    if event.action in PUBLIC_ACTIONS or (
        event.action.startswith("evidence.")
        # A fetch's event says whether its link is a public source; only those show.
        and event.details.get("public", True)
        and _is_published(event.claim_id)
    ):
        generation_bump()


_CLAIM_ROWS = Rows(Claim)


def _is_published(claim_id: int | None) -> bool:
    """Whether the claim has a public version (read in plain SQL: every fetch asks)."""
    if claim_id is None:
        return False
    claim = _CLAIM_ROWS.get(claim_id, ("current_publication",))
    return claim is not None and claim.current_publication_id is not None


def last_public_change(*, claim_id: int | None = None) -> datetime:
    """When the public record (of one claim, or of all) last changed: the Last-Modified.
    For all claims, that is the generation; one claim's comes from its own events."""
    changed = None
    if claim_id is not None:
        changed = (
            Event.objects.filter(claim_id=claim_id)
            .filter(Q(action__in=PUBLIC_ACTIONS) | Q(action__startswith="evidence."))
            .aggregate(last=Max("created_at"))["last"]
        )
    return changed or datetime.fromtimestamp(generation() / 1_000_000, tz=UTC)


# --------------------------------------------------------------------------------------------
# Serving


class _LocalEntries:
    """The most recently used rendered responses of this process, bounded in bytes. An
    entry counts only for the generation it was rendered under, so it never outlives an
    invalidation; it saves fetching (and unpickling) the body from the shared cache."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[int, _Stored]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _size(stored: _Stored) -> int:
        return len(stored[2]) + len(stored[3] or b"") + 256

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def get(self, key: str, current: int) -> _Stored | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != current:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, current: int, stored: _Stored) -> None:
        limit = settings.PUBLIC_LOCAL_CACHE_BYTES
        size = self._size(stored)
        if size > limit:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old[1])
            self._entries[key] = (current, stored)
            self._bytes += size
            while self._bytes > limit:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= self._size(dropped)


_local = _LocalEntries()


# Part of every entry's key: change it when the stored tuple changes shape, so a release
# never reads entries an older release wrote.
_ENTRY_FORMAT = 2


def _key(request: HttpRequest) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public:{_ENTRY_FORMAT}:{digest}"


def lookup(request: HttpRequest) -> HttpResponse | None:
    """The cached answer to this GET or HEAD, or None: what serve() answers without
    rendering. Usually no round trip at all: the generation is this process's recent view
    of it, and the body comes from this process's memory (from the shared cache the first
    time)."""
    if settings.PUBLIC_CACHE_SECONDS <= 0:
        return None
    current = _seen.get()
    key = _key(request)
    stored = _local.get(key, current)
    if stored is None:
        entry = cache.get(key)
        if entry is None or entry[0] != current:
            return None
        stored = entry[1]
        _local.put(key, current, stored)
    return _respond(request, stored)


def serve(request: HttpRequest, render: Callable[[], Rendered]) -> HttpResponse:
    """Answer a public GET or HEAD from the cache, rendering on a miss. Entries are stored
    with the generation they were rendered under."""
    cached = lookup(request)
    if cached is not None:
        return cached
    if settings.PUBLIC_CACHE_SECONDS <= 0:
        return _respond(request, _prepare(render()))
    current = _seen.get()
    stored = _prepare(render())
    if stored[0] in _CACHEABLE_STATUSES:
        key = _key(request)
        cache.set(key, (current, stored), timeout=settings.PUBLIC_CACHE_SECONDS)
        _local.put(key, current, stored)
    return _respond(request, stored)


def _prepare(rendered: Rendered) -> _Stored:
    etag = '"' + hashlib.sha256(rendered.body).hexdigest()[:40] + '"'
    gzipped = None
    if len(rendered.body) >= _GZIP_MIN_BYTES:
        gzipped = gzip.compress(rendered.body, compresslevel=6, mtime=0)
    last_modified = rendered.last_modified.timestamp() if rendered.last_modified else None
    headers = rendered.headers
    if last_modified is not None:
        headers = (("Last-Modified", http_date(last_modified)), *headers)
    return (
        rendered.status,
        rendered.content_type,
        rendered.body,
        gzipped,
        etag,
        last_modified,
        headers,
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
    if use_gzip:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(body))
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
    response["Vary"] = "Accept-Encoding"
    for name, value in headers:  # Last-Modified first, then the view's own
        response[name] = value
    if status == 200:
        conditional = get_conditional_response(
            request,
            etag=etag,
            last_modified=int(last_modified) if last_modified is not None else None,
            response=response,
        )
        return conditional or response
    return response

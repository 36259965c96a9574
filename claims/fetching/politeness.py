"""Per-site politeness: at most N fetches from one host at a time, across every worker.

With Redis, each host has a sorted set of slot holders scored by when their slot expires;
a Lua script drops expired holders, counts, and adds a holder atomically, so workers on
any number of machines share the limit and a worker that dies mid-fetch frees its slot
when the slot expires. Without Redis (the embedded setup) the limit is a count in this
process only: two worker processes on one SQLite database each get the full limit.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from typing import Protocol

import redis

_ACQUIRE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[3])
    redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
    return 1
end
return 0
"""


class SiteSlots(Protocol):
    def acquire(self, site: str) -> str | None:
        """A token if the site has a free slot (now taken), else None."""

    def release(self, site: str, token: str) -> None: ...


class RedisSiteSlots:
    """Slots shared by every process that uses the same Redis database and prefix."""

    def __init__(self, client: redis.Redis, *, limit: int, hold_seconds: float, prefix: str):
        self.client = client
        self.limit = limit
        self.hold_seconds = hold_seconds
        self.prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)

    def _key(self, site: str) -> str:
        return f"{self.prefix}:fetch-site:{site}"

    def acquire(self, site: str) -> str | None:
        token = uuid.uuid4().hex
        taken = self._acquire(keys=[self._key(site)], args=[self.limit, self.hold_seconds, token])
        return token if int(taken) == 1 else None

    def release(self, site: str, token: str) -> None:
        self.client.zrem(self._key(site), token)

    def holders(self, site: str) -> int:
        return int(self.client.zcard(self._key(site)))


class LocalSiteSlots:
    """Slots counted in this process only (no Redis configured)."""

    def __init__(self, *, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._held: dict[str, set[str]] = {}

    def acquire(self, site: str) -> str | None:
        with self._lock:
            held = self._held.setdefault(site, set())
            if len(held) >= self.limit:
                return None
            token = uuid.uuid4().hex
            held.add(token)
            return token

    def release(self, site: str, token: str) -> None:
        with self._lock:
            held = self._held.get(site, set())
            held.discard(token)
            if not held:
                self._held.pop(site, None)

    def holders(self, site: str) -> int:
        with self._lock:
            return len(self._held.get(site, ()))


_slots: dict[tuple[str, int, float, str], SiteSlots] = {}
_slots_lock = threading.Lock()


def site_slots() -> SiteSlots:
    """The slots for the current settings (one instance per configuration and process)."""
    from django.conf import settings  # the rest of the module needs no Django

    key = (
        settings.REDIS_URL,
        int(settings.FETCH_PER_SITE_CONCURRENCY),
        float(settings.FETCH_SITE_SLOT_SECONDS),
        str(settings.CACHES["default"].get("KEY_PREFIX", "verify")),
    )
    with _slots_lock:
        if key not in _slots:
            url, limit, hold, prefix = key
            _slots[key] = (
                RedisSiteSlots(
                    redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3),
                    limit=limit,
                    hold_seconds=hold,
                    prefix=prefix or "verify",
                )
                if url
                else LocalSiteSlots(limit=limit)
            )
        return _slots[key]


@contextlib.contextmanager
def site_slot(site: str, slots: SiteSlots | None = None) -> Iterator[bool]:
    """Hold one of the site's slots for the block; yields False (holding nothing) when the
    site is busy."""
    slots = slots or site_slots()
    token = slots.acquire(site)
    try:
        yield token is not None
    finally:
        if token is not None:
            slots.release(site, token)

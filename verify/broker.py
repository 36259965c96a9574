"""The Redis broker transport, with one Redis client per channel instead of one per command.

kombu's Redis channel builds a new ``redis.Redis`` client for every message it publishes
and for the bookkeeping of every delivery and acknowledgement (acks_late: two pipelines
per task). Building one copies redis-py's table of ~250 response callbacks; on a busy fetch
worker that was about 5 % of its CPU (py-spy, bench/fetch_throughput.py). A client holds no
connection of its own (each command borrows one from the channel's pool, under the pool's
lock), so one client per pool does the same work. Everything else is kombu's.

Selected by CELERY_BROKER_TRANSPORT when REDIS_URL is set (verify/settings.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _shared_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        pool = self.pool  # kombu replaces the pool after a fork or a close
        shared = self._shared_client
        if shared is None or shared.connection_pool is not pool:
            # (kombu's type stubs leave out its private helpers)
            shared = self._shared_client = self._create_client()  # type: ignore[attr-defined]
        yield shared


class Transport(kombu_redis.Transport):
    Channel = Channel

"""kombu's Redis broker transport, with two changes that matter to a busy fetch worker.

1. One Redis client per channel instead of one per command. kombu's Redis channel builds a
   new ``redis.Redis`` client for every message it publishes and for the bookkeeping of
   every delivery and acknowledgement (acks_late: two pipelines per task). Building one
   copies redis-py's table of ~250 response callbacks; on a busy fetch worker that was
   about 5 % of its CPU (py-spy, bench/fetch_throughput.py). A client holds no connection
   of its own (each command borrows one from the channel's pool, under the pool's lock),
   so one client per pool does the same work.

2. An acknowledgement wakes the consumer. With prefetch 1 a worker holds exactly as many
   messages as it has task slots, so while every slot is busy its consumer stops reading
   the queue and sleeps in its event loop. A thread-pool task that finishes is
   acknowledged from its own thread, which nothing in kombu or Celery tells the event loop
   about: the loop noticed the free slot only when something else woke it (the bench
   measured a thread idle 40 ms on average, up to 200 ms, between two fetches). Here the
   acknowledgement writes a byte to a pipe the event loop watches, and the loop asks Redis
   for the next message at once.

Everything else is kombu's. Selected by CELERY_BROKER_TRANSPORT when REDIS_URL is set
(verify/settings.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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

    def basic_ack(self, delivery_tag: Any, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple)
        _wake(self.connection)

    def basic_reject(self, delivery_tag: Any, requeue: bool = False) -> None:
        super().basic_reject(delivery_tag, requeue)
        _wake(self.connection)


class Transport(kombu_redis.Transport):
    Channel = Channel
    _wake_fd: int | None = None

    def register_with_event_loop(self, connection: Any, loop: Any) -> None:
        super().register_with_event_loop(connection, loop)
        if self._wake_fd is None:
            readable, writable = os.pipe()
            os.set_blocking(readable, False)
            os.set_blocking(writable, False)
            loop.add_reader(readable, self._woken, readable)
            self._wake_fd = writable

    @staticmethod
    def _woken(fd: int) -> None:
        """The loop is awake; on its next turn kombu asks for a message if a slot is free."""
        with suppress(BlockingIOError):
            os.read(fd, 4096)

    def wake_consumer(self) -> None:
        """Wake this process's event loop, if it has one (a worker's consumer)."""
        if self._wake_fd is not None:
            # A full pipe means the loop has wake-ups pending already.
            with suppress(BlockingIOError):
                os.write(self._wake_fd, b"\0")


def _wake(transport: Any) -> None:
    if isinstance(transport, Transport):
        transport.wake_consumer()

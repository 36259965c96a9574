"""Extraction of fetched pages in child processes, with a hard time limit per page.

Parsing a fetched page is the one long stretch of CPU work in a fetch, on untrusted input.
In a worker's own threads it has two costs. First, the threads pool ignores Celery's time
limits, so a page that sends lxml or trafilatura into a very long parse holds its thread
with nothing to stop it. Second, it competes for the worker's interpreter lock: the parse
lets go of the lock many times (lxml does at each call), and each time it has to wait for
the lock again behind the worker's 25 other threads. In the throughput bench, extracting
one page took ~1.3 ms of CPU but ~40 ms of wall time.

Here a small pool of child processes (pebble's ProcessPool, FETCH_EXTRACT_PROCESSES per
worker) does the parsing. A page still being read after FETCH_EXTRACT_TIMEOUT seconds has
its child process killed, and a new one replaces it. A child that dies (a crash in a
C library) is replaced too. Either way the caller gets ExtractionFailed, not a stuck thread.
With FETCH_EXTRACT_PROCESSES = 0, pages are read in the calling thread, as before.

The children are started by a fork server, not forked from the multi-threaded worker. They
import only claims.fetching.extract (no Django), and read a warm-up page when they start.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from django.conf import settings
from pebble import ProcessExpired, ProcessPool

from claims.fetching.extract import Extracted, extract, warm_up

T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPool | None = None


class ExtractionFailed(Exception):
    """The page could not be read: it ran past the time limit, or its process died."""


def extract_isolated(body: bytes, content_type: str, url: str) -> Extracted:
    """`extract`, in a child process when FETCH_EXTRACT_PROCESSES > 0. Raises
    ExtractionFailed if that process ran past FETCH_EXTRACT_TIMEOUT or died."""
    if settings.FETCH_EXTRACT_PROCESSES <= 0:
        return extract(body, content_type, url)
    return run_isolated(extract, body, content_type, url, timeout=settings.FETCH_EXTRACT_TIMEOUT)


def run_isolated(function: Callable[..., T], *args: Any, timeout: float) -> T:
    """Run a module-level function in the pool; its arguments and result are pickled."""
    future = pool().schedule(function, args=args, timeout=timeout)
    try:
        return future.result()
    except FutureTimeout:
        raise ExtractionFailed(
            f"Reading the page took longer than {timeout:g} s and was stopped."
        ) from None
    except ProcessExpired as exc:
        raise ExtractionFailed(f"The process reading the page stopped ({exc.exitcode}).") from None


def pool() -> ProcessPool:
    """The process's pool, started on first use (a worker starts it when it starts)."""
    global _pool
    current = _pool
    if current is not None and current.active:
        return current
    with _lock:
        if _pool is None or not _pool.active:
            _pool = ProcessPool(
                max_workers=max(1, settings.FETCH_EXTRACT_PROCESSES),
                initializer=warm_up,
                context=multiprocessing.get_context("forkserver"),
            )
        return _pool


def start() -> None:
    """Start the pool's processes now and wait until each has read its warm-up page, so
    that the first fetches do not wait for them (a second or two of imports). Without
    processes, the calling process reads the warm-up page itself."""
    if settings.FETCH_EXTRACT_PROCESSES <= 0:
        warm_up()
        return
    running = pool()
    futures = [running.schedule(warm_up) for _ in range(settings.FETCH_EXTRACT_PROCESSES)]
    for future in futures:
        future.result()


@atexit.register
def stop() -> None:
    """Stop the pool's processes (at exit, and when a worker shuts down)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.stop()  # type: ignore[no-untyped-call]
            _pool.join(timeout=5)
            _pool = None

"""Loaded into the throughput bench's workers (``celery worker --include``); never in
production.

1. Notes when each task starts and how long it runs, and writes the notes to
   $BENCH_PROBE_DIR/<pid>.json when the worker stops, so the bench can tell the time a
   fetch takes from the time a worker thread sits between fetches.
2. With $BENCH_STAGE set (``--stage``), the fetch task runs only the first steps of a
   fetch, so the bench can show what each step adds to the wall time. The messages, the
   queue, the worker and the task are the real ones; only the work inside the task stops
   early, and the link is then marked fetched with one UPDATE:
     sleep   wait the site's delay without fetching (the floor: Celery, Redis, one UPDATE)
     fetch   claim the link, take a per-site slot, fetch through the fetch guard
     parse   and parse the page in the extraction processes
   The full fetch (``--stage full``, the default) replaces nothing.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
from typing import Any

from celery.signals import task_postrun, task_prerun, worker_init

STAGES = ("sleep", "fetch", "parse", "full")

_started: dict[str, float] = {}
_tasks: list[tuple[float, float, int]] = []  # (start, seconds, thread), wall clock


@task_prerun.connect
def _on_start(task_id: str = "", **kwargs: Any) -> None:
    _started[task_id] = time.time()


@task_postrun.connect
def _on_end(task_id: str = "", **kwargs: Any) -> None:
    start = _started.pop(task_id, None)
    if start is not None:
        _tasks.append((start, time.time() - start, threading.get_ident()))


@atexit.register
def _write() -> None:
    folder = os.environ.get("BENCH_PROBE_DIR")
    if folder and _tasks:
        with open(os.path.join(folder, f"{os.getpid()}.json"), "w") as handle:
            json.dump(_tasks, handle)


@worker_init.connect
def _install_stage(**kwargs: Any) -> None:
    stage = os.environ.get("BENCH_STAGE", "full")
    if stage not in STAGES:
        raise SystemExit(f"BENCH_STAGE must be one of {', '.join(STAGES)}")
    if stage == "full":
        return
    from django.utils import timezone

    from claims import fetch_services
    from claims.fetching.client import safe_fetch
    from claims.fetching.extract_pool import extract_isolated
    from claims.fetching.guard import policy_from_settings
    from claims.fetching.politeness import site_slots
    from claims.models import Evidence

    delay = float(os.environ["BENCH_DELAY"])
    fetched = Evidence.FetchState.FETCHED

    def evidence_fetch(*, evidence_id: int) -> fetch_services.FetchStep:
        now = timezone.now()
        if stage == "sleep":
            time.sleep(delay)
        else:
            evidence = fetch_services._claim(evidence_id, now)
            if evidence is None:
                return fetch_services._not_claimed(evidence_id, now)
            site = fetch_services._site_of(evidence.url)
            slots = site_slots()
            token = slots.acquire(site)
            if token is None:
                raise RuntimeError("the bench's site was busy: raise FETCH_PER_SITE_CONCURRENCY")
            try:
                result = safe_fetch(evidence.url, policy=policy_from_settings())
            finally:
                slots.release(site, token)
            if stage == "parse" and result.ok:
                extract_isolated(result.body, result.content_type, result.final_url)
        Evidence.objects.filter(pk=evidence_id).update(
            fetch_state=fetched, fetch_lease_until=None, fetched_at=timezone.now()
        )
        return fetch_services.FetchStep(fetched)

    # The task calls fetch_services.evidence_fetch by attribute, so it runs this one.
    fetch_services.evidence_fetch = evidence_fetch

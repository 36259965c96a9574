"""Loaded into the throughput bench's workers (``celery worker --include``); never in
production. Notes when each task starts and how long it runs, and writes the notes to
$BENCH_PROBE_DIR/<pid>.json when the worker stops, so the bench can tell the time a fetch
takes from the time a worker thread sits between fetches."""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
from typing import Any

from celery.signals import task_postrun, task_prerun

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

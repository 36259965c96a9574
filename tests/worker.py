"""Real Celery worker processes for tests that are about the worker: what it consumes from
the broker, what survives when it is killed.

A worker is ``celery -A verify worker --pool threads`` in a process group of its own,
logging to a file, with the environment pointing at the test database (the SQLite test
file, or the PostgreSQL test database) and at the broker the test process publishes to
(REDIS_URL, or the filesystem broker folders). Tests that use it need ``transactional_db``
(the worker must see committed rows) and the ``worker`` mark; ``celery_live`` turns off
eager mode in the test process while they run. Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from verify.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0
QUEUES = ("celery", "archive")


def database_url() -> str:
    """DATABASE_URL of the database this test process uses (the test database)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{db['NAME']}"


def worker_env(extra: Mapping[str, str] = ()) -> dict[str, str]:  # type: ignore[assignment]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "verify.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "VERIFY_VAR_DIR": str(settings.VAR_DIR),
        "CELERY_BROKER_DIR": str(settings.CELERY_BROKER_DIR),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "FETCH_ALLOW_LOCAL_TARGETS": ",".join(settings.FETCH_ALLOW_LOCAL_TARGETS),
        "PYTHONUNBUFFERED": "1",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.output()[-4000:]}")
            time.sleep(0.1)
        self.kill()
        raise TimeoutError(
            f"worker {self.name} not ready in {timeout:g} s:\n{self.output()[-4000:]}"
        )

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no acknowledgements, no cleanup."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class WorkerFactory:
    """Starts workers for one test and stops whatever is left at its end."""

    folder: Path
    workers: list[Worker] = field(default_factory=list)

    def __call__(
        self,
        name: str = "w1",
        *,
        env: Mapping[str, str] | None = None,
        beat: bool = False,
        concurrency: int = 4,
    ) -> Worker:
        command = [
            sys.executable, "-m", "celery", "-A", "verify", "worker",
            "--pool", "threads", "--concurrency", str(concurrency),
            "--without-mingle", "--without-gossip", "--without-heartbeat",
            "--queues", ",".join(QUEUES), "--hostname", f"{name}@%h", "--loglevel", "INFO",
        ]  # fmt: skip
        if beat:
            command += ["--beat", "--schedule", str(self.folder / f"{name}-beat-schedule")]
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=worker_env(env or {}),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
            )
        worker = Worker(name=name, process=process, log=log)
        self.workers.append(worker)
        worker.wait_ready()
        return worker

    def stop_all(self) -> None:
        """Kill what is left: the test is over, nothing needs a clean shutdown."""
        for worker in self.workers:
            worker.kill()


def purge_queues() -> None:
    """Drop messages an earlier run left in the broker (they name rows that are gone)."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in QUEUES:
            try:
                channel.queue_purge(queue)
            except Exception:  # noqa: S112 - a queue that was never declared holds nothing
                continue


def live_celery() -> Iterator[None]:
    """The test process publishes to the broker instead of running tasks itself."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        purge_queues()
        yield
    finally:
        celery_app.conf.task_always_eager = before


def wait_for(
    check: Callable[[], Any], *, timeout: float = 60.0, interval: float = 0.1, what: str = ""
) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what or check}")
        time.sleep(interval)

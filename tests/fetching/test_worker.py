"""A real worker process consumes fetches from the broker (Redis, or the filesystem broker
without REDIS_URL) and fetches from the local site; killed with SIGKILL in the middle of a
fetch, the evidence still reaches a terminal state once a new worker runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from claims import services
from claims.models import Event, Evidence
from claims.tasks import evidence_fetch_task
from tests.builders import ClaimBuilder
from tests.fetching.conftest import ARTICLE_HTML, Page, PipelineSite
from tests.worker import WorkerFactory, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TEXT = {"Content-Type": "text/plain; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _state(evidence: Evidence) -> str:
    evidence.refresh_from_db()
    return evidence.fetch_state


def _finished(evidence: Evidence) -> bool:
    return _state(evidence) in ("fetched", "failed", "blocked")


def _add(build: ClaimBuilder, url: str) -> Evidence:
    # Autocommit: the fetch is published to the broker as soon as the row is saved.
    return services.evidence_add(claim=build.draft(), by=build.editor, kind="link", url=url)


def test_a_worker_fetches_from_the_broker_and_ignores_a_duplicate(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    start_worker: WorkerFactory,
) -> None:
    start_worker("w1")
    evidence = _add(build, pipeline_site.copy("/article", "/live-article"))
    wait_for(lambda: _finished(evidence), timeout=60, what="the fetch")

    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.page_title.startswith("Senior IRGC figure")
    assert evidence.latest_snapshot is not None
    assert evidence.latest_snapshot.body_blob is not None
    assert evidence.latest_snapshot.body_blob.read() == ARTICLE_HTML.encode()

    evidence_fetch_task.delay(evidence.pk)  # the same message delivered again
    marker = _add(build, pipeline_site.copy("/plain-page", "/live-marker"))
    wait_for(lambda: _finished(marker), timeout=60, what="the marker fetch")
    assert evidence.snapshots.count() == 1
    assert pipeline_site.hits("/live-article") == 1


def test_a_worker_honours_retry_after(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    start_worker: WorkerFactory,
) -> None:
    url = pipeline_site.script(
        "/live-429",
        Page(status=429, headers={**TEXT, "Retry-After": "2"}, body=b"slow down"),
        Page(headers=HTML, body=ARTICLE_HTML.encode()),
    )
    start_worker("w1", env={"FETCH_RETRY_BASE_SECONDS": "1"})  # the site's 2 s rule the delay
    evidence = _add(build, url)
    wait_for(lambda: _finished(evidence), timeout=60, what="the retried fetch")

    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    first, second = evidence.snapshots.order_by("fetched_at", "id")
    assert (first.http_status, second.http_status) == (429, 200)
    assert (second.fetched_at - first.fetched_at).total_seconds() >= 2


def test_sigkill_in_the_middle_of_a_fetch_loses_nothing(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    start_worker: WorkerFactory,
) -> None:
    """The first worker takes the fetch of a slow page and is killed while it waits for
    the page. With Redis the unacknowledged message goes back to the queue after the
    (shortened) visibility timeout; the filesystem broker has no such thing, so there the
    sweeper (beat, run inside the second worker) re-queues the link once its lease is
    over. Either way a new worker finishes it, once."""
    redis = bool(settings.REDIS_URL)
    short = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    first = start_worker("doomed", env={**short, "FETCH_LEASE_SECONDS": "2"})
    evidence = _add(build, pipeline_site.copy("/sleepy", "/live-sleepy"))
    wait_for(
        lambda: _state(evidence) == "fetching" and pipeline_site.hits("/live-sleepy") == 1,
        timeout=30,
        interval=0.02,
        what="the page to be requested",
    )  # the page answers 3 s after the request: the worker is waiting for it now
    first.kill()
    assert _state(evidence) == Evidence.FetchState.FETCHING

    second_env = {**short}
    if not redis:
        second_env.update(FETCH_SWEEP_INTERVAL_SECONDS="1", FETCH_SWEEP_PENDING_AFTER_SECONDS="1")
    second = start_worker("rescuer", env=second_env, beat=not redis)
    wait_for(lambda: _finished(evidence), timeout=60, interval=0.2, what="the rescued fetch")

    assert evidence.fetch_state == Evidence.FetchState.FETCHED, second.output()[-3000:]
    assert evidence.fetch_deliveries == 0
    assert evidence.snapshots.count() == 1  # the killed attempt left no snapshot
    assert Event.objects.filter(claim=evidence.claim, action="evidence.fetched").count() == 1
    requeued = Event.objects.filter(claim=evidence.claim, action="evidence.fetch_requeued")
    # Redis redelivered the message itself; the filesystem broker needed the sweeper.
    assert requeued.exists() is not redis
    assert pipeline_site.hits("/live-sleepy") == 2

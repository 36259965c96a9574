"""The sweeper: the database is the source of truth. A link whose message was lost (a Redis
restart, a broker outage when it was added) or whose worker died is sent again, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from claims.models import Event, Evidence
from claims.tasks import evidence_sweep_task
from tests.builders import ClaimBuilder
from tests.fetching.conftest import PipelineSite

pytestmark = pytest.mark.django_db


def _link(build: ClaimBuilder, url: str, **fields: Any) -> Evidence:
    """A link in the given fetch state, with no message on its way."""
    return Evidence.objects.create(
        claim=build.draft(),
        kind=Evidence.Kind.LINK,
        url=url,
        added_by=build.editor,
        fetch_requested_at=timezone.now(),
        **{"fetch_state": Evidence.FetchState.PENDING, **fields},
    )


def _sweep(capture: Any) -> int:
    with capture(execute=True):
        swept = evidence_sweep_task.delay().get()
    return int(swept)


def test_the_beat_schedule_runs_the_sweeper() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["evidence-sweep"]
    assert entry["task"] == "claims.tasks.evidence_sweep_task"
    assert entry["schedule"] == settings.FETCH_SWEEP_INTERVAL_SECONDS


def test_pending_links_past_the_deadline_are_sent_again(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    deadline = timedelta(seconds=fetch_settings.FETCH_SWEEP_PENDING_AFTER_SECONDS)
    lost = _link(build, pipeline_site.url("/article"), fetch_next_at=now - deadline * 2)
    legacy = _link(build, pipeline_site.url("/plain-page"), fetch_next_at=None)
    queued = _link(build, pipeline_site.url("/pixel.png"), fetch_next_at=now - deadline / 2)
    later = _link(build, pipeline_site.url("/report.pdf"), fetch_next_at=now + deadline)

    assert _sweep(django_capture_on_commit_callbacks) == 2

    for evidence in (lost, legacy, queued, later):
        evidence.refresh_from_db()
    assert lost.fetch_state == legacy.fetch_state == Evidence.FetchState.FETCHED
    # Not overdue yet: its message is probably still in the queue.
    assert queued.fetch_state == later.fetch_state == Evidence.FetchState.PENDING
    assert Event.objects.filter(action="evidence.fetch_requeued").count() == 2
    assert _sweep(django_capture_on_commit_callbacks) == 0


def test_links_left_fetching_past_their_lease_are_sent_again(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    dead = _link(
        build,
        pipeline_site.url("/article"),
        fetch_state=Evidence.FetchState.FETCHING,
        fetch_deliveries=1,
        fetch_lease_until=now - timedelta(seconds=1),
    )
    alive = _link(
        build,
        pipeline_site.url("/plain-page"),
        fetch_state=Evidence.FetchState.FETCHING,
        fetch_deliveries=1,
        fetch_lease_until=now + timedelta(minutes=2),
    )

    assert _sweep(django_capture_on_commit_callbacks) == 1

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.fetch_state == Evidence.FetchState.FETCHED
    assert dead.fetch_deliveries == 0
    assert alive.fetch_state == Evidence.FetchState.FETCHING
    event = Event.objects.get(action="evidence.fetch_requeued")
    assert event.details == {"evidence": dead.pk, "previous_state": "fetching", "deliveries": 1}


def test_the_sweep_keeps_the_crash_count(
    build: ClaimBuilder, fetch_settings: Any, pipeline_site: PipelineSite
) -> None:
    """A re-queued crashed fetch still counts its crashes (no capture: the message is not
    delivered, as when nobody consumes it)."""
    evidence = _link(
        build,
        pipeline_site.url("/article"),
        fetch_state=Evidence.FetchState.FETCHING,
        fetch_deliveries=3,
        fetch_attempts=1,
        fetch_lease_until=timezone.now() - timedelta(seconds=1),
    )
    assert evidence_sweep_task.delay().get() == 1
    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.PENDING
    assert (evidence.fetch_deliveries, evidence.fetch_attempts) == (3, 1)
    assert evidence.fetch_lease_until is None
    assert evidence_sweep_task.delay().get() == 0  # due now, not overdue: not sent twice


def test_finished_links_are_left_alone(build: ClaimBuilder, fetch_settings: Any) -> None:
    old = timezone.now() - timedelta(days=30)
    for state in (
        Evidence.FetchState.FETCHED,
        Evidence.FetchState.FAILED,
        Evidence.FetchState.BLOCKED,
    ):
        _link(build, "https://example.org/a", fetch_state=state, fetch_next_at=old)
    build.evidence(build.draft())  # a note
    assert evidence_sweep_task.delay().get() == 0

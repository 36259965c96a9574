"""evidence_fetch_task delivered twice, at once, after a crash, or once too often: the work
is done once, a crashed fetch is taken over after its lease, and a fetch that keeps
crashing its worker ends failed instead of looping."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from claims import fetch_services
from claims.models import Event, Evidence, Snapshot
from claims.tasks import evidence_fetch_task
from tests.builders import ClaimBuilder
from tests.fetching.conftest import PipelineSite


def _pending_link(build: ClaimBuilder, url: str) -> Evidence:
    """A pending link whose fetch message was never sent, so the test delivers it."""
    return Evidence.objects.create(
        claim=build.draft(),
        kind=Evidence.Kind.LINK,
        url=url,
        fetch_state=Evidence.FetchState.PENDING,
        fetch_requested_at=timezone.now(),
        added_by=build.editor,
    )


def _fetch_events(evidence: Evidence) -> int:
    return Event.objects.filter(
        claim=evidence.claim, action__in=("evidence.fetched", "evidence.fetch_failed")
    ).count()


@pytest.mark.django_db
def test_a_task_delivered_twice_fetches_once(
    build: ClaimBuilder, fetch_settings: Any, pipeline_site: PipelineSite
) -> None:
    evidence = _pending_link(build, pipeline_site.copy("/article", "/once"))

    assert evidence_fetch_task.delay(evidence.pk).get() == Evidence.FetchState.FETCHED
    assert evidence_fetch_task.delay(evidence.pk).get() == Evidence.FetchState.FETCHED

    assert evidence.snapshots.count() == 1
    assert _fetch_events(evidence) == 1
    assert pipeline_site.hits("/once") == 1


@pytest.mark.django_db
def test_a_task_for_a_missing_or_non_link_row_does_nothing(build: ClaimBuilder) -> None:
    note = build.evidence(build.draft())
    assert evidence_fetch_task.delay(note.pk).get() == ""
    assert evidence_fetch_task.delay(10**9).get() == ""
    assert not Snapshot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_time_fetch_once(
    build: ClaimBuilder, fetch_settings: Any, pipeline_site: PipelineSite
) -> None:
    evidence = _pending_link(build, pipeline_site.copy("/slowish", "/slowish-once"))
    steps: list[fetch_services.FetchStep] = []

    def deliver() -> None:
        try:
            steps.append(fetch_services.evidence_fetch(evidence_id=evidence.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    winner, loser = sorted(steps, key=lambda step: step.state != "fetched")
    assert winner.state == "fetched"
    # The loser lost the compare-and-set, or found the winner's lease: either way it left.
    assert loser.note in ("another worker claimed it first", "another worker holds the lease")
    assert loser.retry_in is None
    assert evidence.snapshots.count() == 1
    assert _fetch_events(evidence) == 1
    assert pipeline_site.hits("/slowish-once") == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_that_lost_its_lease_discards_its_result(
    build: ClaimBuilder, fetch_settings: Any, pipeline_site: PipelineSite
) -> None:
    """With a lease shorter than the fetch, a second delivery takes the link over; the
    first run's late result must not overwrite the row or add a snapshot."""
    fetch_settings.FETCH_LEASE_SECONDS = 0
    evidence = _pending_link(build, pipeline_site.copy("/slowish", "/slowish-lease"))
    notes: list[str] = []

    def deliver() -> None:
        try:
            notes.append(fetch_services.evidence_fetch(evidence_id=evidence.pk).note)
        finally:
            connection.close()

    first = threading.Thread(target=deliver)
    first.start()
    for _ in range(100):  # until the first run holds the row
        evidence.refresh_from_db()
        if evidence.fetch_state == Evidence.FetchState.FETCHING:
            break
        threading.Event().wait(0.02)
    second = threading.Thread(target=deliver)
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert "lost the lease; result discarded" in notes
    assert evidence.snapshots.count() == 1
    assert _fetch_events(evidence) == 1


@pytest.mark.django_db
def test_a_crashed_fetch_is_taken_over_after_its_lease(
    build: ClaimBuilder, fetch_settings: Any, pipeline_site: PipelineSite
) -> None:
    evidence = _pending_link(build, pipeline_site.url("/article"))
    # A worker claimed it and died: fetching, one unfinished delivery, the lease runs out.
    Evidence.objects.filter(pk=evidence.pk).update(
        fetch_state=Evidence.FetchState.FETCHING,
        fetch_deliveries=1,
        fetch_lease_until=timezone.now() + timedelta(minutes=1),
    )
    assert evidence_fetch_task.delay(evidence.pk).get() == Evidence.FetchState.FETCHING
    assert not evidence.snapshots.exists()  # the lease still runs: left alone

    Evidence.objects.filter(pk=evidence.pk).update(
        fetch_lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert evidence_fetch_task.delay(evidence.pk).get() == Evidence.FetchState.FETCHED
    evidence.refresh_from_db()
    assert evidence.fetch_deliveries == 0  # finished: the crash count starts over
    assert evidence.snapshots.count() == 1


@pytest.mark.django_db
def test_a_fetch_that_keeps_crashing_its_worker_ends_failed(
    build: ClaimBuilder, fetch_settings: Any, pipeline_site: PipelineSite
) -> None:
    fetch_settings.FETCH_MAX_DELIVERIES = 5
    evidence = _pending_link(build, pipeline_site.copy("/article", "/poison"))
    Evidence.objects.filter(pk=evidence.pk).update(
        fetch_state=Evidence.FetchState.FETCHING,
        fetch_deliveries=5,
        fetch_lease_until=timezone.now() - timedelta(seconds=1),
    )

    assert evidence_fetch_task.delay(evidence.pk).get() == Evidence.FetchState.FAILED

    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.FAILED
    assert "crashed or lost its worker 5 times" in evidence.fetch_error
    assert pipeline_site.hits("/poison") == 0  # not tried a sixth time
    event = Event.objects.get(claim=evidence.claim, action="evidence.fetch_failed")
    assert event.details["outcome"] == "crashed"
    # Sent again, it stays failed.
    assert evidence_fetch_task.delay(evidence.pk).get() == Evidence.FetchState.FAILED
    assert Event.objects.filter(action="evidence.fetch_failed").count() == 1

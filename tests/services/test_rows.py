"""claims.rows: the plain-SQL statements of the fetch path write and read the rows the ORM
would, on both backends: values, NULLs, JSON, foreign keys and datetimes (which SQLite
stores as text, so a wrongly formatted one would compare wrongly in the ORM's filters)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Blob, Event, Evidence, Snapshot, blob_path
from claims.rows import Rows
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db

EVIDENCE = Rows(Evidence)
SNAPSHOTS = Rows(Snapshot)
BLOBS = Rows(Blob)
EVENTS = Rows(Event)
MOMENT = datetime(2024, 4, 2, 6, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def link(build: ClaimBuilder, django_capture_on_commit_callbacks: Any) -> Evidence:
    with django_capture_on_commit_callbacks(execute=False):  # no fetch
        return services.evidence_add(
            claim=build.draft(),
            by=build.editor,
            kind="link",
            url="https://www.example.com/news/ghaffari-damascus",
        )


def test_get_reads_the_fields_asked_for_as_the_orm_does(link: Evidence) -> None:
    EVIDENCE.update(link.pk, {"fetch_lease_until": MOMENT, "fetch_deliveries": 2})
    with CaptureQueriesContext(connection) as queries:
        row = EVIDENCE.get(link.pk, ("url", "claim", "fetch_lease_until", "fetch_deliveries"))
    assert row is not None
    assert len(queries) == 1
    assert (row.pk, row.url, row.claim_id) == (link.pk, link.url, link.claim_id)
    assert row.fetch_lease_until == MOMENT  # an aware datetime on both backends
    assert row.fetch_deliveries == 2
    assert not row._state.adding
    with CaptureQueriesContext(connection) as queries:
        assert row.fetch_state == Evidence.FetchState.PENDING  # not read: loads on access
    assert len(queries) == 1


def test_get_is_none_for_a_missing_row_or_a_condition_that_does_not_hold(
    link: Evidence,
) -> None:
    assert EVIDENCE.get(link.pk + 1000, ("url",)) is None
    assert EVIDENCE.get(link.pk, ("url",), kind=Evidence.Kind.NOTE) is None
    found = EVIDENCE.get(link.pk, ("url",), kind=Evidence.Kind.LINK)
    assert found is not None
    assert found.url == link.url


def test_update_sets_values_and_compares_nulls(link: Evidence) -> None:
    assert link.fetch_lease_until is None
    # A None condition matches NULL only.
    assert EVIDENCE.update(link.pk, {"fetch_state": "fetching"}, fetch_lease_until=MOMENT) == 0
    changed = EVIDENCE.update(
        link.pk,
        {"fetch_state": "fetching", "fetch_lease_until": MOMENT, "fetch_deliveries": 1},
        fetch_state="pending",
        fetch_lease_until=None,
    )
    assert changed == 1
    # The datetime is stored as the ORM stores it: the ORM's own filters find it.
    assert Evidence.objects.filter(pk=link.pk, fetch_lease_until=MOMENT).exists()
    assert Evidence.objects.filter(
        pk=link.pk, fetch_lease_until__lt=MOMENT + timedelta(microseconds=1)
    ).exists()
    assert not Evidence.objects.filter(pk=link.pk, fetch_lease_until__lt=MOMENT).exists()
    # A condition that no longer holds changes nothing.
    assert EVIDENCE.update(link.pk, {"fetch_state": "failed"}, fetch_state="pending") == 0
    link.refresh_from_db()
    assert (link.fetch_state, link.fetch_deliveries) == ("fetching", 1)


def test_insert_writes_the_row_the_orm_reads_back(link: Evidence) -> None:
    snapshot = Snapshot(
        evidence=link,
        requested_url=link.url,
        final_url=link.url + "?amp=1",
        redirect_chain=[{"url": link.url, "status": 301, "ip": "93.184.215.14"}],
        http_status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        content_type="text/html; charset=utf-8",
        byte_count=1234,
        body_sha256="a" * 64,
        metadata={"title": "غفاری در دمشق", "authors": ["Rana Haddad"]},
        fetched_at=MOMENT,
        duration_ms=210,
        outcome="ok",
        extractor_version="2",
    )
    SNAPSHOTS.insert(snapshot)
    assert snapshot.pk is not None
    assert not snapshot._state.adding
    stored = Snapshot.objects.get(pk=snapshot.pk)
    assert stored.evidence_id == link.pk
    assert stored.redirect_chain == snapshot.redirect_chain
    assert stored.headers == snapshot.headers
    assert stored.metadata == snapshot.metadata
    assert stored.fetched_at == MOMENT
    assert (stored.body_blob_id, stored.text_sha256, stored.error) == (None, "", "")
    # A foreign key may be set to the new row by instance.
    assert EVIDENCE.update(link.pk, {"latest_snapshot": snapshot}) == 1
    link.refresh_from_db()
    assert link.latest_snapshot_id == snapshot.pk


def test_insert_of_an_event_keeps_an_empty_actor(link: Evidence) -> None:
    event = EVENTS.insert(
        Event(claim_id=link.claim_id, actor=None, action="evidence.fetched", details={"a": 1})
    )
    stored = Event.objects.get(pk=event.pk)
    assert (stored.claim_id, stored.actor_id, stored.details) == (link.claim_id, None, {"a": 1})


def test_insert_new_keeps_the_row_already_there(db: None) -> None:
    first = Blob(sha256="b" * 64, size=3, content_type="text/html", file=blob_path("b" * 64))
    BLOBS.insert_new([first])
    again = Blob(sha256="b" * 64, size=3, content_type="text/plain", file=blob_path("b" * 64))
    other = Blob(sha256="c" * 64, size=5, content_type="text/plain", file=blob_path("c" * 64))
    BLOBS.insert_new([again, other, other])  # one taken key, one new one twice
    assert Blob.objects.get(pk="b" * 64).content_type == "text/html"
    assert Blob.objects.get(pk="c" * 64).size == 5
    assert Blob.objects.count() == 2
    BLOBS.insert_new([])  # nothing to do, no statement


def test_a_name_that_is_not_a_column_is_refused(link: Evidence) -> None:
    with pytest.raises(ValueError, match="not a column"):
        EVIDENCE.get(link.pk, ("snapshots",))


def test_update_returning_reads_the_changed_row(link: Evidence) -> None:
    Evidence.objects.filter(pk=link.pk).update(is_public=True)
    updated = EVIDENCE.update_returning(
        link.pk,
        {"fetch_state": "fetched", "fetched_at": MOMENT},
        ("is_public", "fetched_at", "fetch_state"),
        fetch_state="pending",
    )
    assert updated is not None
    assert (updated.pk, updated.is_public, updated.fetched_at) == (link.pk, True, MOMENT)
    assert updated.fetch_state == "fetched"  # as it is after the change
    # No row changed: nothing to read.
    again = EVIDENCE.update_returning(
        link.pk, {"fetch_state": "failed"}, ("is_public",), fetch_state="pending"
    )
    assert again is None
    link.refresh_from_db()
    assert link.fetch_state == "fetched"

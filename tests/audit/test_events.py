"""The event log is append-only: no interface can change or delete a row."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from claims.models import AppendOnlyError, Event
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db


def test_every_change_writes_an_event(build: ClaimBuilder) -> None:
    claim = build.published()
    actions = list(claim.events.order_by("id").values_list("action", flat=True))
    assert actions == [
        "claim.created",
        "claim.submitted",
        "assignment.created",
        "evidence.added",
        "claim.verdict_proposed",
        "claim.published",
    ]


def test_model_and_queryset_refuse_changes(build: ClaimBuilder) -> None:
    event = build.draft().events.get()
    event.action = "claim.tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(action="claim.tampered")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    event.refresh_from_db()
    assert event.action == "claim.created"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_raw_updates_and_deletes(build: ClaimBuilder) -> None:
    event = build.draft().events.get()
    for sql in (
        "UPDATE claims_event SET action = 'claim.tampered' WHERE id = %s",
        "DELETE FROM claims_event WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.action == "claim.created"

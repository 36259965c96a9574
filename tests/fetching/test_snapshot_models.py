"""Snapshots and blobs are immutable (the models refuse, and so does PostgreSQL), blobs are
content-addressed, and the snapshot outcomes are the fetch client's."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction

from claims.fetching.guard import Outcome
from claims.models import Blob, Evidence, ImmutableError, Snapshot
from tests.builders import ClaimBuilder


@pytest.fixture
def snapshot(build: ClaimBuilder, fetch_settings: Any) -> Snapshot:
    evidence = Evidence.objects.create(
        claim=build.draft(),
        kind="link",
        url="https://news.example/a",
        fetch_state=Evidence.FetchState.FETCHED,
        added_by=build.editor,
    )
    body = b"<html>frozen</html>"
    return Snapshot.objects.create(
        evidence=evidence,
        requested_url=evidence.url,
        final_url=evidence.url,
        outcome="ok",
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_blob=Blob.store(body, "text/html"),
    )


def test_outcomes_match_the_fetch_client() -> None:
    assert set(Snapshot.Outcome.values) == {outcome.value for outcome in Outcome}


@pytest.mark.django_db
def test_snapshots_never_change(snapshot: Snapshot) -> None:
    snapshot.final_url = "https://elsewhere.example/"
    with pytest.raises(ImmutableError):
        snapshot.save()
    with pytest.raises(ImmutableError):
        snapshot.delete()
    with pytest.raises(ImmutableError):
        Snapshot.objects.filter(pk=snapshot.pk).update(final_url="https://elsewhere.example/")
    with pytest.raises(ImmutableError):
        Snapshot.objects.all().delete()
    with pytest.raises(ImmutableError):
        Blob.objects.all().update(size=0)
    snapshot.refresh_from_db()
    assert snapshot.final_url == "https://news.example/a"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_raw_changes(snapshot: Snapshot) -> None:
    for sql, pk in (
        ("UPDATE claims_snapshot SET final_url = 'x' WHERE id = %s", snapshot.pk),
        ("DELETE FROM claims_snapshot WHERE id = %s", snapshot.pk),
        ("UPDATE claims_blob SET size = 0 WHERE sha256 = %s", snapshot.body_sha256),
    ):
        with (
            pytest.raises(DatabaseError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [pk])


@pytest.mark.django_db
def test_blobs_are_stored_once_under_their_hash(fetch_settings: Any) -> None:
    data = b"%PDF-1.4 the same bytes"
    digest = hashlib.sha256(data).hexdigest()
    first = Blob.store(data, "application/pdf")
    second = Blob.store(data, "application/octet-stream")
    assert first.pk == second.pk == digest
    assert first.size == len(data)
    assert first.content_type == second.content_type == "application/pdf"
    assert first.file.name == f"blobs/{digest[:2]}/{digest[2:4]}/{digest}"
    assert default_storage.listdir(f"blobs/{digest[:2]}/{digest[2:4]}")[1] == [digest]
    assert second.read() == data
    assert Blob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_stores_of_new_bytes_end_with_one_file_and_row(fetch_settings: Any) -> None:
    data = b"breaking news " * 1000
    digest = hashlib.sha256(data).hexdigest()
    stored: list[str] = []
    start = threading.Barrier(4)

    def store() -> None:
        try:
            start.wait(timeout=5)
            stored.append(Blob.store(data, "text/plain").pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert stored == [digest] * 4
    assert Blob.objects.count() == 1
    assert default_storage.listdir(f"blobs/{digest[:2]}/{digest[2:4]}")[1] == [digest]


@pytest.mark.django_db
def test_a_stored_blob_is_whole_with_the_upload_permissions_and_nothing_else(
    fetch_settings: Any,
) -> None:
    fetch_settings.FILE_UPLOAD_PERMISSIONS = 0o640
    data = bytes(range(256)) * 4000  # more than one write may take
    blob = Blob.store(data, "application/octet-stream")
    folder = os.path.dirname(default_storage.path(blob.file.name))
    assert os.listdir(folder) == [blob.sha256]  # no partial file left behind
    assert stat.S_IMODE(os.stat(default_storage.path(blob.file.name)).st_mode) == 0o640
    assert blob.read() == data
    # Stored again: the file is there, nothing is written.
    before = os.stat(default_storage.path(blob.file.name)).st_mtime_ns
    assert Blob.store(data, "application/octet-stream").pk == blob.pk
    assert os.stat(default_storage.path(blob.file.name)).st_mtime_ns == before

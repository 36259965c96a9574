"""The back office for fetched evidence: the fetch state per item, snapshots read-only (the
body only as a download), monitoring flags on the claim, and the re-fetch and resolve
actions going through the services."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from claims.models import Blob, ClaimFlag, Event, Evidence, Snapshot, User
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db

EVIDENCE = reverse("admin:claims_evidence_changelist")
FLAGS = reverse("admin:claims_claimflag_changelist")
HOSTILE = "<script>alert('owned')</script>"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _client(user: User) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def _failed_link(build: ClaimBuilder, url: str = "https://news.example/gone") -> Evidence:
    return Evidence.objects.create(
        claim=build.published(),
        kind="link",
        url=url,
        fetch_state=Evidence.FetchState.FAILED,
        fetch_error="The page was not found (404).",
        added_by=build.editor,
    )


def _snapshot(evidence: Evidence, body: bytes, text: str) -> Snapshot:
    return Snapshot.objects.create(
        evidence=evidence,
        requested_url=evidence.url,
        final_url=evidence.url,
        http_status=200,
        content_type="text/html",
        byte_count=len(body),
        outcome="ok",
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_blob=Blob.store(body, "text/html"),
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        text_blob=Blob.store(text.encode(), "text/plain; charset=utf-8"),
    )


def test_refetch_action_goes_through_the_service(build: ClaimBuilder) -> None:
    links = [_failed_link(build), _failed_link(build, "https://news.example/other")]
    note = build.evidence(links[0].claim)
    data = {"action": "refetch", ACTION_CHECKBOX_NAME: [str(e.pk) for e in [*links, note]]}

    response = _client(build.editor).post(EVIDENCE, data, follow=True)

    assert response.status_code == 200
    assert "Re-fetch queued for 2 link(s)." in response.content.decode()
    assert "Only links are fetched." in response.content.decode()
    for link in links:
        link.refresh_from_db()
        assert link.fetch_state == Evidence.FetchState.PENDING
    assert (
        Event.objects.filter(action="evidence.refetch_requested", actor=build.editor).count() == 2
    )


def test_refetch_is_not_offered_without_permission(build: ClaimBuilder, approver: User) -> None:
    link = _failed_link(build)
    client = _client(approver)  # may view evidence, not change it
    page = client.get(EVIDENCE)
    assert page.status_code == 200
    assert 'value="refetch"' not in page.content.decode()
    client.post(EVIDENCE, {"action": "refetch", ACTION_CHECKBOX_NAME: [str(link.pk)]})
    link.refresh_from_db()
    assert link.fetch_state == Evidence.FetchState.FAILED


def test_evidence_page_shows_the_fetch_state_snapshots_and_flags(build: ClaimBuilder) -> None:
    link = _failed_link(build)
    good = _snapshot(link, b"<html>story</html>", "The story as the reviewer saw it.")
    ClaimFlag.objects.create(
        claim=link.claim, evidence=link, kind="source_gone", snapshot=good, details={"status": 404}
    )
    page = _client(build.editor).get(reverse("admin:claims_evidence_change", args=[link.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The page was not found (404)." in html
    assert good.body_sha256 in html
    assert "Source gone" in html

    claim_page = _client(build.editor).get(
        reverse("admin:claims_claim_change", args=[link.claim.pk])
    )
    assert "monitoring flags" in claim_page.content.decode().lower()
    assert "Source gone" in claim_page.content.decode()
    flagged = _client(build.editor).get(reverse("admin:claims_claim_changelist") + "?flags=open")
    assert str(link.claim)[:40] in flagged.content.decode()


def test_snapshot_page_escapes_the_text_and_serves_the_body_as_a_download(
    build: ClaimBuilder,
) -> None:
    link = _failed_link(build)
    body = f"<html><body>{HOSTILE}</body></html>".encode()
    snapshot = _snapshot(link, body, f"Text with {HOSTILE} in it.")
    client = _client(build.editor)

    page = client.get(reverse("admin:claims_snapshot_change", args=[snapshot.pk]))
    assert page.status_code == 200
    assert HOSTILE not in page.content.decode()
    assert "&lt;script&gt;" in page.content.decode()

    download = client.get(reverse("admin:claims_snapshot_body", args=[snapshot.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Security-Policy"] == "sandbox"
    assert b"".join(download.streaming_content) == body  # type: ignore[attr-defined]


def test_snapshots_cannot_be_changed_in_the_admin(build: ClaimBuilder, admin_user: User) -> None:
    snapshot = _snapshot(_failed_link(build), b"x", "x")
    client = _client(admin_user)
    url = reverse("admin:claims_snapshot_change", args=[snapshot.pk])
    client.post(url, {"final_url": "https://forged.example/"})
    snapshot.refresh_from_db()
    assert snapshot.final_url == "https://news.example/gone"
    assert (
        client.get(reverse("admin:claims_snapshot_delete", args=[snapshot.pk])).status_code == 403
    )


def test_flags_are_resolved_through_the_service(build: ClaimBuilder) -> None:
    link = _failed_link(build)
    flag = ClaimFlag.objects.create(
        claim=link.claim,
        evidence=link,
        kind="text_changed",
        snapshot=_snapshot(link, b"a", "a"),
    )
    data = {"action": "resolve", ACTION_CHECKBOX_NAME: [str(flag.pk)]}
    response = _client(build.editor).post(FLAGS, data, follow=True)
    assert "1 flag(s) resolved." in response.content.decode()
    flag.refresh_from_db()
    assert flag.resolved_by == build.editor
    assert Event.objects.filter(action="evidence.flag_resolved").count() == 1

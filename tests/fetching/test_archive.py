"""Web archiving through Save Page Now 2, against a local fake of the archive: off unless
configured, on its own rate-limited queue, the capture URL stored once it succeeds."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.conf import settings

from claims import services
from claims.fetching.archive import ArchiveError, SpnConfig, spn_status, spn_submit
from claims.models import Event, Evidence
from claims.tasks import evidence_archive_task
from tests.builders import ClaimBuilder
from tests.fetching.conftest import PipelineSite

KEY, SECRET = "test-access", "test-secret"


@dataclass
class FakeArchive:
    """Answers like web.archive.org/save: a job id, then `pending` polls, then success."""

    endpoint: str = ""
    pending_polls: int = 1
    busy_submits: int = 0  # answer 429 to this many submissions first
    outcome: str = "success"
    submitted: list[str] = field(default_factory=list)
    polls: int = 0
    authorizations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def config(self) -> SpnConfig:
        return SpnConfig(endpoint=self.endpoint, access_key=KEY, secret=SECRET, timeout=5)


class _ArchiveHandler(BaseHTTPRequestHandler):
    server: _ArchiveServer

    def _json(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 429:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        with fake.lock:
            fake.authorizations.append(self.headers.get("Authorization", ""))
            busy = fake.busy_submits > 0
            fake.busy_submits -= 1
        if self.path != "/save":
            self._json(404, {"status": "error", "message": "not found"})
        elif busy:
            self._json(429, {"status": "error", "status_ext": "error:too-many-requests"})
        else:
            with fake.lock:
                fake.submitted.append(form["url"][0])
            self._json(200, {"url": form["url"][0], "job_id": "spn2-0123abcd"})

    def do_GET(self) -> None:
        fake = self.server.fake
        if self.path != "/save/status/spn2-0123abcd":
            self._json(404, {"status": "error", "message": "no such job"})
            return
        with fake.lock:
            fake.polls += 1
            polls = fake.polls
        if polls <= fake.pending_polls:
            self._json(200, {"status": "pending", "job_id": "spn2-0123abcd"})
        elif fake.outcome == "success":
            self._json(
                200,
                {
                    "status": "success",
                    "timestamp": "20240402093000",
                    "original_url": fake.submitted[-1],
                },
            )
        else:
            self._json(
                200, {"status": "error", "status_ext": "error:blocked-url", "message": "Blocked."}
            )

    def log_message(self, format: str, *args: object) -> None:
        pass


class _ArchiveServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeArchive


@pytest.fixture
def archive() -> Iterator[FakeArchive]:
    """A fake Save Page Now on 127.0.0.1."""
    server = _ArchiveServer(("127.0.0.1", 0), _ArchiveHandler)
    server.fake = FakeArchive(endpoint=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def archive_on(fetch_settings: Any, archive: FakeArchive) -> FakeArchive:
    fetch_settings.ARCHIVE_SPN_ENDPOINT = archive.endpoint
    fetch_settings.ARCHIVE_SPN_ACCESS_KEY = KEY
    fetch_settings.ARCHIVE_SPN_SECRET = SECRET
    fetch_settings.ARCHIVE_POLL_SECONDS = 0
    return archive


def _add(build: ClaimBuilder, url: str, capture: Any) -> Evidence:
    with capture(execute=True):
        evidence = services.evidence_add(claim=build.draft(), by=build.editor, kind="link", url=url)
    evidence.refresh_from_db()
    return evidence


def test_archive_task_has_its_own_queue_and_rate_limit() -> None:
    assert settings.CELERY_TASK_ROUTES["claims.tasks.evidence_archive_task"] == {"queue": "archive"}
    assert evidence_archive_task.rate_limit == settings.ARCHIVE_RATE_LIMIT
    assert evidence_archive_task.acks_late


@pytest.mark.django_db
def test_a_fetched_link_is_archived(
    build: ClaimBuilder,
    archive_on: FakeArchive,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = pipeline_site.url("/article")
    evidence = _add(build, url, django_capture_on_commit_callbacks)

    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.archive_url == f"{archive_on.endpoint}/web/20240402093000/{url}"
    assert archive_on.submitted == [url]
    assert archive_on.polls == 2  # pending once, then success
    assert archive_on.authorizations == [f"LOW {KEY}:{SECRET}"]
    event = Event.objects.get(action="evidence.archived")
    assert event.details["archive_url"] == evidence.archive_url
    # A second run of the task (a duplicate message) asks nothing more of the archive.
    evidence_archive_task.delay(evidence.pk)
    assert archive_on.submitted == [url]


@pytest.mark.django_db
def test_a_busy_archive_is_asked_again(
    build: ClaimBuilder,
    archive_on: FakeArchive,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    archive_on.busy_submits = 2
    evidence = _add(build, pipeline_site.url("/plain-page"), django_capture_on_commit_callbacks)
    assert evidence.archive_url.startswith(f"{archive_on.endpoint}/web/")
    assert len(archive_on.authorizations) == 3


@pytest.mark.django_db
def test_a_failed_capture_is_recorded_and_not_retried(
    build: ClaimBuilder,
    archive_on: FakeArchive,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    archive_on.outcome = "error"
    evidence = _add(build, pipeline_site.url("/article"), django_capture_on_commit_callbacks)
    assert evidence.fetch_state == Evidence.FetchState.FETCHED  # archiving is best effort
    assert evidence.archive_url == ""
    event = Event.objects.get(action="evidence.archive_failed")
    assert "blocked-url" in event.details["error"]
    assert archive_on.polls == 2


@pytest.mark.django_db
def test_a_capture_that_never_finishes_is_given_up(
    build: ClaimBuilder,
    settings: Any,
    archive_on: FakeArchive,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    archive_on.pending_polls = 1000
    settings.ARCHIVE_MAX_POLLS = 5  # the fetch_settings override, restored after the test
    evidence = _add(build, pipeline_site.url("/article"), django_capture_on_commit_callbacks)
    assert evidence.archive_url == ""
    assert archive_on.submitted == [evidence.url]
    assert archive_on.polls == 4  # one submission, four polls, then the task gives up
    assert "did not finish" in Event.objects.get(action="evidence.archive_failed").details["error"]


@pytest.mark.django_db
def test_archiving_is_off_unless_configured(
    build: ClaimBuilder,
    fetch_settings: Any,
    archive: FakeArchive,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fetch_settings.ARCHIVE_SPN_ENDPOINT = archive.endpoint  # but no keys
    evidence = _add(build, pipeline_site.url("/article"), django_capture_on_commit_callbacks)
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    evidence_archive_task.delay(evidence.pk)
    assert archive.authorizations == []
    assert evidence.archive_url == ""


@pytest.mark.django_db
def test_links_that_were_not_fetched_are_not_archived(
    build: ClaimBuilder,
    archive_on: FakeArchive,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    evidence = _add(build, pipeline_site.url("/to-metadata"), django_capture_on_commit_callbacks)
    assert evidence.fetch_state == Evidence.FetchState.BLOCKED
    assert archive_on.submitted == []


def test_client_refuses_bad_credentials_and_odd_answers(archive: FakeArchive) -> None:
    bad = SpnConfig(endpoint=archive.endpoint + "/nowhere", access_key=KEY, secret=SECRET)
    with pytest.raises(ArchiveError) as caught:
        spn_submit("https://example.org/", bad)
    assert not caught.value.transient
    with pytest.raises(ArchiveError):
        spn_status("../../etc/passwd", archive.config)
    unreachable = SpnConfig(endpoint="http://127.0.0.1:9", access_key=KEY, secret=SECRET)
    with pytest.raises(ArchiveError) as caught:
        spn_submit("https://example.org/", unreachable)
    assert caught.value.transient

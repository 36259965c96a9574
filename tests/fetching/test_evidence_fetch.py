"""evidence_fetch through the task, end to end against the local site: adding a link
enqueues its fetch after commit, and the evidence row, its snapshots, blobs and events end
up right for every kind of page. Celery is eager here, so retries run at once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.core.files.storage import default_storage

from claims import public_cache, services
from claims.fetch_services import retry_delay
from claims.fetching.extract import EXTRACTOR_VERSION
from claims.fetching.guard import Outcome
from claims.models import Blob, Claim, Event, Evidence, Snapshot
from claims.tasks import evidence_fetch_task
from tests.builders import ClaimBuilder
from tests.fetching.conftest import (
    ARABIC_TITLE,
    ARTICLE_HTML,
    ARTICLE_TITLE,
    PDF_TEXT,
    PDF_TITLE,
    Page,
    PipelineSite,
)

pytestmark = pytest.mark.django_db

AddLink = Callable[..., Evidence]
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def add_link(
    build: ClaimBuilder, fetch_settings: Any, django_capture_on_commit_callbacks: Any
) -> AddLink:
    """Add a link as an editor would and let the transaction commit (which runs the fetch)."""

    def add(url: str, claim: Claim | None = None) -> Evidence:
        with django_capture_on_commit_callbacks(execute=True):
            evidence = services.evidence_add(
                claim=claim or build.draft(), by=build.editor, kind="link", url=url
            )
        evidence.refresh_from_db()
        return evidence

    return add


def _snapshots(evidence: Evidence) -> list[Snapshot]:
    return list(evidence.snapshots.order_by("fetched_at", "id"))


def _actions(evidence: Evidence) -> list[str]:
    return list(
        Event.objects.filter(claim=evidence.claim, action__startswith="evidence.")
        .exclude(action="evidence.added")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_adding_a_link_fetches_only_after_commit(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    claim = build.draft()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence = services.evidence_add(
            claim=claim, by=build.editor, kind="link", url=pipeline_site.url("/article")
        )
        evidence.refresh_from_db()
        assert evidence.fetch_state == Evidence.FetchState.PENDING  # nothing fetched in the request
        assert not evidence.snapshots.exists()
    [send] = [c for c in callbacks if "evidence_fetch_enqueue" in c.__qualname__]
    send()
    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.FETCHED


def test_article_with_full_metadata(add_link: AddLink, pipeline_site: PipelineSite) -> None:
    url = pipeline_site.url("/article")
    evidence = add_link(url)

    body = ARTICLE_HTML.encode()
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.fetch_error == ""
    assert evidence.fetch_attempts == 1
    assert evidence.fetch_deliveries == 0
    assert evidence.fetched_at is not None
    assert evidence.page_title == ARTICLE_TITLE
    assert evidence.page_site_name == "Levant Monitor"
    assert evidence.page_language == "en-GB"
    assert evidence.page_published_at is not None
    assert evidence.page_published_at == datetime.fromisoformat("2024-04-02T09:30:00+03:00")
    assert "Several local news outlets reported" in evidence.page_excerpt

    [snapshot] = _snapshots(evidence)
    assert evidence.latest_snapshot == snapshot
    assert snapshot.outcome == Outcome.OK
    assert snapshot.requested_url == url
    assert snapshot.final_url == url
    assert snapshot.redirect_chain == [{"url": url, "status": 200, "ip": "127.0.0.1"}]
    assert snapshot.http_status == 200
    assert snapshot.headers["content-type"] == "text/html; charset=utf-8"
    assert snapshot.content_type == "text/html; charset=utf-8"
    assert snapshot.byte_count == len(body)
    assert snapshot.body_sha256 == hashlib.sha256(body).hexdigest()
    assert snapshot.extractor_version == EXTRACTOR_VERSION
    assert snapshot.duration_ms >= 0
    assert snapshot.metadata["title"] == ARTICLE_TITLE
    assert snapshot.metadata["authors"] == ["Rana Haddad", "Omid Karimi"]
    # The body and the text are stored content-addressed, and the hashes prove them.
    assert snapshot.body_blob is not None
    assert snapshot.body_blob.read() == body
    assert snapshot.body_blob.file.name == (
        f"blobs/{snapshot.body_sha256[:2]}/{snapshot.body_sha256[2:4]}/{snapshot.body_sha256}"
    )
    text = snapshot.text()
    assert "Javad Ghaffari" in text
    assert snapshot.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert _actions(evidence) == ["evidence.fetched"]
    event = Event.objects.get(action="evidence.fetched")
    assert event.details["snapshot"] == snapshot.pk
    assert event.actor is None


def test_page_without_metadata(add_link: AddLink, pipeline_site: PipelineSite) -> None:
    evidence = add_link(pipeline_site.url("/plain-page"))
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert (evidence.page_title, evidence.page_site_name, evidence.page_language) == ("", "", "")
    assert evidence.page_published_at is None
    assert "Just a paragraph" in evidence.page_excerpt


def test_redirect_chain_is_recorded_hop_by_hop(
    add_link: AddLink, pipeline_site: PipelineSite
) -> None:
    evidence = add_link(pipeline_site.url("/redirect/a"))
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    [snapshot] = _snapshots(evidence)
    assert [(hop["url"], hop["status"], hop["ip"]) for hop in snapshot.redirect_chain] == [
        (pipeline_site.url("/redirect/a"), 302, "127.0.0.1"),
        (pipeline_site.url("/redirect/b"), 302, "127.0.0.1"),
        (pipeline_site.url("/article"), 200, "127.0.0.1"),
    ]
    assert snapshot.final_url == pipeline_site.url("/article")
    assert evidence.page_title == ARTICLE_TITLE


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/to-metadata", "169.254.169.254"),  # redirect to the cloud metadata address
        ("/to-other-port", "127.0.0.1"),  # redirect to another port on loopback
    ],
)
def test_redirect_to_an_internal_address_is_blocked_and_never_retried(
    add_link: AddLink, pipeline_site: PipelineSite, path: str, words: str
) -> None:
    evidence = add_link(pipeline_site.url(path))

    assert evidence.fetch_state == Evidence.FetchState.BLOCKED
    assert words in evidence.fetch_error
    assert "internal addresses" in evidence.fetch_error  # a reason an editor can read
    assert evidence.fetch_attempts == 1
    [snapshot] = _snapshots(evidence)
    assert snapshot.outcome == Outcome.BLOCKED
    assert snapshot.body_blob is None
    assert [hop["status"] for hop in snapshot.redirect_chain] == [302]  # never reached the target
    assert _actions(evidence) == ["evidence.blocked"]
    # Running the task again (a duplicate message) changes nothing.
    evidence_fetch_task.delay(evidence.pk)
    assert evidence.snapshots.count() == 1


def test_internal_address_typed_directly_is_blocked(
    add_link: AddLink, counter_port: int, connections: Callable[[], int]
) -> None:
    before = connections()
    evidence = add_link(f"http://127.0.0.1:{counter_port}/admin")
    assert evidence.fetch_state == Evidence.FetchState.BLOCKED
    assert "loopback" in evidence.fetch_error
    assert connections() == before  # refused before any byte left


def test_slow_page_times_out_retries_then_fails(
    add_link: AddLink, pipeline_site: PipelineSite, fetch_settings: Any
) -> None:
    fetch_settings.FETCH_MAX_ATTEMPTS = 2
    evidence = add_link(pipeline_site.url("/slow"))

    assert evidence.fetch_state == Evidence.FetchState.FAILED
    assert "did not answer in time" in evidence.fetch_error
    assert "Gave up after 2 attempts" in evidence.fetch_error
    assert [s.outcome for s in _snapshots(evidence)] == [Outcome.TIMEOUT, Outcome.TIMEOUT]
    assert _actions(evidence) == ["evidence.fetch_retry", "evidence.fetch_failed"]
    assert evidence.fetch_lease_until is None
    assert evidence.fetch_next_at is None


@pytest.mark.parametrize("path", ["/huge", "/gzip-bomb"])
def test_size_cap_fails_without_retry(
    add_link: AddLink, pipeline_site: PipelineSite, path: str
) -> None:
    evidence = add_link(pipeline_site.url(path))
    assert evidence.fetch_state == Evidence.FetchState.FAILED
    assert "larger than" in evidence.fetch_error
    [snapshot] = _snapshots(evidence)
    assert snapshot.outcome == Outcome.TOO_LARGE
    assert snapshot.body_blob is None
    assert not Blob.objects.exists()


def test_429_with_retry_after_then_success(add_link: AddLink, pipeline_site: PipelineSite) -> None:
    url = pipeline_site.script(
        "/rate-limited",
        Page(status=429, headers={**TEXT, "Retry-After": "7"}, body=b"slow down"),
        Page(headers=HTML, body=ARTICLE_HTML.encode()),
    )
    evidence = add_link(url)

    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.fetch_attempts == 2
    assert evidence.fetch_error == ""
    first, second = _snapshots(evidence)
    assert (first.outcome, first.http_status) == (Outcome.HTTP_ERROR, 429)
    assert first.headers["retry-after"] == "7"
    assert (second.outcome, second.http_status) == (Outcome.OK, 200)
    assert evidence.latest_snapshot == second
    retry = Event.objects.get(action="evidence.fetch_retry")
    assert retry.details["retry_in"] >= 7  # Retry-After honoured
    assert retry.details["status"] == 429
    assert pipeline_site.hits("/rate-limited") == 2


def test_500_then_success_is_retried(add_link: AddLink, pipeline_site: PipelineSite) -> None:
    url = pipeline_site.script(
        "/flaky",
        Page(status=500, headers=TEXT, body=b"boom"),
        Page(headers=HTML, body=ARTICLE_HTML.encode()),
    )
    evidence = add_link(url)
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert [s.http_status for s in _snapshots(evidence)] == [500, 200]


def test_500_off_the_retry_list_fails_and_a_refetch_succeeds(
    add_link: AddLink,
    pipeline_site: PipelineSite,
    fetch_settings: Any,
    build: ClaimBuilder,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fetch_settings.FETCH_RETRY_STATUSES = [429, 502, 503, 504]  # the list, without 500
    url = pipeline_site.script(
        "/flaky-500",
        Page(status=500, headers=TEXT, body=b"boom"),
        Page(headers=HTML, body=ARTICLE_HTML.encode()),
    )
    evidence = add_link(url)
    assert evidence.fetch_state == Evidence.FetchState.FAILED
    assert evidence.fetch_error == "The site had a server error (500)."

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_refetch(evidence=evidence, by=build.editor)
    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.fetch_attempts == 1  # a new round
    assert [s.http_status for s in _snapshots(evidence)] == [500, 200]


def test_transient_errors_give_up_after_the_last_attempt(
    add_link: AddLink, pipeline_site: PipelineSite
) -> None:
    url = pipeline_site.script("/always-503", Page(status=503, headers=TEXT, body=b"later"))
    evidence = add_link(url)
    assert evidence.fetch_state == Evidence.FetchState.FAILED
    assert "Gave up after 3 attempts" in evidence.fetch_error
    assert evidence.snapshots.count() == 3
    assert pipeline_site.hits("/always-503") == 3


def test_retry_after_longer_than_allowed_fails_at_once(
    add_link: AddLink, pipeline_site: PipelineSite
) -> None:
    evidence = add_link(pipeline_site.url("/unavailable"))  # 503, Retry-After in 2099
    assert evidence.fetch_state == Evidence.FetchState.FAILED
    assert "asked the app to wait" in evidence.fetch_error
    assert evidence.snapshots.count() == 1


@pytest.mark.parametrize(
    ("path", "outcome", "message"),
    [
        ("/missing", Outcome.HTTP_ERROR, "The page was not found (404)."),
        ("/archive.zip", Outcome.WRONG_TYPE, "application/zip"),
        ("/loop/0", Outcome.TOO_MANY_REDIRECTS, "redirected more than"),
    ],
)
def test_permanent_failures_are_not_retried(
    add_link: AddLink, pipeline_site: PipelineSite, path: str, outcome: Outcome, message: str
) -> None:
    evidence = add_link(pipeline_site.url(path))
    assert evidence.fetch_state == Evidence.FetchState.FAILED
    assert message in evidence.fetch_error
    [snapshot] = _snapshots(evidence)
    assert snapshot.outcome == outcome
    assert _actions(evidence) == ["evidence.fetch_failed"]


def test_pdf(add_link: AddLink, pipeline_site: PipelineSite) -> None:
    evidence = add_link(pipeline_site.url("/report.pdf"))
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.page_title == PDF_TITLE
    [snapshot] = _snapshots(evidence)
    assert snapshot.content_type == "application/pdf"
    assert snapshot.body_blob is not None
    assert snapshot.body_blob.content_type == "application/pdf"
    assert PDF_TEXT in snapshot.text()


def test_image(add_link: AddLink, pipeline_site: PipelineSite) -> None:
    evidence = add_link(pipeline_site.url("/pixel.png"))
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.page_title == ""
    [snapshot] = _snapshots(evidence)
    assert snapshot.body_blob is not None
    assert snapshot.body_blob.read().startswith(b"\x89PNG")
    assert snapshot.text_blob is None
    assert snapshot.text() == ""


def test_windows_1256_arabic_page(add_link: AddLink, pipeline_site: PipelineSite) -> None:
    evidence = add_link(pipeline_site.url("/arabic-undeclared"))
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.page_title == ARABIC_TITLE
    assert evidence.page_language == "ar"
    assert "جواد غفاري" in evidence.latest_snapshot.text()  # type: ignore[union-attr]


def test_identical_bytes_are_stored_once(
    add_link: AddLink, pipeline_site: PipelineSite, build: ClaimBuilder
) -> None:
    claim = build.draft()
    first = add_link(pipeline_site.url("/article"), claim=claim)
    second = add_link(pipeline_site.url("/article?utm=copy"), claim=claim)
    a, b = first.latest_snapshot, second.latest_snapshot
    assert a is not None
    assert b is not None
    assert a != b
    assert a.body_blob_id == b.body_blob_id
    assert a.text_blob_id == b.text_blob_id
    assert Blob.objects.count() == 2  # one body, one text
    _, files = default_storage.listdir(f"blobs/{a.body_sha256[:2]}/{a.body_sha256[2:4]}")
    assert files == [a.body_sha256]


def test_retry_delay_backs_off_with_jitter_under_a_cap(settings: Any) -> None:
    settings.FETCH_RETRY_BASE_SECONDS = 10
    settings.FETCH_RETRY_MAX_SECONDS = 100
    for attempt, backoff in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        delays = {retry_delay(attempt) for _ in range(50)}
        assert all(backoff / 2 <= delay <= backoff for delay in delays)
        assert len(delays) > 1  # jittered
    assert retry_delay(1, retry_after=60) >= 60  # never sooner than the site asked
    assert retry_delay(1, retry_after=60) <= 61


def test_one_fetch_costs_a_fixed_number_of_queries(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
) -> None:
    # The fetch reads the link's own columns only (no claim): a deferred field read later
    # would be one more query per link, on the path every link takes.
    with django_capture_on_commit_callbacks(execute=False):
        evidence = services.evidence_add(
            claim=build.draft(), by=build.editor, kind="link", url=pipeline_site.url("/article")
        )
    # Claim the link (one UPDATE ... RETURNING); in one transaction (a savepoint here,
    # inside the test's own transaction): blob rows, the snapshot, the link's update, the
    # event.
    with django_assert_num_queries(7):
        evidence_fetch_task.delay(evidence.pk)

    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.page_title == ARTICLE_TITLE


@pytest.mark.parametrize("public", [True, False])
def test_a_fetch_changes_the_public_record_only_for_a_public_source(
    public: bool,
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    claim = build.published()
    with django_capture_on_commit_callbacks(execute=False):
        evidence = services.evidence_add(
            claim=claim,
            by=build.editor,
            kind="link",
            url=pipeline_site.url("/article"),
            is_public=public,
        )
    before = public_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        evidence_fetch_task.delay(evidence.pk)

    event = Event.objects.get(claim=claim, action="evidence.fetched")
    assert event.details["public"] is public
    # Only a public source shows in the public record, so only its fetch retires it.
    assert (public_cache.generation() != before) is public

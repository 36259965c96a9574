"""Fetched pages are parsed in child processes (claims/fetching/extract_pool.py): the same
result as in the calling thread, a hard time limit per page, and a pool that carries on
after a page was stopped or its process died. All with the real pool: child processes
started by a fork server."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

import pytest

from claims import services
from claims.fetching import extract_pool
from claims.fetching.extract import extract
from claims.fetching.extract_pool import ExtractionFailed, extract_isolated, run_isolated
from claims.models import Evidence
from tests.builders import ClaimBuilder
from tests.fetching.conftest import ARTICLE_HTML, ARTICLE_TITLE, Page, PipelineSite

HTML = "text/html; charset=utf-8"
# ~170 KB of short linked blocks: about 0.4 s of parsing here, far past the test's limit.
SLOW_PAGE = (
    b"<html><body>"
    + b"<div><a href='/a'>Ghaffari in Damascus</a> and what the reports said</div>" * 2200
    + b"</body></html>"
)


@pytest.fixture
def two_processes(settings: Any) -> None:
    settings.FETCH_EXTRACT_PROCESSES = 2
    settings.FETCH_EXTRACT_TIMEOUT = 20


def test_a_page_read_in_a_child_process_gives_what_the_thread_gives(
    two_processes: None,
) -> None:
    url = "https://levant-monitor.example/2024/04/ghaffari"
    isolated = extract_isolated(ARTICLE_HTML.encode(), HTML, url)
    assert isolated == extract(ARTICLE_HTML.encode(), HTML, url)
    assert isolated.title == ARTICLE_TITLE
    assert extract_pool.pool().active
    # ...in another process than this one.
    assert run_isolated(os.getpid, timeout=10) != os.getpid()


def test_without_processes_the_page_is_read_in_the_calling_thread(settings: Any) -> None:
    settings.FETCH_EXTRACT_PROCESSES = 0
    settings.FETCH_EXTRACT_TIMEOUT = 0.001  # would stop any parse done in a child
    extracted = extract_isolated(ARTICLE_HTML.encode(), HTML, "https://levant-monitor.example/")
    assert extracted.title == ARTICLE_TITLE


def test_a_page_past_the_time_limit_is_stopped_and_the_pool_carries_on(
    two_processes: None,
) -> None:
    started = time.monotonic()
    with pytest.raises(ExtractionFailed, match=r"longer than 0\.5 s"):
        run_isolated(time.sleep, 60, timeout=0.5)
    assert time.monotonic() - started < 15  # killed, not waited for
    assert extract_isolated(ARTICLE_HTML.encode(), HTML, "https://x.example/").title


def test_a_child_process_that_dies_is_replaced(two_processes: None) -> None:
    with pytest.raises(ExtractionFailed, match="stopped"):
        run_isolated(os._exit, 3, timeout=10)
    assert extract_isolated(ARTICLE_HTML.encode(), HTML, "https://x.example/").title


@pytest.mark.django_db
def test_a_fetch_whose_page_cannot_be_read_in_time_keeps_the_page(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fetch_settings.FETCH_EXTRACT_PROCESSES = 1
    fetch_settings.FETCH_EXTRACT_TIMEOUT = 0.05
    url = pipeline_site.script(
        "/slow-to-read", Page(headers={"Content-Type": HTML}, body=SLOW_PAGE)
    )
    with django_capture_on_commit_callbacks(execute=True):
        evidence = services.evidence_add(claim=build.draft(), by=build.editor, kind="link", url=url)
    evidence.refresh_from_db()

    # Fetched and frozen as served; no text or metadata, and the snapshot says why.
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.page_title == ""
    snapshot = evidence.latest_snapshot
    assert snapshot is not None
    assert snapshot.outcome == "ok"
    assert snapshot.body_sha256 == hashlib.sha256(SLOW_PAGE).hexdigest()
    assert snapshot.body_blob is not None
    assert snapshot.text_blob is None
    assert "longer than 0.05 s" in snapshot.error
    # The next page is read as usual.
    fetch_settings.FETCH_EXTRACT_TIMEOUT = 20
    with django_capture_on_commit_callbacks(execute=True):
        article = services.evidence_add(
            claim=build.draft(), by=build.editor, kind="link", url=pipeline_site.url("/article")
        )
    article.refresh_from_db()
    assert article.page_title == ARTICLE_TITLE

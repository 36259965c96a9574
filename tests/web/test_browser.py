"""End to end in headless Chromium against the live server: an editor logs a claim and
attaches a link, which a real Celery worker fetches from a local article page while the
evidence list updates itself; a reviewer takes it from the queue, sees the fetched evidence
and proposes a verdict; an approver publishes it; an outsider could not see it before.
Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from claims.models import Claim, Evidence
from tests.worker import WorkerFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]

ARTICLE_TITLE = "Revolutionary Guards commander reported in Damascus"
ARTICLE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{ARTICLE_TITLE}</title>
<meta property="og:title" content="{ARTICLE_TITLE}">
<meta property="og:site_name" content="Gulf Monitor">
<meta property="article:published_time" content="2024-12-03T09:00:00Z">
</head><body><article><h1>{ARTICLE_TITLE}</h1>
<p>A senior commander of the Revolutionary Guards, Javad Ghaffari, was reported to have
arrived in Damascus on Tuesday, according to a channel close to the Iranian government.</p>
<p>The report could not be independently confirmed, and neither Tehran nor Damascus
commented on it. Ghaffari led forces in Syria in earlier campaigns.</p>
</article></body></html>""".encode()


class _ArticleHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(ARTICLE)))
        self.end_headers()
        self.wfile.write(ARTICLE)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@pytest.fixture
def article_url(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A news page on a local server the fetch guard is told (for this test) it may reach."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ArticleHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    settings.FETCH_ALLOW_LOCAL_TARGETS = [f"127.0.0.1:{port}"]
    yield f"http://127.0.0.1:{port}/2024/12/ghaffari-damascus"
    server.shutdown()
    server.server_close()


CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"
PASSWORD = "pw-for-tests-only"  # tests/conftest.py personas
STATEMENT = "Senior IRGC commander Javad Ghaffari arrived in Damascus on Tuesday."


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium is not installed at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here
    # (fixtures, assertions) are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


class Session:
    """One user's browser tab, logged in."""

    def __init__(self, browser, base: str, username: str, problems: list[str]) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.page.on(
            "console",
            lambda msg: problems.append(msg.text) if msg.type == "error" else None,
        )
        self.page.goto(f"{base}/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(f"{base}/")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_claim_from_logging_to_publication(
    live_server, browser, personas, article_url: str, start_worker: WorkerFactory
) -> None:
    start_worker("browser")  # consumes the fetch the editor's link enqueues
    try:
        _claim_from_logging_to_publication(live_server.url, browser, article_url)
    finally:
        # ORM calls made while Playwright's loop runs get their own connection (another
        # asgiref context); close it here, or it outlives the test database.
        connections.close_all()


def _claim_from_logging_to_publication(base: str, browser, article_url: str) -> None:
    problems: list[str] = []

    # The editor logs the claim with its attribution chain.
    editor = Session(browser, base, "editor", problems)
    page = editor.page
    editor.shot("01-editor-dashboard")
    page.get_by_role("link", name="New claim").click()
    page.get_by_label("Statement").fill(STATEMENT)
    page.get_by_label("Claimant", exact=True).fill("Iran International")
    page.get_by_label("Claimant is a").select_option("media")
    page.get_by_label("Source link").fill("https://news.example.org/2024/12/iran-axis")
    page.locator("#id_attribution-0-relation").fill("reported")
    page.locator("#id_attribution-0-name").fill("Iran International")
    page.locator("#id_attribution-1-relation").fill("sourcing")
    page.locator("#id_attribution-1-name").fill("Al-Alam")
    page.get_by_label("Priority").select_option("3")
    editor.shot("02-editor-new-claim")
    page.get_by_role("button", name="Log claim").click()
    page.get_by_text("Claim logged as a draft.").wait_for()
    claim = Claim.objects.get()
    claim_url = f"{base}/claims/{claim.code}/"
    assert page.url == claim_url

    # ... and attaches a link; htmx swaps the evidence list in without a reload, and the
    # list keeps polling until the worker has fetched the page.
    page.get_by_label("Web address").fill(article_url)
    page.get_by_label("Supports").check()
    page.get_by_role("button", name="Add evidence").click()
    page.locator("#evidence-list .fetch-fetched").wait_for(timeout=45_000)
    assert page.url == claim_url
    page.locator("#evidence-list").get_by_role("link", name=ARTICLE_TITLE).wait_for()
    assert page.locator("#evidence-list").get_by_text("Gulf Monitor").count() == 1
    assert page.locator("#evidence-list[hx-trigger]").count() == 0  # settled: polling stopped
    editor.shot("03-editor-claim-with-link")
    page.get_by_role("button", name="Submit for verification").click()
    page.get_by_text("Submitted for verification.").wait_for()
    evidence = Evidence.objects.get()
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    assert evidence.latest_snapshot is not None

    # An outsider cannot see it.
    outsider = Session(browser, base, "outsider", problems)
    response = outsider.page.goto(claim_url)
    assert response is not None
    assert response.status == 403
    assert STATEMENT not in outsider.page.content()
    outsider.shot("04-outsider-refused")

    # The reviewer takes it from the queue, sees the evidence and proposes a verdict.
    reviewer = Session(browser, base, "reviewer", problems)
    page = reviewer.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    reviewer.shot("05-reviewer-queue")
    page.get_by_role("button", name="Take next claim").click()
    page.get_by_text("This claim is yours to review.").wait_for()
    assert page.url == claim_url
    assert page.locator("#evidence-list").get_by_role("link", name=ARTICLE_TITLE).count() == 1
    page.locator("#id_propose-rating").select_option(label="Unproven")
    page.locator("#id_propose-reasoning").fill(
        "Only Al-Alam reports it; no independent confirmation."
    )
    page.locator("#propose-section input[name='propose-evidence']").check()
    reviewer.shot("06-reviewer-proposal")
    page.get_by_role("button", name="Propose verdict").click()
    page.get_by_text("Verdict proposed; the claim now awaits approval.").wait_for()

    # The approver publishes it.
    approver = Session(browser, base, "approver", problems)
    page = approver.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    page.get_by_role("link", name=STATEMENT).click()
    approver.shot("07-approver-claim")
    page.get_by_role("button", name="Approve and publish").click()
    page.get_by_text("Approved and published.").wait_for()
    approver.shot("08-approver-published")

    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    assert claim.verdict is not None
    assert claim.verdict.slug == "unproven"
    assert [p for p in problems if "Content Security Policy" in p] == []
    assert problems == [msg for msg in problems if "403" in msg]  # only the outsider's page

"""End to end in headless Chromium against the live server: an editor logs a claim and
attaches a link, a reviewer takes it from the queue and proposes a verdict, an approver
publishes it; an outsider could not see it before. Screenshots go to
test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from claims.models import Claim, Evidence

pytestmark = pytest.mark.browser

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
def test_claim_from_logging_to_publication(live_server, browser, personas) -> None:
    try:
        _claim_from_logging_to_publication(live_server.url, browser)
    finally:
        # ORM calls made while Playwright's loop runs get their own connection (another
        # asgiref context); close it here, or it outlives the test database.
        connections.close_all()


def _claim_from_logging_to_publication(base: str, browser) -> None:
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

    # ... and attaches a link; htmx swaps the evidence list in without a reload.
    page.get_by_label("Web address").fill(f"{base}/healthz")
    page.get_by_label("Supports").check()
    page.get_by_role("button", name="Add evidence").click()
    page.locator("#evidence-list .fetch-pending").wait_for()
    assert page.url == claim_url
    assert page.locator("#evidence-list[hx-trigger]").count() == 1  # polling while pending
    editor.shot("03-editor-claim-with-link")
    page.get_by_role("button", name="Submit for verification").click()
    page.get_by_text("Submitted for verification.").wait_for()
    assert Evidence.objects.get().fetch_state == Evidence.FetchState.PENDING

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
    assert page.locator("#evidence-list").get_by_text(f"{base}/healthz").count() >= 1
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

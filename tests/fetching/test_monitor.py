"""Link monitoring: the links of published claims are fetched again on a schedule; a new
snapshot is recorded each time, and the claim is flagged when a source disappears or its
text changes materially (once per open flag), with an event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from claims import fetch_services, services
from claims.exceptions import GuardFailed, NotPermitted
from claims.models import Claim, ClaimFlag, Event, Evidence, User
from claims.tasks import evidence_monitor_task
from tests.builders import ClaimBuilder
from tests.fetching.conftest import Page, PipelineSite

pytestmark = pytest.mark.django_db

HTML = {"Content-Type": "text/html; charset=utf-8"}
PARAGRAPHS = [
    (
        "Several local news outlets reported on Tuesday that Javad Ghaffari, described as a "
        "senior figure in the Revolutionary Guard, had arrived in the Syrian capital."
    ),
    (
        "Neither the Guard Corps nor the Syrian foreign ministry confirmed the visit by the time "
        "of publication, and the reports did not say when he travelled or why."
    ),
    (
        "Ghaffari was previously reported to have commanded Iranian advisers in northern Syria, "
        "and earlier claims about his movements could not be independently verified."
    ),
    (
        "Analysts said that a visit, if confirmed, would most likely concern coordination "
        "between Iranian advisers and Syrian army units, but the evidence remained thin."
    ),
]


def _page(paragraphs: list[str]) -> Page:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    html = (
        f"<html><head><title>Ghaffari</title></head><body><article>{body}</article></body></html>"
    )
    return Page(headers=HTML, body=html.encode())


@pytest.fixture
def published_link(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
    request: pytest.FixtureRequest,
) -> Evidence:
    """A fetched link on a published claim, its last fetch a day and more ago."""
    path = f"/monitored/{request.node.name}"
    url = pipeline_site.script(path, _page(PARAGRAPHS))
    claim = build.published()
    with django_capture_on_commit_callbacks(execute=True):
        evidence = services.evidence_add(claim=claim, by=build.editor, kind="link", url=url)
    _age(evidence)
    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.FETCHED
    return evidence


def _age(evidence: Evidence, hours: float = 25) -> None:
    Evidence.objects.filter(pk=evidence.pk).update(
        fetched_at=timezone.now() - timedelta(hours=hours)
    )


def _monitor(capture: Any) -> int:
    with capture(execute=True):
        queued = evidence_monitor_task.delay().get()
    return int(queued)


def _serve(pipeline_site: PipelineSite, evidence: Evidence, page: Page) -> None:
    path = evidence.url.split(str(pipeline_site.port), 1)[1]
    pipeline_site.script(path, page)


def test_the_beat_schedule_runs_the_monitor() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["evidence-monitor"]
    assert entry["task"] == "claims.tasks.evidence_monitor_task"
    assert entry["schedule"] <= settings.LINK_MONITOR_INTERVAL_HOURS * 3600


def test_unchanged_source_gets_a_new_snapshot_and_no_flag(
    published_link: Evidence, django_capture_on_commit_callbacks: Any
) -> None:
    assert _monitor(django_capture_on_commit_callbacks) == 1
    published_link.refresh_from_db()
    assert published_link.fetch_state == Evidence.FetchState.FETCHED
    assert published_link.snapshots.count() == 2
    assert published_link.fetched_at > timezone.now() - timedelta(minutes=1)
    assert not ClaimFlag.objects.exists()
    assert _monitor(django_capture_on_commit_callbacks) == 0  # checked just now


def test_a_small_edit_is_not_a_material_change(
    published_link: Evidence, pipeline_site: PipelineSite, django_capture_on_commit_callbacks: Any
) -> None:
    edited = [PARAGRAPHS[0].replace("Tuesday", "Wednesday"), *PARAGRAPHS[1:]]
    _serve(pipeline_site, published_link, _page(edited))
    assert _monitor(django_capture_on_commit_callbacks) == 1
    first, second = published_link.snapshots.order_by("fetched_at", "id")
    assert first.text_sha256 != second.text_sha256
    assert not ClaimFlag.objects.exists()


def test_a_material_text_change_flags_the_claim(
    published_link: Evidence, pipeline_site: PipelineSite, django_capture_on_commit_callbacks: Any
) -> None:
    correction = (
        "Correction: an earlier version of this article said Ghaffari had arrived in Damascus. "
        "Officials have since said that he did not travel to Syria this week."
    )
    _serve(pipeline_site, published_link, _page([correction, *PARAGRAPHS[1:3]]))

    assert _monitor(django_capture_on_commit_callbacks) == 1

    flag = ClaimFlag.objects.get()
    previous, latest = published_link.snapshots.order_by("fetched_at", "id")
    assert flag.kind == ClaimFlag.Kind.TEXT_CHANGED
    assert flag.claim == published_link.claim
    assert (flag.snapshot, flag.previous_snapshot) == (latest, previous)
    assert flag.details["change"] >= settings.LINK_MONITOR_CHANGE_THRESHOLD
    assert any("Correction" in line for line in flag.details["added"])
    assert any("Tuesday" in line for line in flag.details["removed"])
    event = Event.objects.get(action="evidence.flagged")
    assert event.claim == published_link.claim
    assert event.details["kind"] == "text_changed"
    assert event.details["flag"] == flag.pk


def test_a_source_that_disappears_flags_the_claim_once(
    published_link: Evidence,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
    editor: User,
) -> None:
    _serve(pipeline_site, published_link, Page(status=404, body=b"gone"))
    assert _monitor(django_capture_on_commit_callbacks) == 1

    published_link.refresh_from_db()
    assert published_link.fetch_state == Evidence.FetchState.FAILED
    assert published_link.page_title == "Ghaffari"  # what the page said is kept
    flag = ClaimFlag.objects.get()
    assert flag.kind == ClaimFlag.Kind.SOURCE_GONE
    assert flag.details["status"] == 404

    _age(published_link)  # the next round: still gone, the open flag stands
    assert _monitor(django_capture_on_commit_callbacks) == 1
    assert ClaimFlag.objects.count() == 1
    assert published_link.snapshots.count() == 3

    resolved = fetch_services.claim_flag_resolve(flag=flag, by=editor, note="Asked the outlet.")
    assert resolved.resolved_by == editor
    assert Event.objects.filter(action="evidence.flag_resolved").count() == 1
    _age(published_link)  # gone again after the desk resolved it: a new flag
    assert _monitor(django_capture_on_commit_callbacks) == 1
    assert ClaimFlag.objects.open().count() == 1
    assert ClaimFlag.objects.count() == 2


def test_a_server_error_after_retries_counts_as_gone(
    published_link: Evidence,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _serve(pipeline_site, published_link, Page(status=503, body=b"down"))
    assert _monitor(django_capture_on_commit_callbacks) == 1
    published_link.refresh_from_db()
    assert published_link.fetch_state == Evidence.FetchState.FAILED
    assert published_link.snapshots.count() == 1 + 3  # the monitor retried before deciding
    assert ClaimFlag.objects.get().kind == ClaimFlag.Kind.SOURCE_GONE


def test_only_published_links_fetched_long_enough_ago_are_monitored(
    published_link: Evidence,
    build: ClaimBuilder,
    django_capture_on_commit_callbacks: Any,
) -> None:
    recent = Evidence.objects.create(
        claim=published_link.claim,
        kind="link",
        url="https://example.org/recent",
        fetch_state=Evidence.FetchState.FETCHED,
        fetched_at=timezone.now() - timedelta(hours=1),
        added_by=build.editor,
    )
    blocked = Evidence.objects.create(
        claim=published_link.claim,
        kind="link",
        url="http://169.254.169.254/",
        fetch_state=Evidence.FetchState.BLOCKED,
        fetched_at=timezone.now() - timedelta(days=9),
        added_by=build.editor,
    )
    draft = Evidence.objects.create(
        claim=build.draft(),
        kind="link",
        url="https://example.org/draft",
        fetch_state=Evidence.FetchState.FETCHED,
        fetched_at=timezone.now() - timedelta(days=9),
        added_by=build.editor,
    )
    assert _monitor(django_capture_on_commit_callbacks) == 1  # published_link only
    for evidence in (recent, blocked, draft):
        evidence.refresh_from_db()
        assert evidence.snapshots.count() == 0
    assert draft.claim.status == Claim.Status.DRAFT


def test_resolving_a_flag_needs_permission_and_happens_once(
    published_link: Evidence,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
    outsider: User,
    approver: User,
) -> None:
    _serve(pipeline_site, published_link, Page(status=410, body=b"removed"))
    _monitor(django_capture_on_commit_callbacks)
    flag = ClaimFlag.objects.get()
    with pytest.raises(NotPermitted):
        fetch_services.claim_flag_resolve(flag=flag, by=outsider)
    fetch_services.claim_flag_resolve(flag=flag, by=approver)
    with pytest.raises(GuardFailed):
        fetch_services.claim_flag_resolve(flag=flag, by=approver)

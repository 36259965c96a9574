"""evidence_refetch: back to pending, one event, the fetch enqueued after commit; only for
links, only by someone who may change evidence, never while a fetch runs."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims import services
from claims.exceptions import Conflict, GuardFailed, NotPermitted
from claims.models import Event, Evidence, User
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db


def _link(build: ClaimBuilder, **fields: Any) -> Evidence:
    return Evidence.objects.create(
        claim=build.draft(),
        kind="link",
        url="https://news.example/story",
        added_by=build.editor,
        **{
            "fetch_state": Evidence.FetchState.FAILED,
            "fetch_error": "The page was not found (404).",
            "fetch_attempts": 3,
            **fields,
        },
    )


def _sends(callbacks: list[Any]) -> int:
    return sum("evidence_fetch_enqueue" in c.__qualname__ for c in callbacks)


def test_refetch_puts_the_link_back_in_the_queue(
    build: ClaimBuilder, reviewer: User, django_capture_on_commit_callbacks: Any
) -> None:
    evidence = _link(build)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence = services.evidence_refetch(evidence=evidence, by=reviewer)

    assert evidence.fetch_state == Evidence.FetchState.PENDING
    assert (evidence.fetch_error, evidence.fetch_attempts, evidence.fetch_deliveries) == ("", 0, 0)
    assert evidence.fetch_next_at is not None
    assert _sends(callbacks) == 1
    event = Event.objects.get(action="evidence.refetch_requested")
    assert event.actor == reviewer
    assert event.details == {"evidence": evidence.pk, "previous_state": "failed"}


def test_outsiders_and_approvers_may_not_refetch(
    build: ClaimBuilder, outsider: User, approver: User
) -> None:
    evidence = _link(build)
    for user in (outsider, approver):
        with pytest.raises(NotPermitted):
            services.evidence_refetch(evidence=evidence, by=user)
    evidence.refresh_from_db()
    assert evidence.fetch_state == Evidence.FetchState.FAILED


def test_only_links_are_refetched(build: ClaimBuilder) -> None:
    note = build.evidence(build.draft())
    with pytest.raises(GuardFailed) as caught:
        services.evidence_refetch(evidence=note, by=build.editor)
    assert caught.value.code == "not_a_link"


def test_a_running_fetch_is_not_interrupted(build: ClaimBuilder) -> None:
    evidence = _link(
        build,
        fetch_state=Evidence.FetchState.FETCHING,
        fetch_lease_until=timezone.now() + timedelta(minutes=1),
    )
    with pytest.raises(GuardFailed) as caught:
        services.evidence_refetch(evidence=evidence, by=build.editor)
    assert caught.value.code == "fetch_in_progress"
    # A fetch whose worker died (lease over) can be restarted by hand.
    Evidence.objects.filter(pk=evidence.pk).update(
        fetch_lease_until=timezone.now() - timedelta(seconds=1)
    )
    evidence.refresh_from_db()
    assert services.evidence_refetch(evidence=evidence, by=build.editor).fetch_state == "pending"


def test_a_stale_copy_of_the_row_conflicts(build: ClaimBuilder) -> None:
    evidence = _link(build)
    Evidence.objects.filter(pk=evidence.pk).update(fetch_state=Evidence.FetchState.FETCHED)
    with pytest.raises(Conflict):
        services.evidence_refetch(evidence=evidence, by=build.editor)


def test_the_evidence_of_a_withdrawn_claim_is_not_refetched(build: ClaimBuilder) -> None:
    claim = build.withdrawn()
    evidence = Evidence.objects.create(
        claim=claim,
        kind="link",
        url="https://news.example/x",
        fetch_state="failed",
        added_by=build.editor,
    )
    with pytest.raises(GuardFailed):
        services.evidence_refetch(evidence=evidence, by=build.editor)


def test_adding_a_link_enqueues_its_fetch_after_commit(
    build: ClaimBuilder, django_capture_on_commit_callbacks: Any
) -> None:
    claim = build.draft()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_add(claim=claim, by=build.editor, kind="link", url="https://a.example/")
        services.evidence_add(claim=claim, by=build.editor, kind="note", note="No link here.")
    assert _sends(callbacks) == 1


def test_seed_data_adds_links_through_the_service(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("seed_demo", "--password", "demo-pass-123", stdout=StringIO())
    links = Evidence.objects.filter(kind="link").count()
    assert links > 0
    assert _sends(callbacks) == links

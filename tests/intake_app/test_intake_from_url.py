"""intake_from_url and intake_fetch_task: a real local page fetched through the fetch guard,
failures with the guard's or the site's reason, finite retries, and the sweeper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from claims.exceptions import InvalidInput, NotPermitted
from claims.intake_services import FETCH_MAX_ATTEMPTS, intake_from_url, intake_jobs_sweep
from claims.intake_tasks import intake_fetch_task
from claims.models import IntakeJob, Source, User
from tests.intake_app.conftest import GHAFFARI
from verify.celery import app as celery_app

pytestmark = pytest.mark.django_db


def _start(editor: User, url: str, capture: Callable[..., Any]) -> IntakeJob:
    with capture(execute=True) as callbacks:
        job = intake_from_url(by=editor, url=url)
    assert len(callbacks) == 1  # the fetch is enqueued once, after commit
    job.refresh_from_db()
    return job


def test_the_page_is_fetched_read_and_analysed(
    editor: User, site: str, served: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(editor, f"{site}/article", django_capture_on_commit_callbacks)
    assert job.state == IntakeJob.State.READY, job.error
    assert served == ["/article"]
    assert job.progress == 100
    assert job.attempts == 1
    assert job.finished_at is not None
    assert job.language == "en"
    assert job.title == "Iran's army chief works the phones"
    source = job.source
    assert source is not None
    assert source.url == f"{site}/article"
    assert source.title == job.title
    assert source.outlet == "Desk Monitor"
    assert source.published_at is not None
    assert source.published_at.date().isoformat() == "2024-12-04"
    assert source.text == job.text
    assert GHAFFARI in job.text
    ghaffari = next(c for c in job.candidates if c["text"] == GHAFFARI)
    assert job.text[ghaffari["start"] : ghaffari["end"]] == GHAFFARI
    assert ghaffari["attribution_chain"] == ["Iran International", "Al-Alam"]


def test_the_job_waits_for_the_commit(editor: User, site: str, served: list[str]) -> None:
    job = intake_from_url(by=editor, url=f"{site}/article")
    job.refresh_from_db()  # inside the test's transaction: nothing ran yet
    assert job.state == IntakeJob.State.PENDING
    assert job.progress_message
    assert served == []


def test_a_blocked_address_fails_with_the_guards_reason(
    editor: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(editor, "http://127.0.0.1:9/", django_capture_on_commit_callbacks)
    assert job.state == IntakeJob.State.FAILED
    assert "port 9" in job.error.lower() or "not allowed" in job.error.lower(), job.error
    assert job.source is None
    assert Source.objects.count() == 0


def test_a_private_address_on_an_allowed_port_is_refused(
    editor: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(editor, "http://10.0.0.1/admin", django_capture_on_commit_callbacks)
    assert job.state == IntakeJob.State.FAILED
    assert job.error
    assert job.attempts == 1  # a refusal is not retried


def test_a_missing_page_fails_with_a_readable_reason(
    editor: User, site: str, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(editor, f"{site}/missing", django_capture_on_commit_callbacks)
    assert job.state == IntakeJob.State.FAILED
    assert "404" in job.error or "not found" in job.error.lower(), job.error


def test_a_page_without_text_fails(
    editor: User, site: str, django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(editor, f"{site}/pixel.png", django_capture_on_commit_callbacks)
    assert job.state == IntakeJob.State.FAILED
    assert "no article text" in job.error


@pytest.fixture
def _eager_retries() -> Iterator[None]:
    # Eager Celery re-runs a retried task at once, but only when errors do not propagate
    # (with propagation on, the Retry itself would escape).
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.mark.usefixtures("_eager_retries")
def test_transient_failures_are_retried_then_fail_visibly(
    editor: User, site: str, served: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(editor, f"{site}/busy", django_capture_on_commit_callbacks)
    assert served == ["/busy"] * FETCH_MAX_ATTEMPTS
    assert job.state == IntakeJob.State.FAILED
    assert job.attempts == FETCH_MAX_ATTEMPTS
    assert "503" in job.error or "unavailable" in job.error.lower(), job.error


def test_running_the_task_twice_does_the_work_once(
    editor: User, site: str, served: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    job = _start(editor, f"{site}/article", django_capture_on_commit_callbacks)
    intake_fetch_task.delay(job.pk)
    job.refresh_from_db()
    assert job.state == IntakeJob.State.READY
    assert job.attempts == 1
    assert served == ["/article"]


@pytest.mark.parametrize("url", ["", "not a link", "ftp://desk.example/a", "file:///etc/passwd"])
def test_bad_links_are_refused_before_any_job(editor: User, url: str) -> None:
    with pytest.raises(InvalidInput):
        intake_from_url(by=editor, url=url)
    assert IntakeJob.objects.count() == 0


def test_only_editors_fetch(reviewer: User) -> None:
    with pytest.raises(NotPermitted):
        intake_from_url(by=reviewer, url="https://desk.example/a")


def test_the_sweeper_requeues_lost_work_and_fails_stuck_jobs(
    editor: User, site: str, served: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    long_ago = timezone.now() - timedelta(hours=1)
    lost = IntakeJob.objects.create(created_by=editor, url=f"{site}/article")
    stuck = IntakeJob.objects.create(
        created_by=editor, url=f"{site}/article", state=IntakeJob.State.FETCHING
    )
    recent = IntakeJob.objects.create(created_by=editor, url=f"{site}/article")
    IntakeJob.objects.filter(pk__in=[lost.pk, stuck.pk]).update(updated_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        counts = intake_jobs_sweep()
    assert counts == {"requeued": 1, "failed": 1}
    for job in (lost, stuck, recent):
        job.refresh_from_db()
    assert lost.state == IntakeJob.State.READY
    assert stuck.state == IntakeJob.State.FAILED
    assert "did not finish" in stuck.error
    assert recent.state == IntakeJob.State.PENDING
    assert served == ["/article"]

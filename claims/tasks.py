"""Celery tasks: thin wrappers that take ids, call one service and decide about retries.

Every task is safe to run twice: the services compare-and-set the rows they change. Tasks
are acknowledged after they finish (acks_late) and given back to the broker when their
worker dies (reject_on_worker_lost); the sweeper re-queues what a lost message leaves
behind, so the database, not the broker, decides what is left to do.

A task that must run again later (a transient failure, a busy site, an archive capture in
progress) sends itself again with a countdown and the retry count carried over, then
finishes normally; the service has already written why in the database.
"""

from __future__ import annotations

import logging
import smtplib

from celery import Task, shared_task
from django.conf import settings

from claims import webhooks

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.FETCH_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.FETCH_TASK_TIME_LIMIT,
)
def evidence_fetch_task(self: Task, evidence_id: int) -> str:
    """Fetch one evidence link (see claims.fetch_services.evidence_fetch)."""
    from claims import fetch_services  # loaded in workers only: it brings trafilatura and lxml

    step = fetch_services.evidence_fetch(evidence_id=evidence_id)
    if step.retry_in is None:
        return step.state
    if self.request.retries >= settings.FETCH_MAX_REQUEUES:
        logger.warning("evidence %s: %s; left for the sweeper", evidence_id, step.note)
        return step.state
    _again(self, (evidence_id,), step.retry_in)
    return step.state


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=180)
def evidence_sweep_task() -> int:
    """Re-queue fetches whose message was lost (run by beat)."""
    from claims import fetch_services

    return fetch_services.evidence_sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=180)
def evidence_monitor_task() -> int:
    """Queue fresh fetches of published claims' links (run by beat)."""
    from claims import fetch_services

    return fetch_services.evidence_monitor()


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    rate_limit=settings.ARCHIVE_RATE_LIMIT,
    soft_time_limit=90,
    time_limit=120,
)
def evidence_archive_task(self: Task, evidence_id: int, job_id: str = "") -> str:
    """Ask the Internet Archive to capture a fetched link (queue "archive", rate-limited)."""
    from claims import fetch_services

    step = fetch_services.evidence_archive(
        evidence_id=evidence_id, job_id=job_id, attempt=self.request.retries
    )
    if step.retry_in is None:
        return step.note
    _again(self, (evidence_id, step.job_id), step.retry_in)
    return step.note


def _again(task: Task, args: tuple[object, ...], countdown: float) -> None:
    """Send the task again after `countdown` seconds, counting one more retry."""
    # `retries` goes through to send_task; celery-types does not list it.
    task.apply_async(args, countdown=countdown, retries=task.request.retries + 1)  # type: ignore[call-arg]


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def notification_email_send(notification_id: int) -> bool:
    """Email one notification; does nothing if it was already emailed."""
    from claims.notifications import notification_email_deliver  # notifications enqueues us

    return notification_email_deliver(notification_id=notification_id)


# Webhooks. Celery's own ceiling; the real, finite limit is WEBHOOK_MAX_ATTEMPTS, kept on
# the delivery row.
_WEBHOOK_MAX_RETRIES = 50


@shared_task(
    bind=True, max_retries=_WEBHOOK_MAX_RETRIES, acks_late=True, reject_on_worker_lost=True
)
def webhook_deliver(self: Task, delivery_id: int) -> str:
    """Send one webhook delivery; a transient failure comes back with backoff and jitter."""
    attempt = webhooks.delivery_attempt(delivery_id=delivery_id)
    if attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.state


@shared_task(acks_late=True, reject_on_worker_lost=True)
def webhook_sweep() -> dict[str, int]:
    """Periodic: re-queue deliveries whose message was lost; fan out missed events."""
    return webhooks.deliveries_sweep()

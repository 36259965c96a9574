"""Celery tasks: thin, they take ids and call one function. Other modules add their tasks
here. Enqueue them after commit (``delay_on_commit`` or ``transaction.on_commit``)."""

from __future__ import annotations

import smtplib

from celery import Task, shared_task

from claims import webhooks

# Celery's own ceiling for webhooks; the real, finite limit is WEBHOOK_MAX_ATTEMPTS, kept on
# the delivery row.
_WEBHOOK_MAX_RETRIES = 50


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


@shared_task(bind=True, max_retries=_WEBHOOK_MAX_RETRIES, acks_late=True)
def webhook_deliver(self: Task, delivery_id: int) -> str:
    """Send one webhook delivery; a transient failure comes back with backoff and jitter."""
    attempt = webhooks.delivery_attempt(delivery_id=delivery_id)
    if attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.state


@shared_task
def webhook_sweep() -> dict[str, int]:
    """Periodic: re-queue deliveries whose message was lost; fan out missed events."""
    return webhooks.deliveries_sweep()

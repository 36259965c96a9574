"""Celery tasks: thin, they take ids, return early when the work is done, call one service.
Enqueue them after commit (``delay_on_commit``)."""

from __future__ import annotations

from celery import Task, shared_task

from claims import webhooks

# Celery's own ceiling; the real, finite limit is WEBHOOK_MAX_ATTEMPTS, kept on the row.
_WEBHOOK_MAX_RETRIES = 50


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

"""Celery tasks: thin, they take ids and call one function. Other modules add their tasks
here."""

from __future__ import annotations

import smtplib

from celery import shared_task


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

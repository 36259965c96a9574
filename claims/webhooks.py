"""Webhooks: signed POSTs to outside systems when a check is published, corrected or
withdrawn.

Fan-out runs after the event's transaction commits (``event_recorded``): one
``WebhookDelivery`` row per interested subscriber, then a Celery task per row. Each attempt
POSTs the same JSON body, through the fetch guard, with

    X-Verify-Event: claim.published
    X-Verify-Delivery: <delivery UUID, the same on every attempt: receivers dedupe on it>
    X-Verify-Timestamp: <unix seconds of this attempt>
    X-Verify-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

Receivers recompute the HMAC over the timestamp and the raw body, compare in constant
time, and refuse timestamps older than a few minutes (a replayed request keeps its old
timestamp, and changing it breaks the signature).

Network failures, timeouts, 429 and 5xx are retried with exponential backoff and jitter up
to ``WEBHOOK_MAX_ATTEMPTS`` attempts; anything else (a 4xx, a redirect, an address the
guard refuses) fails at once. Every attempt is logged on the delivery row.

Payloads carry only what the public API shows, and nothing at all about claims that were
never published.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.fetching.guard import FetchPolicy, policy_from_settings
from claims.fetching.post import safe_post
from claims.models import Claim, Event, WebhookDelivery, WebhookSubscriber

logger = logging.getLogger(__name__)

EVENTS = WebhookSubscriber.EVENTS
MAX_BACKOFF_SECONDS = 3600
RESPONSE_EXCERPT_CHARS = 500
# The sweeper: a pending delivery untouched for this long lost its task message; events
# this recent are checked for a fan-out that never happened.
STALE_AFTER = timedelta(minutes=15)
SWEEP_WINDOW = timedelta(days=1)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-Verify-Signature value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        delivery.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


# --------------------------------------------------------------------------------------------
# Fan-out


def payload_for(event: Event) -> dict[str, Any] | None:
    """What subscribers receive for ``event``: public data only. None when the event must
    not go out (a claim withdrawn before it was ever published is nobody's business)."""
    from claims.api.public import public_items, public_publications, publisher

    if event.claim_id is None:
        return None
    claim = (
        Claim.objects.filter(pk=event.claim_id)
        .values("code", "status", "current_publication_id", "withdrawn_reason")
        .first()
    )
    if claim is None or claim["current_publication_id"] is None:
        return None
    code = str(claim["code"])
    base = {
        "event": event.action,
        "occurred_at": event.created_at,
        "claim_code": code,
        "url": publisher().check_url(code),
    }
    if event.action == "claim.withdrawn":
        return {**base, "claim": None, "withdrawn_reason": claim["withdrawn_reason"]}
    publication = public_publications().filter(pk=claim["current_publication_id"]).first()
    if publication is None:  # withdrawn again before the fan-out ran
        return None
    (item,) = public_items([publication])
    return {**base, "claim": item}


def deliveries_create(*, event: Event) -> list[WebhookDelivery]:
    """One delivery per active subscriber that wants ``event``, each sent by a task after
    commit. Safe to run twice: a subscriber gets at most one delivery per event."""
    from claims.tasks import webhook_deliver

    if event.action not in EVENTS:
        return []
    # Subscribers get the events that happen after they subscribed.
    candidates = WebhookSubscriber.objects.filter(
        active=True, created_at__lte=event.created_at
    ).order_by("id")
    done = set(WebhookDelivery.objects.filter(event=event).values_list("subscriber_id", flat=True))
    subscribers = [s for s in candidates if s.wants(event.action) and s.pk not in done]
    if not subscribers:
        return []
    payload = payload_for(event)
    if payload is None:
        return []
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    created = []
    for subscriber in subscribers:
        try:
            with transaction.atomic():
                delivery, new = WebhookDelivery.objects.get_or_create(
                    subscriber=subscriber, event=event, defaults={"payload": payload}
                )
        except IntegrityError:  # a concurrent fan-out made it first
            continue
        if new:
            created.append(delivery)
            transaction.on_commit(partial(webhook_deliver.delay, delivery.pk))
    return created


def on_event_recorded(sender: Any, event: Event, **kwargs: Any) -> None:
    """Receiver of ``event_recorded`` (after commit). Never raises: the event is committed
    either way, and the sweeper fans out anything missed here."""
    if event.action not in EVENTS:
        return
    try:
        deliveries_create(event=event)
    except Exception:
        logger.exception("Webhook fan-out failed for event %s; the sweeper will retry", event.pk)


# --------------------------------------------------------------------------------------------
# Delivery


@dataclass(frozen=True)
class Attempt:
    """What the task should do next: nothing, or try again in ``retry_in`` seconds."""

    state: str
    retry_in: float | None = None


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: exponential with full jitter, at least what the
    endpoint's Retry-After asked for, never more than an hour."""
    base = float(settings.WEBHOOK_RETRY_BASE_SECONDS)
    ceiling = min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempts - 1))
    wait = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (jitter, not secrecy)
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_BACKOFF_SECONDS))
    return wait


def delivery_attempt(*, delivery_id: int) -> Attempt:
    """Send one delivery once and record how it went. Returns early if it is no longer
    pending (already delivered, or given up), so running it twice is harmless."""
    delivery = (
        WebhookDelivery.objects.select_related("subscriber", "event").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return Attempt(state=delivery.state if delivery else "missing")
    subscriber = delivery.subscriber
    if not subscriber.active:
        return _finish(
            delivery, WebhookDelivery.State.FAILED, error="The subscriber was deactivated."
        )
    body = body_of(delivery)
    timestamp = int(time.time())
    result = safe_post(
        subscriber.url,
        body=body,
        headers={
            "Content-Type": "application/json",
            "X-Verify-Event": delivery.event.action,
            "X-Verify-Delivery": str(delivery.code),
            "X-Verify-Timestamp": str(timestamp),
            "X-Verify-Signature": sign(secret=subscriber.secret, timestamp=timestamp, body=body),
        },
        policy=_policy(),
    )
    attempts = delivery.attempts + 1
    record: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": timezone.now(),
        "last_status_code": result.status,
        "response_excerpt": result.response_excerpt[:RESPONSE_EXCERPT_CHARS],
    }
    if result.ok:
        return _finish(delivery, WebhookDelivery.State.DELIVERED, **record)
    error = result.error or "The delivery failed."
    if result.transient and attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        _record(delivery, last_error=error, **record)
        return Attempt(
            state=WebhookDelivery.State.PENDING, retry_in=backoff(attempts, result.retry_after)
        )
    if result.transient:
        error = f"Gave up after {attempts} attempts. Last: {error}"
    return _finish(delivery, WebhookDelivery.State.FAILED, error=error, **record)


def _policy() -> FetchPolicy:
    """The fetch guard's policy, with the webhook timeout."""
    policy = policy_from_settings()
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    return replace(
        policy,
        connect_timeout=min(policy.connect_timeout, timeout),
        read_timeout=min(policy.read_timeout, timeout),
        total_timeout=min(policy.total_timeout, timeout * 2),
    )


def _record(delivery: WebhookDelivery, **fields: Any) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDelivery.State.PENDING).update(
        **fields
    )


def _finish(delivery: WebhookDelivery, state: str, *, error: str = "", **fields: Any) -> Attempt:
    _record(delivery, state=state, last_error=error, finished_at=timezone.now(), **fields)
    return Attempt(state=state)


# --------------------------------------------------------------------------------------------
# The sweeper


def deliveries_sweep() -> dict[str, int]:
    """Re-queue pending deliveries whose task was lost, and fan out recent public events
    that never got their deliveries (the process stopped between commit and fan-out)."""
    from claims.tasks import webhook_deliver

    now = timezone.now()
    stale = WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.PENDING, created_at__lt=now - STALE_AFTER
    ).exclude(last_attempt_at__gte=now - STALE_AFTER)
    requeued = 0
    for delivery_id in stale.order_by("id").values_list("id", flat=True)[:1000]:
        webhook_deliver.delay(delivery_id)
        requeued += 1
    fanned = 0
    recent = Event.objects.filter(action__in=EVENTS, created_at__gte=now - SWEEP_WINDOW)
    for event in recent.order_by("id")[:1000]:
        fanned += len(deliveries_create(event=event))
    return {"requeued": requeued, "created": fanned}

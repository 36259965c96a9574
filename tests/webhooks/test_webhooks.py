"""Webhooks: signed POSTs on claim.published, claim.corrected and claim.withdrawn, sent by
Celery (eager here) through the fetch guard to a real local HTTP server, with retries,
backoff and a delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from claims import webhooks
from claims.admin import WebhookSubscriberForm
from claims.models import Claim, Event, WebhookDelivery, WebhookSubscriber
from claims.tasks import webhook_sweep
from claims.workflow import Action, TransitionInput, transition_apply

pytestmark = pytest.mark.django_db
S = WebhookDelivery.State


def _approve(build, claim: Claim, capture) -> Claim:
    with capture(execute=True):
        return transition_apply(claim=claim, action=Action.APPROVE, by=build.approver)


def _verify(secret: str, headers: dict[str, str], body: bytes, *, max_age: int = 300) -> bool:
    """What a receiver does: recompute the HMAC over timestamp and body, in constant
    time, and refuse old timestamps (replays)."""
    timestamp = headers["X-Verify-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    signature = headers["X-Verify-Signature"].removeprefix("sha256=")
    fresh = abs(time.time() - int(timestamp)) <= max_age
    return fresh and hmac.compare_digest(signature, expected.hexdigest())


def test_publication_is_delivered_signed(
    build, subscriber, receiver, django_capture_on_commit_callbacks
):
    claim = _approve(build, build.awaiting(), django_capture_on_commit_callbacks)

    (request,) = receiver.requests
    assert request.path == "/hooks/verify"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Verify-Event"] == "claim.published"
    assert _verify(subscriber.secret, request.headers, request.body)
    payload = json.loads(request.body)
    assert payload["event"] == "claim.published"
    assert payload["claim_code"] == str(claim.code)
    assert payload["claim"]["verdict"]["slug"] == "true"
    assert payload["claim"]["text"] == claim.statement
    delivery = WebhookDelivery.objects.get()
    assert request.headers["X-Verify-Delivery"] == str(delivery.code)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (S.DELIVERED, 1, 200)
    assert delivery.response_excerpt == '{"received": true}'
    assert delivery.finished_at is not None


def test_payload_holds_only_public_data(
    build, subscriber, receiver, editor, django_capture_on_commit_callbacks
):
    from claims import services

    claim = build.awaiting(internal_notes="SECRET internal note")
    services.evidence_add(claim=claim, by=editor, kind="note", note="SECRET private evidence")

    _approve(build, claim, django_capture_on_commit_callbacks)

    assert b"SECRET" not in receiver.requests[0].body


def test_signature_covers_timestamp_and_body(
    build, subscriber, receiver, django_capture_on_commit_callbacks
):
    _approve(build, build.awaiting(), django_capture_on_commit_callbacks)
    (request,) = receiver.requests

    replayed = dict(request.headers, **{"X-Verify-Timestamp": str(int(time.time()) + 60)})
    assert not _verify(subscriber.secret, replayed, request.body)
    assert not _verify(subscriber.secret, request.headers, request.body + b" ")
    assert not _verify("another-secret", request.headers, request.body)
    old = dict(request.headers)
    assert not _verify(subscriber.secret, old, request.body, max_age=-1)


def test_correction_and_withdrawal_are_delivered(
    build, subscriber, receiver, django_capture_on_commit_callbacks
):
    claim = _approve(build, build.awaiting(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(
            claim=claim, action=Action.REOPEN, by=build.editor, data=TransitionInput(reason="r")
        )
        from claims import services

        services.assignment_create(
            claim=claim, user=build.reviewer, role="reviewer", by=build.editor
        )
        transition_apply(
            claim=claim,
            action=Action.PROPOSE,
            by=build.reviewer,
            data=build.proposal_input(claim, rating="false"),
        )
    _approve(build, claim, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(
            claim=claim, action=Action.REOPEN, by=build.editor, data=TransitionInput(reason="r")
        )
        transition_apply(
            claim=claim,
            action=Action.WITHDRAW,
            by=build.editor,
            data=TransitionInput(reason="The quote was misattributed."),
        )

    events = [r.headers["X-Verify-Event"] for r in receiver.requests]
    assert events == ["claim.published", "claim.corrected", "claim.withdrawn"]
    corrected = json.loads(receiver.requests[1].body)
    assert corrected["claim"]["version"] == 2
    assert corrected["claim"]["verdict"]["slug"] == "false"
    withdrawn = json.loads(receiver.requests[2].body)
    assert withdrawn["claim"] is None
    assert withdrawn["withdrawn_reason"] == "The quote was misattributed."


def test_never_published_withdrawals_are_not_sent(
    build, subscriber, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        build.withdrawn()

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_subscribers_get_only_their_events_and_only_when_active(
    build, receiver, django_capture_on_commit_callbacks
):
    WebhookSubscriber.objects.create(name="w", url=receiver.url, events=["claim.withdrawn"])
    WebhookSubscriber.objects.create(
        name="off", url=receiver.url, events=["claim.published"], active=False
    )

    _approve(build, build.awaiting(), django_capture_on_commit_callbacks)

    assert receiver.requests == []


@pytest.mark.usefixtures("eager_retries")
def test_transient_failures_are_retried_until_delivered(
    build, subscriber, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [503, 500]
    receiver.extra_headers = {"Retry-After": "1"}

    _approve(build, build.awaiting(), django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 3
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (S.DELIVERED, 3, 200)
    # Every attempt carries the same delivery id and body, each signed afresh.
    assert len({r.headers["X-Verify-Delivery"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1


@pytest.mark.usefixtures("eager_retries")
def test_retries_are_finite_and_giving_up_is_visible(
    build, subscriber, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500] * 10

    _approve(build, build.awaiting(), django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 3
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (S.FAILED, 3, 500)
    assert delivery.last_error.startswith("Gave up after 3 attempts.")


@pytest.mark.parametrize("status", [400, 404, 410, 302])
def test_permanent_answers_fail_at_once_and_redirects_are_not_followed(
    build, subscriber, receiver, status, django_capture_on_commit_callbacks
):
    receiver.statuses = [status]

    _approve(build, build.awaiting(), django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 1
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (S.FAILED, 1, status)
    assert delivery.last_error


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "169.254.169.254", "10.1.2.3"])
def test_private_destinations_are_refused_without_a_connection(
    build, listener, host, django_capture_on_commit_callbacks
):
    port = listener.port if host in {"127.0.0.1", "localhost"} else 80
    WebhookSubscriber.objects.create(
        name="internal", url=f"http://{host}:{port}/x", events=["claim.published"]
    )

    _approve(build, build.awaiting(), django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == S.FAILED
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert "internal" in delivery.last_error or "port" in delivery.last_error
    assert listener.connections == 0


def test_running_a_delivery_twice_sends_once(
    build, subscriber, receiver, django_capture_on_commit_callbacks
):
    _approve(build, build.awaiting(), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    again = webhooks.delivery_attempt(delivery_id=delivery.pk)

    assert again.state == S.DELIVERED
    assert len(receiver.requests) == 1
    event = Event.objects.get(action="claim.published")
    assert webhooks.deliveries_create(event=event) == []


def test_sweeper_requeues_lost_messages_and_fans_out_missed_events(
    build, subscriber, receiver, django_capture_on_commit_callbacks
):
    claim = transition_apply(claim=build.awaiting(), action=Action.APPROVE, by=build.approver)
    # No after-commit callbacks ran: the fan-out "crashed". The sweeper finds the event.
    assert not WebhookDelivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        report = webhook_sweep.delay().get()

    assert report == {"requeued": 0, "created": 1}
    assert WebhookDelivery.objects.get().state == S.DELIVERED
    assert json.loads(receiver.requests[0].body)["claim_code"] == str(claim.code)

    lost = WebhookDelivery.objects.create(
        subscriber=WebhookSubscriber.objects.create(
            name="second", url=receiver.url, events=["claim.published"]
        ),
        event=Event.objects.get(action="claim.published"),
        payload={"event": "claim.published"},
        created_at=timezone.now() - timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = webhook_sweep.delay().get()

    assert report["requeued"] == 1
    lost.refresh_from_db()
    assert lost.state == S.DELIVERED


def test_backoff_grows_with_jitter_and_honours_retry_after(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30

    first = [webhooks.backoff(1) for _ in range(50)]
    fourth = [webhooks.backoff(4) for _ in range(50)]

    assert all(15 <= w <= 30 for w in first)
    assert all(120 <= w <= 240 for w in fourth)
    assert len(set(first)) > 1
    assert webhooks.backoff(1, retry_after=600) == 600
    assert webhooks.backoff(30) <= webhooks.MAX_BACKOFF_SECONDS


def test_admin_form_refuses_internal_urls_and_requires_events(receiver):
    form = WebhookSubscriberForm(
        data={
            "name": "x",
            "url": "http://10.0.0.5/hook",
            "events": [],
            "secret": "s",
            "active": True,
        }
    )

    assert not form.is_valid()
    assert "internal" in form.errors["url"][0]
    assert "events" in form.errors
    good = WebhookSubscriberForm(
        data={
            "name": "x",
            "url": receiver.url,
            "events": ["claim.published"],
            "secret": "s",
            "active": True,
        }
    )
    assert good.is_valid(), good.errors


def test_delivery_log_is_read_only_in_the_admin(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    delivery_admin = site._registry[WebhookDelivery]

    assert not delivery_admin.has_add_permission(request)
    assert not delivery_admin.has_change_permission(request)
    assert not delivery_admin.has_delete_permission(request)
    assert site._registry[WebhookSubscriber].has_change_permission(request)

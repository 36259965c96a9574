"""Fetches queued inside `evidence_fetch_batch` reach the broker together when the block
ends (on Redis in one round trip), and only those whose transaction committed. Checked on
the broker itself: the messages waiting in the queue, with Celery not running eagerly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from kombu import Exchange, Queue
from kombu.exceptions import ChannelError

from claims import services
from claims.fetch_services import evidence_monitor
from claims.models import Evidence
from tests.builders import ClaimBuilder
from tests.worker import live_celery
from verify.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)

URL = "https://news.example/levant/ghaffari-damascus-{}"


@pytest.fixture
def broker_queue() -> Iterator[None]:
    """Tasks go to the broker (Redis, or the filesystem broker without REDIS_URL), and
    nothing consumes them: the test reads the queue."""
    yield from live_celery()


def _waiting() -> int:
    with celery_app.connection_for_write() as connection:
        queue = Queue("celery", Exchange("celery"), routing_key="celery")(connection)
        queue.declare()  # as Celery does before its first send (an existing one is kept)
        try:
            return int(queue.queue_declare(passive=True).message_count)
        except ChannelError:  # Redis: an empty queue's list does not exist
            return 0


def _take_all() -> list[tuple[str, int]]:
    """Take the waiting messages off the queue: (task name, evidence id)."""
    taken = []
    with celery_app.connection_for_write() as connection:
        queue = connection.SimpleQueue("celery")
        try:
            while True:
                try:
                    message = queue.get(block=True, timeout=0.5)
                except queue.Empty:
                    break
                args, _kwargs, _embed = message.decode()
                taken.append((message.headers["task"], args[0]))
                message.ack()
        finally:
            queue.close()
    return taken


def _add(build: ClaimBuilder, number: int) -> Evidence:
    return services.evidence_add(
        claim=build.draft(), by=build.editor, kind="link", url=URL.format(number)
    )


@transaction.atomic
def _add_then_fail(build: ClaimBuilder, number: int) -> None:
    _add(build, number)
    raise RuntimeError("the editor's request failed")


def test_a_batch_sends_the_committed_links_together_when_it_ends(
    build: ClaimBuilder, broker_queue: None
) -> None:
    with services.evidence_fetch_batch():
        with transaction.atomic():
            first = _add(build, 1)
            second = _add(build, 2)
        third = _add(build, 3)  # autocommit: committed at once, held all the same
        with pytest.raises(RuntimeError):
            _add_then_fail(build, 4)  # rolled back: never sent
        with transaction.atomic(), services.evidence_fetch_batch():  # nested: joins the outer
            fourth = _add(build, 5)
        assert _waiting() == 0  # all committed, none sent yet
    assert _waiting() == 3 + 1

    task = "claims.tasks.evidence_fetch_task"
    # Sorted: the filesystem broker does not keep the order of messages sent together.
    assert sorted(_take_all()) == [(task, e.pk) for e in (first, second, third, fourth)]
    assert Evidence.objects.filter(url=URL.format(4)).exists() is False


def test_without_a_batch_each_link_is_sent_when_its_transaction_commits(
    build: ClaimBuilder, broker_queue: None
) -> None:
    with transaction.atomic():
        evidence = _add(build, 1)
        assert _waiting() == 0
    assert _take_all() == [("claims.tasks.evidence_fetch_task", evidence.pk)]


def test_a_batch_that_raises_still_sends_what_committed(
    build: ClaimBuilder, broker_queue: None
) -> None:
    added: list[Evidence] = []

    def add_then_fail() -> None:
        with services.evidence_fetch_batch():
            added.append(_add(build, 1))
            raise RuntimeError("a later step failed")

    with pytest.raises(RuntimeError):
        add_then_fail()
    (evidence,) = added
    # The row is committed and pending: its fetch is sent, not left to the sweeper.
    assert _take_all() == [("claims.tasks.evidence_fetch_task", evidence.pk)]


def test_the_link_monitor_sends_its_links_as_one_batch(
    build: ClaimBuilder, broker_queue: None, settings: Any
) -> None:
    claim = build.published()
    _take_all()  # the fetches of the links the proposal cited, sent as they were added
    old = timezone.now() - timedelta(hours=settings.LINK_MONITOR_INTERVAL_HOURS + 1)
    links = [
        Evidence.objects.create(
            claim=claim,
            kind=Evidence.Kind.LINK,
            url=URL.format(number),
            added_by=build.editor,
            fetch_state=Evidence.FetchState.FETCHED,
            fetched_at=old,
        )
        for number in range(3)
    ]
    assert evidence_monitor() == 3
    taken = _take_all()
    assert sorted(evidence_id for _task, evidence_id in taken) == [e.pk for e in links]

"""verify.broker: with REDIS_URL the app's Celery connections use kombu's Redis transport
with one Redis client per channel; messages still go through Redis both ways, and a channel
whose connection pool kombu replaced (after a fork or a reconnect) uses the new pool."""

from __future__ import annotations

import os
import uuid

import pytest
from kombu import Consumer, Queue

from verify import broker
from verify.celery import app

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


def test_the_app_uses_the_shared_client_transport() -> None:
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, broker.Transport)
        channel = connection.default_channel
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
            assert first is second
        given = object()
        with channel.conn_or_acquire(given) as client:  # a caller's own client is kept
            assert client is given


def test_messages_round_trip_and_a_replaced_pool_is_followed() -> None:
    queue = Queue(f"test-broker-{uuid.uuid4().hex}", routing_key="test-broker")
    received: list[object] = []
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        try:
            with connection.Producer() as producer:
                producer.publish({"n": 1}, routing_key=queue.name, declare=[queue])
            with channel.conn_or_acquire() as before:
                pass
            channel._disconnect_pools()  # what kombu does after a fork
            with channel.conn_or_acquire() as after:
                assert after is not before
                assert after.connection_pool is channel.pool
            with connection.Producer() as producer:
                producer.publish({"n": 2}, routing_key=queue.name, declare=[queue])

            def on_message(body: object, message: object) -> None:
                received.append(body)
                message.ack()  # type: ignore[attr-defined]

            with Consumer(channel, queues=[queue], callbacks=[on_message], accept=["json"]):
                while len(received) < 2:
                    connection.drain_events(timeout=5)
        finally:
            queue.bind(channel).delete()
    assert received == [{"n": 1}, {"n": 2}]

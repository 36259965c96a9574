"""Per-site politeness: a limit on concurrent fetches per host, shared by every worker
through Redis (process-local without Redis), and a busy site defers the task without
counting an attempt."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest
import redis
from django.utils import timezone

from claims import fetch_services
from claims.fetching.politeness import LocalSiteSlots, RedisSiteSlots, site_slot, site_slots
from claims.models import Evidence, Snapshot
from tests.builders import ClaimBuilder
from tests.fetching.conftest import PipelineSite

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")


def test_local_slots_limit_each_site_separately() -> None:
    slots = LocalSiteSlots(limit=2)
    a, b = slots.acquire("news.example"), slots.acquire("news.example")
    assert a
    assert b
    assert slots.acquire("news.example") is None
    assert slots.acquire("other.example") is not None  # another site is not held up
    slots.release("news.example", a)
    assert slots.acquire("news.example") is not None


def test_the_slot_is_released_when_the_block_fails() -> None:
    slots = LocalSiteSlots(limit=1)

    def fetch_that_fails() -> None:
        with site_slot("news.example", slots) as got:
            assert got
            assert slots.holders("news.example") == 1
            raise RuntimeError("the fetch blew up")

    with pytest.raises(RuntimeError):
        fetch_that_fails()
    assert slots.holders("news.example") == 0


@needs_redis
def test_redis_slots_are_shared_between_workers() -> None:
    prefix = f"test-{uuid.uuid4().hex}"
    one = RedisSiteSlots(redis.Redis.from_url(REDIS_URL), limit=2, hold_seconds=30, prefix=prefix)
    two = RedisSiteSlots(redis.Redis.from_url(REDIS_URL), limit=2, hold_seconds=30, prefix=prefix)
    first, second = one.acquire("news.example"), two.acquire("news.example")
    assert first
    assert second
    assert one.acquire("news.example") is None
    assert two.acquire("news.example") is None
    two.release("news.example", first)  # any worker may release a token
    assert one.acquire("news.example") is not None
    one.client.delete(one._key("news.example"))


@needs_redis
def test_redis_slots_of_a_dead_worker_expire() -> None:
    prefix = f"test-{uuid.uuid4().hex}"
    slots = RedisSiteSlots(
        redis.Redis.from_url(REDIS_URL), limit=1, hold_seconds=0.3, prefix=prefix
    )
    assert slots.acquire("news.example") is not None  # never released: its worker died
    assert slots.acquire("news.example") is None
    time.sleep(0.4)
    assert slots.acquire("news.example") is not None
    slots.client.delete(slots._key("news.example"))


def test_the_configured_slots_follow_the_settings(settings: Any) -> None:
    settings.FETCH_PER_SITE_CONCURRENCY = 3
    slots = site_slots()
    assert isinstance(slots, RedisSiteSlots if settings.REDIS_URL else LocalSiteSlots)
    assert slots.limit == 3
    assert site_slots() is slots


@pytest.mark.django_db
def test_a_busy_site_defers_the_fetch_without_counting_an_attempt(
    build: ClaimBuilder, fetch_settings: Any, pipeline_site: PipelineSite
) -> None:
    fetch_settings.FETCH_PER_SITE_CONCURRENCY = 1
    evidence = Evidence.objects.create(
        claim=build.draft(),
        kind="link",
        url=pipeline_site.copy("/article", "/polite"),
        fetch_state=Evidence.FetchState.PENDING,
        added_by=build.editor,
    )
    slots = site_slots()
    token = slots.acquire("127.0.0.1")  # another worker is fetching from the site
    assert token is not None
    try:
        step = fetch_services.evidence_fetch(evidence_id=evidence.pk)
    finally:
        slots.release("127.0.0.1", token)

    assert step.state == Evidence.FetchState.PENDING
    assert step.retry_in is not None
    assert step.retry_in >= fetch_settings.FETCH_SITE_BUSY_RETRY_SECONDS
    assert step.retry_in <= 2 * fetch_settings.FETCH_SITE_BUSY_RETRY_SECONDS
    evidence.refresh_from_db()
    # The claim is given back: pending, no lease, the delivery not counted.
    assert (evidence.fetch_state, evidence.fetch_lease_until) == ("pending", None)
    assert (evidence.fetch_attempts, evidence.fetch_deliveries) == (0, 0)
    assert evidence.fetch_next_at is not None
    assert evidence.fetch_next_at > timezone.now()  # not lost: the sweeper leaves it alone
    assert not Snapshot.objects.exists()
    assert pipeline_site.hits("/polite") == 0

    assert fetch_services.evidence_fetch(evidence_id=evidence.pk).state == "fetched"
    assert slots.holders("127.0.0.1") == 0  # released after the fetch

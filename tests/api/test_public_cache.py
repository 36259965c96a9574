"""The public cache's moving parts on their own: the generation as each process sees it, the
per-process layer, and the batched throttle counts."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import public_cache
from claims.api.public import _BatchedCounts

pytestmark = pytest.mark.django_db
LIST = "/api/v1/public/claims/"


def test_a_bump_from_another_process_is_seen_within_the_check_interval(anon, publish, settings):
    settings.PUBLIC_GENERATION_CHECK_SECONDS = 0.3
    publish("Before")
    before = anon.get(LIST)
    publish("After")  # no after-commit hooks here: nothing told this process
    # Another web process published and bumped the shared generation:
    cache.set(public_cache.GENERATION_KEY, public_cache.generation() + 1, timeout=None)

    assert anon.get(LIST).content == before.content  # this process has not looked yet
    time.sleep(0.35)
    assert len(anon.get(LIST).json()["results"]) == 2


def test_a_bump_in_this_process_is_seen_at_once(anon, publish, settings):
    settings.PUBLIC_GENERATION_CHECK_SECONDS = 3600
    publish("Before")
    assert len(anon.get(LIST).json()["results"]) == 1
    publish("After")

    public_cache.generation_bump()

    assert len(anon.get(LIST).json()["results"]) == 2


def test_entries_of_an_old_generation_are_never_served(anon, publish):
    publish("Only")
    first = anon.get(LIST)
    with CaptureQueriesContext(connection) as cached:
        anon.get(LIST)
    public_cache.generation_bump()

    with CaptureQueriesContext(connection) as rendered:
        again = anon.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert len(cached.captured_queries) == 0
    assert len(rendered.captured_queries) > 0  # rendered afresh...
    assert again.status_code == 304  # ...to the same body: the strong ETag still matches


def test_batched_counts_hold_the_limit_across_processes():
    one, two = _BatchedCounts(), _BatchedCounts()  # two web processes, one shared cache
    allowed = 0
    for i in range(400):
        process = one if i % 2 else two
        used = process.add("client:1", window=1, timeout=60, limit=100, batch=10)
        allowed += used <= 100

    assert 100 <= allowed <= 100 + 2 * (10 - 1)
    assert cache.get("client:1") >= 380  # every request but the last unreported ones


def test_small_limits_are_exact():
    counts = _BatchedCounts()

    used = [counts.add("client:2", window=1, timeout=60, limit=3, batch=1) for _ in range(5)]

    assert used == [1, 2, 3, 4, 5]

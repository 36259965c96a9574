"""GET /api/v1/public/claims/: published checks only, newest first, cursor pagination,
filters, a query count that does not grow with the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.workflow import Action, TransitionInput, transition_apply

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/claims/"


def _codes(response) -> list[str]:
    return [item["code"] for item in response.json()["results"]]


def test_lists_published_claims_newest_first_and_nothing_else(anon, publish, build, reopen):
    older = publish("Older claim")
    newer = publish("Newer claim")
    under_correction = publish("Being corrected")
    reopen(under_correction)
    for status in ("draft", "in_verification", "awaiting_approval", "withdrawn"):
        build.in_state(status)

    response = anon.get(URL)

    assert response.status_code == 200
    assert _codes(response) == [str(under_correction.code), str(newer.code), str(older.code)]
    assert response.json()["next"] is None


def test_withdrawn_after_publication_leaves_the_list(anon, publish, build):
    kept = publish("Kept")
    gone = publish("Gone")
    transition_apply(
        claim=gone, action=Action.REOPEN, by=build.editor, data=TransitionInput(reason="x")
    )
    transition_apply(
        claim=gone, action=Action.WITHDRAW, by=build.editor, data=TransitionInput(reason="y")
    )

    assert _codes(anon.get(URL)) == [str(kept.code)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("verdict=false", {"a"}),
        ("verdict=true", {"b"}),
        ("normalized=FALSE", {"a"}),
        ("normalized=TRUE", {"b"}),
        ("language=fr", {"b"}),
        ("language=fr-CA", {"b"}),
        ("language=en", {"a", "c"}),
        ("claimant=minister%20of%20water", {"a", "c"}),
        ("claimant=Someone%20Else", {"b"}),
        ("tag=health", {"b"}),
        ("tag=floods", {"a", "c"}),
        ("verdict=unproven", {"c"}),
    ],
)
def test_filters(anon, publish, query, expected):
    made = {
        "a": publish("Claim A", rating="false"),
        "b": publish(
            "Claim B", rating="true", language="fr", tags=("health",), claimant="Someone Else"
        ),
        "c": publish("Claim C", rating="unproven"),
    }
    names = {str(claim.code): name for name, claim in made.items()}

    response = anon.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert {names[code] for code in _codes(response)} == expected


def test_updated_since_filters_on_the_latest_publication(anon, publish):
    publish("Old one")
    cutoff = timezone.now()
    recent = publish("Recent one")

    response = anon.get(URL, {"updated_since": cutoff.isoformat()})

    assert _codes(response) == [str(recent.code)]
    future = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert _codes(anon.get(URL, {"updated_since": future})) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("normalized=MAYBE", "normalized"),
        ("updated_since=yesterday", "updated_since"),
        ("language=%3Cscript%3E", "language"),
        ("verdict=no%20spaces", "verdict"),
    ],
)
def test_bad_filters_are_400_naming_the_field(anon, query, field):
    response = anon.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_bad_cursor_is_404_in_the_error_shape(anon):
    response = anon.get(URL, {"cursor": "garbage"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_cursor_pages_stay_stable_while_new_claims_are_published(anon, publish):
    first_five = [publish(f"Claim {i}") for i in range(5)]
    expected = [str(c.code) for c in reversed(first_five)]

    page1 = anon.get(URL, {"page_size": 2}).json()
    publish("Published between page 1 and 2")
    publish("Published between page 1 and 2, again")
    page2 = anon.get(page1["next"]).json()
    publish("Published between page 2 and 3")
    page3 = anon.get(page2["next"]).json()

    seen = [item["code"] for page in (page1, page2, page3) for item in page["results"]]
    assert seen == expected
    assert page3["next"] is None
    assert page1["next"].startswith("https://verify.example/api/v1/public/claims/?")


def test_page_size_is_bounded(anon, publish):
    for i in range(3):
        publish(f"Claim {i}")

    assert len(anon.get(URL, {"page_size": 2}).json()["results"]) == 2
    assert len(anon.get(URL, {"page_size": 1000}).json()["results"]) == 3


def _queries_for_page(anon, size: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = anon.get(URL, {"page_size": size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == size
    return len(ctx.captured_queries)


def test_query_count_of_an_uncached_page_is_constant_in_its_size(anon, publish, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    for i in range(6):
        publish(f"Claim {i}", tags=("floods", f"tag-{i}"))

    small, large = _queries_for_page(anon, 1), _queries_for_page(anon, 6)

    assert small == large == 6  # page, tags, history, public evidence, snapshots, scale


def test_a_cached_page_needs_no_query(anon, publish):
    publish()
    anon.get(URL)

    with CaptureQueriesContext(connection) as ctx:
        assert anon.get(URL).status_code == 200

    assert len(ctx.captured_queries) == 0

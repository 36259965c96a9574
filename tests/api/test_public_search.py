"""GET /api/v1/public/claims:search: Google Fact Check Tools `claims:search`, same request
and response shape."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/claims:search"


def test_response_has_the_fact_check_tools_shape(anon, publish):
    claim = publish("The dam holds two billion cubic metres", claim_date=dt.date(2024, 11, 30))

    response = anon.get(URL, {"query": "dam billion", "languageCode": "en-US"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"claims"}
    (found,) = body["claims"]
    assert found["text"] == claim.statement
    assert found["claimant"] == "Minister of Water"
    assert found["claimDate"] == "2024-11-30T00:00:00Z"
    (review,) = found["claimReview"]
    assert review == {
        "publisher": {"name": "Verify Desk", "site": "verify.example"},
        "url": f"https://verify.example/checks/{claim.code}/",
        "title": f"Fact check: {claim.statement}",
        "reviewDate": review["reviewDate"],
        "textualRating": "False",
        "languageCode": "en",
    }
    assert review["reviewDate"].endswith("Z")


def test_query_matches_every_term_in_statement_or_claimant(anon, publish):
    publish("The dam holds water")
    publish("Bridges are safe", claimant="Dam Authority")
    publish("Nothing relevant")

    texts = {c["text"] for c in anon.get(URL, {"query": "dam"}).json()["claims"]}
    assert texts == {"The dam holds water", "Bridges are safe"}
    texts = {c["text"] for c in anon.get(URL, {"query": "DAM water"}).json()["claims"]}
    assert texts == {"The dam holds water"}


def test_page_tokens_walk_every_result_once(anon, publish):
    made = [publish(f"Flood report number {i}") for i in range(5)]

    seen, token, pages = [], None, 0
    while True:
        params = {"query": "flood", "pageSize": 2}
        if token:
            params["pageToken"] = token
        body = anon.get(URL, params).json()
        seen += [c["text"] for c in body["claims"]]
        pages += 1
        token = body.get("nextPageToken")
        if not token:
            break

    assert pages == 3
    assert seen == [c.statement for c in reversed(made)]


def test_language_site_and_age_filters(anon, publish):
    publish("Le barrage est plein", language="fr")
    publish("The barrage is full", claim_date=dt.date(2001, 1, 1))

    french = anon.get(URL, {"query": "barrage", "languageCode": "fr"}).json()["claims"]
    assert [c["text"] for c in french] == ["Le barrage est plein"]
    ours = anon.get(URL, {"reviewPublisherSiteFilter": "verify.example"}).json()["claims"]
    assert len(ours) == 2
    theirs = anon.get(URL, {"reviewPublisherSiteFilter": "other.example"}).json()
    assert theirs == {"claims": []}
    # Reviewed today, so a recent review keeps even an old claim in range.
    assert len(anon.get(URL, {"query": "barrage", "maxAgeDays": 1}).json()["claims"]) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"query": "x", "pageSize": 0}, "pageSize"),
        ({"query": "x", "pageToken": "!!not-a-token!!"}, "pageToken"),
        ({"query": "x", "maxAgeDays": -3}, "maxAgeDays"),
    ],
)
def test_bad_requests_are_400_naming_the_parameter(anon, params, field):
    response = anon.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_without_query_or_site_every_check_is_listed(anon, publish):
    publish("One")
    publish("Two")

    assert [c["text"] for c in anon.get(URL).json()["claims"]] == ["Two", "One"]


def test_unpublished_claims_are_never_found(anon, build):
    build.awaiting(statement="Secret dam claim under review")

    assert anon.get(URL, {"query": "secret"}).json() == {"claims": []}


def test_query_count_is_constant_in_the_page_size(anon, publish, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_CACHE_SECONDS = 0
    for i in range(6):
        publish(f"Flood claim {i}")

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            body = anon.get(URL, {"query": "flood", "pageSize": size}).json()
        assert len(body["claims"]) == size
        return len(ctx.captured_queries)

    assert count(1) == count(6) == 1  # one query: the page (the generation is in the cache)

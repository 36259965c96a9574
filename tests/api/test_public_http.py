"""HTTP behaviour of the public API: strong ETags and 304s, Last-Modified, caching headers,
gzip, throttling, CORS, no cookies, and server-side cache invalidation on publish,
correction and withdrawal."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client
from django.utils.http import http_date

from claims.workflow import Action, TransitionInput, transition_apply

pytestmark = pytest.mark.django_db
LIST = "/api/v1/public/claims/"


def test_strong_etag_and_304_on_if_none_match(anon, publish):
    publish()
    first = anon.get(LIST)
    etag = first["ETag"]

    again = anon.get(LIST, HTTP_IF_NONE_MATCH=etag)

    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert anon.get(LIST, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_last_modified_and_if_modified_since(anon, publish):
    publish()
    first = anon.get(LIST)
    last_modified = first["Last-Modified"]

    assert anon.get(LIST, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert anon.get(LIST, HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200


def test_cache_headers(anon, publish, settings):
    settings.PUBLIC_CACHE_MAX_AGE = 90
    claim = publish()

    for url in (LIST, f"{LIST}{claim.code}/", f"{LIST}{claim.code}/claimreview/"):
        response = anon.get(url)
        assert response["Cache-Control"] == "public, max-age=90"
        assert "Accept-Encoding" in response["Vary"]
        assert "Cookie" not in response.get("Vary", "")
        assert not response.cookies


def test_gzip_has_its_own_strong_etag(anon, publish):
    publish()
    plain = anon.get(LIST)

    zipped = anon.get(LIST, HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] != plain["ETag"]
    assert not zipped["ETag"].startswith("W/")
    assert (
        anon.get(LIST, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code
        == 304
    )


def test_head_answers_like_get(anon, publish):
    publish()
    get = anon.get(LIST)

    head = anon.head(LIST)

    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]


def test_throttled_clients_get_429_with_retry_after(anon, settings):
    settings.PUBLIC_API_RATE = "3/min"

    answers = [anon.get(LIST) for _ in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    throttled = answers[-1]
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["error"]["code"] == "throttled"


def test_cors_allows_get_from_any_origin_without_credentials(anon, publish):
    publish()

    response = anon.get(LIST, HTTP_ORIGIN="https://reader.example")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "origin" in response["Vary"].lower()


def test_cors_preflight_allows_only_safe_methods(anon):
    response = anon.options(
        LIST,
        HTTP_ORIGIN="https://reader.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response.status_code == 200
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_no_cors_on_the_newsroom_api(editor, client_for):
    response = client_for(editor).get("/api/v1/claims/", HTTP_ORIGIN="https://evil.example")

    assert "Access-Control-Allow-Origin" not in response


def test_a_session_cookie_is_neither_needed_nor_used(publish, editor):
    claim = publish()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    response = browser.get(f"{LIST}{claim.code}/")

    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_bad_token_is_ignored_on_public_endpoints(publish):
    claim = publish()
    client = Client(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get(f"{LIST}{claim.code}/").status_code == 200


def test_publication_invalidates_cached_responses(
    anon, publish, build, django_capture_on_commit_callbacks
):
    publish("First")
    assert len(anon.get(LIST).json()["results"]) == 1
    awaiting = build.awaiting(statement="Second")

    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(claim=awaiting, action=Action.APPROVE, by=build.approver)

    assert len(anon.get(LIST).json()["results"]) == 2


def test_correction_invalidates_cached_responses(
    anon, publish, reopen, build, django_capture_on_commit_callbacks
):
    claim = publish()
    url = f"{LIST}{claim.code}/"
    assert anon.get(url).json()["verdict"]["slug"] == "false"
    old_etag = anon.get(url)["ETag"]
    reopen(claim, rating="true")

    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(claim=claim, action=Action.APPROVE, by=build.approver)

    response = anon.get(url, HTTP_IF_NONE_MATCH=old_etag)
    assert response.status_code == 200
    assert response.json()["verdict"]["slug"] == "true"


def test_withdrawal_invalidates_cached_responses(
    anon, publish, build, django_capture_on_commit_callbacks
):
    claim = publish()
    url = f"{LIST}{claim.code}/"
    assert anon.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(
            claim=claim, action=Action.REOPEN, by=build.editor, data=TransitionInput(reason="x")
        )
    assert anon.get(url).status_code == 200  # reopened: still the last published version

    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(
            claim=claim,
            action=Action.WITHDRAW,
            by=build.editor,
            data=TransitionInput(reason="Misattributed."),
        )

    assert anon.get(url).status_code == 410
    assert anon.get(LIST).json()["results"] == []


def test_evidence_made_public_invalidates(
    anon, publish, editor, django_capture_on_commit_callbacks
):
    from claims import services

    claim = publish()
    url = f"{LIST}{claim.code}/"
    assert len(anon.get(url).json()["sources"]) == 1
    private = claim.evidence.get(is_public=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_update(evidence=private, by=editor, is_public=True)

    assert len(anon.get(url).json()["sources"]) == 2

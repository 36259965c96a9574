"""The intake API: jobs, candidates with duplicates, claims in one step, the duplicates
endpoint, and the public "has this been checked?" (which only ever shows public versions)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import services
from claims.intake_services import intake_from_text
from claims.models import Claim, IntakeJob, User
from claims.workflow import Action, TransitionInput, transition_apply
from tests.builders import STATEMENT, ClaimBuilder
from tests.intake_app.conftest import ARTICLE_TEXT, GHAFFARI, HEZBOLLAH, postgres_extra_queries

pytestmark = pytest.mark.django_db

JOBS = reverse("intake_api:jobs")
DUPLICATES = reverse("intake_api:claim-duplicates")
CHECKED = reverse("intake_api:public-checked")


def _api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    cache.clear()  # the public endpoint's rate limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def job(editor: User) -> IntakeJob:
    return intake_from_text(by=editor, text=ARTICLE_TEXT, title="Army chief")


def _index(job: IntakeJob, text: str) -> int:
    return next(i for i, c in enumerate(job.candidates) if c["text"] == text)


def _newsroom_calls(job: IntakeJob) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("post", JOBS, {"text": ARTICLE_TEXT}),
        ("get", reverse("intake_api:job", args=[job.code]), {}),
        (
            "post",
            reverse("intake_api:job-claims", args=[job.code]),
            {"selections": [{"candidate": 0}]},
        ),
        ("post", DUPLICATES, {"text": GHAFFARI}),
    ]


def test_anonymous_requests_get_401(job: IntakeJob) -> None:
    client = _api(None)
    for method, url, data in _newsroom_calls(job):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("persona", ["reviewer", "approver", "outsider"])
def test_only_editors_use_the_intake_api(
    personas: dict[str, User], persona: str, job: IntakeJob
) -> None:
    client = _api(personas[persona])
    for method, url, data in _newsroom_calls(job):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "forbidden"
    assert IntakeJob.objects.count() == 1
    assert Claim.objects.count() == 0


def test_session_login_works_too(editor: User, job: IntakeJob) -> None:
    client = APIClient()
    client.force_login(editor)
    assert client.get(reverse("intake_api:job", args=[job.code])).status_code == 200


def test_text_gives_a_ready_job_with_candidates_and_duplicates(editor: User) -> None:
    existing = services.claim_create(by=editor, statement=GHAFFARI)
    response = _api(editor).post(JOBS, {"text": ARTICLE_TEXT, "title": "Army chief"}, format="json")
    assert response.status_code == 201
    body = response.json()
    job = IntakeJob.objects.get()
    assert response["Location"].endswith(reverse("intake_api:job", args=[job.code]))
    assert body["state"] == "ready"
    assert body["text"] == job.text
    candidates = body["candidates"]
    assert [c["score"] for c in candidates] == sorted(
        (c["score"] for c in candidates), reverse=True
    )
    ghaffari = next(c for c in candidates if c["text"] == GHAFFARI)
    assert body["text"][ghaffari["start"] : ghaffari["end"]] == GHAFFARI
    assert ghaffari["attribution_chain"] == ["Iran International", "Al-Alam"]
    assert ghaffari["claimant"] == "Al-Alam"
    assert ghaffari["reasons"]
    (duplicate,) = ghaffari["duplicates"]
    assert duplicate["code"] == str(existing.code)
    assert duplicate["exact"] is True
    assert duplicate["summary"].startswith("draft, logged on ")
    assert next(c for c in candidates if c["text"] == HEZBOLLAH)["hedged"] is True


def test_a_url_gives_a_pending_job_the_worker_completes(
    editor: User, site: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = _api(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOBS, {"url": f"{site}/article"}, format="json")
    assert response.status_code == 202
    assert response.json()["state"] == "pending"
    assert response.json()["candidates"] == []
    body = client.get(response["Location"]).json()
    assert body["state"] == "ready"
    assert body["source"] == {
        "url": f"{site}/article",
        "title": "Iran's army chief works the phones",
    }
    assert any(c["text"] == GHAFFARI for c in body["candidates"])


def test_a_blocked_url_ends_failed(editor: User, django_capture_on_commit_callbacks: Any) -> None:
    client = _api(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOBS, {"url": "http://127.0.0.1:9/"}, format="json")
    body = client.get(response["Location"]).json()
    assert body["state"] == "failed"
    assert body["error"]


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "text"), ({"text": "  "}, "text"), ({"url": "ftp://x.example/"}, "url")],
)
def test_bad_requests_get_the_error_shape(editor: User, data: dict[str, str], field: str) -> None:
    response = _api(editor).post(JOBS, data, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert IntakeJob.objects.count() == 0


def test_selections_become_claims_all_or_nothing(editor: User, job: IntakeJob) -> None:
    url = reverse("intake_api:job-claims", args=[job.code])
    g, h = _index(job, GHAFFARI), _index(job, HEZBOLLAH)
    bad = _api(editor).post(
        url,
        {"selections": [{"candidate": g}, {"candidate": h, "start": 5, "end": 10**7}]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("Row 2")
    assert Claim.objects.count() == 0
    response = _api(editor).post(
        url,
        {
            "selections": [
                {"candidate": g, "claimant_kind": "media"},
                {"candidate": h, "statement": "Hezbollah may have lost over 3,000 fighters."},
            ]
        },
        format="json",
    )
    assert response.status_code == 201
    first, second = response.json()["claims"]
    assert first["excerpt"] == GHAFFARI
    assert job.text[first["excerpt_start"] : first["excerpt_end"]] == GHAFFARI
    assert second["statement"] == "Hezbollah may have lost over 3,000 fighters."
    assert Claim.objects.count() == 2


def test_unknown_jobs_are_404(editor: User) -> None:
    url = reverse("intake_api:job", args=["00000000-0000-0000-0000-000000000000"])
    assert _api(editor).get(url).status_code == 404


def test_the_duplicates_endpoint(editor: User, build: ClaimBuilder) -> None:
    published = build.published()
    paraphrase = build.draft(statement="Javad Ghaffari has arrived in Damascus, on Tuesday.")
    build.draft(statement="Ghaffari arrived in Baghdad on Tuesday.")
    response = _api(editor).post(DUPLICATES, {"text": STATEMENT}, format="json")
    assert response.status_code == 200
    matches = response.json()["matches"]
    assert [m["code"] for m in matches][:1] == [str(published.code)]
    assert matches[0]["exact"] is True
    assert matches[0]["verdict"] == "True"
    assert matches[0]["summary"].startswith("published True on ")
    assert str(paraphrase.code) in [m["code"] for m in matches]
    excluded = _api(editor).post(
        DUPLICATES, {"text": STATEMENT, "exclude": str(published.code), "limit": 1}, format="json"
    )
    assert [m["code"] for m in excluded.json()["matches"]] == [str(paraphrase.code)]
    assert _api(editor).post(DUPLICATES, {"text": ""}, format="json").status_code == 400


def test_the_duplicates_endpoint_has_a_fixed_query_count(
    editor: User, django_assert_num_queries: Any
) -> None:
    client = _api(editor)
    client.post(DUPLICATES, {"text": "warm up"}, format="json")
    # token with its user, user and group permissions, candidate pool, matched claims with
    # their verdicts and publications
    expected = 5 + postgres_extra_queries()
    for count in (1, 8):
        for n in range(count):
            services.claim_create(
                by=editor, statement=f"Ghaffari arrived in Damascus on Tuesday {n}."
            )
        with django_assert_num_queries(expected):
            response = client.post(
                DUPLICATES, {"text": "Ghaffari arrived in Damascus on Tuesday."}, format="json"
            )
        assert response.json()["matches"]


def test_public_checked_shows_published_claims_only(build: ClaimBuilder) -> None:
    published = build.published()
    for state in ("draft", "in_verification", "awaiting_approval", "withdrawn"):
        build.in_state(state)  # the same statement, in every unpublished state
    response = APIClient().get(CHECKED, {"query": "Did Javad Ghaffari arrive in Damascus?"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["code"] for r in results] == [str(published.code)]
    (result,) = results
    assert result["verdict"] == {"label": "True", "normalized": "TRUE"}
    assert result["statement"] == STATEMENT
    assert set(result) == {
        "code",
        "statement",
        "claimant",
        "verdict",
        "published_at",
        "correction",
        "score",
        "exact",
    }


def test_public_checked_reads_the_public_version_not_internal_edits(
    build: ClaimBuilder,
) -> None:
    claim = build.published()
    claim = transition_apply(
        claim=claim,
        action=Action.REOPEN,
        by=build.editor,
        data=TransitionInput(reason="Check the date."),
    )
    services.claim_update(
        claim=claim,
        by=build.editor,
        fields={"statement": STATEMENT.replace("Tuesday", "Wednesday"), "internal_notes": "secret"},
    )
    body = APIClient().get(CHECKED, {"query": STATEMENT}).json()
    (result,) = body["results"]
    assert result["statement"] == STATEMENT  # the published wording
    assert result["exact"] is True
    assert "secret" not in str(body)
    assert "Wednesday" not in str(body)


def test_public_checked_needs_a_query_and_nothing_else(build: ClaimBuilder) -> None:
    client = APIClient()
    assert client.get(CHECKED).status_code == 400
    assert client.get(CHECKED, {"query": ""}).status_code == 400
    assert client.get(CHECKED, {"query": "x" * 2001}).status_code == 400
    assert client.get(CHECKED, {"query": "anything"}).json()["results"] == []
    assert client.post(CHECKED, {"query": "anything"}).status_code == 405


def test_public_checked_is_rate_limited() -> None:
    client = APIClient()
    statuses = [client.get(CHECKED, {"query": "anything"}).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429

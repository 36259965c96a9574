"""GET /api/v1/public/claims/<code>/: one published check, 410 when withdrawn, the same 404
for unknown and unpublished codes, and the last published version during a correction."""

from __future__ import annotations

import uuid

import pytest

from claims.models import Claim
from claims.workflow import Action, TransitionInput, transition_apply

pytestmark = pytest.mark.django_db


def _url(code: object) -> str:
    return f"/api/v1/public/claims/{code}/"


def test_published_claim_shows_its_public_version(anon, publish):
    claim = publish(claim_date=None)

    response = anon.get(_url(claim.code))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == str(claim.code)
    assert body["text"] == claim.statement
    assert body["claimant"] == "Minister of Water"
    assert body["language"] == "en"
    assert body["tags"] == ["floods"]
    assert body["appearances"][0]["url"].startswith("https://news.example.org/")
    assert body["verdict"] == {
        "label": "False",
        "slug": "false",
        "value": 1,
        "best": 5,
        "worst": 1,
        "normalized": "FALSE",
        "colour": "#b91c1c",
        "explanation": "Records show one flood.",
    }
    assert body["version"] == 1
    assert body["published_at"] == body["updated_at"]
    assert [s["title"] for s in body["sources"]] == ["Rainfall records"]
    assert body["sources"][0]["stance"] == "refutes"
    assert [v["version"] for v in body["history"]] == [1]
    assert body["url"] == f"https://verify.example/checks/{claim.code}/"
    assert body["claimreview_url"].endswith(f"/api/v1/public/claims/{claim.code}/claimreview/")


def test_internal_fields_never_appear(anon, publish):
    claim = publish()

    text = anon.get(_url(claim.code)).content.decode()

    assert "INTERNAL" not in text
    assert "PRIVATE" not in text
    assert "internal_notes" not in text


def test_unknown_unpublished_and_malformed_codes_answer_the_same_404(anon, build):
    draft = build.draft()
    in_verification = build.submitted()
    awaiting = build.awaiting()
    never_published_withdrawn = build.withdrawn()

    answers = [
        anon.get(_url(code))
        for code in (
            uuid.uuid4(),
            draft.code,
            in_verification.code,
            awaiting.code,
            never_published_withdrawn.code,
            "not-a-code",
        )
    ]

    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert answers[0].json()["error"]["code"] == "not_found"
    assert len({r["ETag"] for r in answers}) == 1


def test_withdrawn_after_publication_answers_410_with_the_reason(anon, publish, build):
    claim = publish()
    transition_apply(
        claim=claim, action=Action.REOPEN, by=build.editor, data=TransitionInput(reason="Check")
    )
    transition_apply(
        claim=claim,
        action=Action.WITHDRAW,
        by=build.editor,
        data=TransitionInput(reason="The quote was misattributed."),
    )

    response = anon.get(_url(claim.code))

    assert response.status_code == 410
    error = response.json()["error"]
    assert error["code"] == "withdrawn"
    assert "The quote was misattributed." in error["message"]


def test_claim_under_correction_keeps_its_last_published_version(anon, publish, reopen, editor):
    from claims import services

    claim = publish()
    reopen(claim, rating="true", reasoning="PENDING: new data says true")
    services.claim_update(claim=claim, by=editor, fields={"statement": "EDITED during correction"})
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.AWAITING_APPROVAL

    body = anon.get(_url(claim.code)).json()

    assert body["verdict"]["slug"] == "false"
    assert body["text"] == "The river flooded the capital twice this year."
    assert "PENDING" not in str(body)
    assert "EDITED" not in str(body)


def test_a_correction_becomes_public_with_its_history(anon, publish, reopen, build):
    claim = publish()
    reopen(claim, rating="true", reasoning="Corrected: both floods happened.")

    transition_apply(claim=claim, action=Action.APPROVE, by=build.approver)
    body = anon.get(_url(claim.code)).json()

    assert body["version"] == 2
    assert body["verdict"]["slug"] == "true"
    assert body["verdict"]["explanation"] == "Corrected: both floods happened."
    assert [(v["version"], v["verdict"]) for v in body["history"]] == [(1, "False"), (2, "True")]
    assert body["history"][1]["correction_note"] == "New rainfall data came in."
    assert body["published_at"] < body["updated_at"]


def test_public_links_show_their_newest_snapshot(anon, publish):
    from datetime import timedelta

    from django.utils import timezone

    from claims.models import Evidence, Snapshot

    claim = publish()
    link = Evidence.objects.get(claim=claim, is_public=True)
    now = timezone.now()
    for age, digest, outcome in ((2, "a" * 64, "ok"), (1, "b" * 64, "ok"), (0, "", "timeout")):
        Snapshot.objects.create(
            evidence=link,
            requested_url=link.url,
            final_url=link.url,
            outcome=outcome,
            body_sha256=digest,
            fetched_at=now - timedelta(hours=age),
        )

    (source,) = anon.get(_url(claim.code)).json()["sources"]

    assert source["sha256"] == "b" * 64  # the newest successful one
    assert source["snapshot_at"].startswith((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H"))

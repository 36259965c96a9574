"""Comments (with mentions), the event log, proposals and the rating scale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_comment_with_mention(editor, reviewer, client_for, build):
    claim = build.draft()
    client = client_for(editor)

    created = client.post(
        f"/api/v1/claims/{claim.code}/comments/",
        {"body": "@reviewer can you check the airport footage?"},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["mentions"] == ["reviewer"]
    listed = client.get(f"/api/v1/claims/{claim.code}/comments/").json()["results"]
    assert [c["body"] for c in listed] == ["@reviewer can you check the airport footage?"]


def test_empty_or_huge_comments_name_the_body(editor, client_for, build):
    url = f"/api/v1/claims/{build.draft().code}/comments/"
    client = client_for(editor)

    assert "body" in client.post(url, {"body": " "}, format="json").json()["error"]["fields"]
    huge = client.post(url, {"body": "x" * 10_001}, format="json")
    assert "body" in huge.json()["error"]["fields"]


def test_events_are_the_audit_log_oldest_first(editor, client_for, build):
    claim = build.published()

    events = client_for(editor).get(f"/api/v1/claims/{claim.code}/events/").json()["results"]

    assert events[0]["action"] == "claim.created"
    assert events[-1]["action"] == "claim.published"
    assert events[-1]["actor"] == "approver"


def test_ratings_list_the_active_scale(editor, client_for):
    body = client_for(editor).get("/api/v1/ratings/").json()

    assert [r["slug"] for r in body][:2] == ["true", "mostly-true"]
    assert body[0]["normalized"] == "TRUE"


def test_list_query_counts_are_constant(editor, client_for, build):
    from claims import services
    from claims.workflow import Action, TransitionInput, transition_apply

    client = client_for(editor)
    claim = build.awaiting()
    urls = [
        f"/api/v1/claims/{claim.code}/comments/",
        f"/api/v1/claims/{claim.code}/events/",
        f"/api/v1/claims/{claim.code}/proposals/",
        "/api/v1/ratings/",
    ]
    services.comment_add(claim=claim, by=editor, body="@reviewer first")
    for url in urls:
        client.get(url)
    before = [_count(client, url) for url in urls]

    for i in range(3):
        services.comment_add(claim=claim, by=editor, body=f"@reviewer @approver note {i}")
    transition_apply(
        claim=claim, action=Action.SEND_BACK, by=build.approver, data=TransitionInput(comment="c")
    )
    transition_apply(
        claim=claim, action=Action.PROPOSE, by=build.reviewer, data=build.proposal_input(claim)
    )

    assert [_count(client, url) for url in urls] == before

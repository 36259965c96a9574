"""Assignments, declining, the reviewer queue and take-next."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Assignment

pytestmark = pytest.mark.django_db


def test_assign_and_list(editor, reviewer2, client_for, build):
    claim = build.submitted()
    client = client_for(editor)

    created = client.post(
        f"/api/v1/claims/{claim.code}/assignments/",
        {"user": "reviewer2", "role": "reviewer", "due_date": "2030-01-31"},
        format="json",
    )

    assert created.status_code == 201, created.content
    listed = client.get(f"/api/v1/claims/{claim.code}/assignments/").json()
    assert [(a["user"], a["role"], a["state"]) for a in listed] == [
        ("reviewer", "reviewer", "open"),
        ("reviewer2", "reviewer", "open"),
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"user": "nobody", "role": "reviewer"}, "user"),
        ({"user": "editor", "role": "reviewer"}, "user"),  # editors cannot review
        ({"user": "reviewer2", "role": "boss"}, "role"),
        # found by schemathesis on PostgreSQL: a NUL reached the username lookup (a 500)
        ({"user": "1\x00reviewer2", "role": "approver"}, "user"),
    ],
)
def test_invalid_assignment_names_the_field(editor, reviewer2, client_for, build, payload, field):
    response = client_for(editor).post(
        f"/api/v1/claims/{build.submitted().code}/assignments/", payload, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_only_the_assignee_declines(editor, reviewer, client_for, build):
    claim = build.submitted()
    assignment = Assignment.objects.get(claim=claim, user=reviewer)
    url = f"/api/v1/claims/{claim.code}/assignments/{assignment.pk}/decline/"

    assert client_for(editor).post(url, {"reason": "x"}, format="json").status_code == 403
    declined = client_for(reviewer).post(url, {"reason": "Conflict."}, format="json")

    assert declined.status_code == 200
    assert declined.json()["state"] == "declined"
    again = client_for(reviewer).post(url, {"reason": "Again."}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "conflict"


def test_queue_lists_my_open_claims_most_urgent_first(reviewer, client_for, build):
    low = build.submitted(priority=0)
    urgent = build.submitted(priority=3)
    build.awaiting()  # proposed: no longer open for the reviewer

    body = client_for(reviewer).get("/api/v1/queue/").json()

    assert [c["code"] for c in body] == [str(urgent.code), str(low.code)]


def test_take_next_assigns_the_most_urgent_unassigned_claim(reviewer, reviewer2, client_for, build):
    from claims.workflow import Action, transition_apply

    waiting = transition_apply(claim=build.draft(), action=Action.SUBMIT, by=build.editor)
    client = client_for(reviewer2)

    taken = client.post("/api/v1/queue/take-next/", {}, format="json")

    assert taken.status_code == 201
    assert taken.json()["code"] == str(waiting.code)
    assert Assignment.objects.filter(claim=waiting, user=reviewer2, state="open").exists()
    assert client.post("/api/v1/queue/take-next/", {}, format="json").status_code == 204


def test_queue_query_count_is_constant(reviewer, client_for, build):
    client = client_for(reviewer)
    build.submitted(tags=["a"])
    client.get("/api/v1/queue/")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/api/v1/queue/")
        return len(ctx.captured_queries)

    one = count()
    for i in range(4):
        build.submitted(tags=[f"t{i}"])
    assert count() == one


def test_assignment_list_query_count_is_constant(editor, reviewer2, client_for, build):
    from claims import services

    client = client_for(editor)
    claim = build.submitted()
    url = f"/api/v1/claims/{claim.code}/assignments/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    one = count()
    services.assignment_create(claim=claim, user=reviewer2, role="reviewer", by=editor)
    services.assignment_create(claim=claim, user=build.approver, role="approver", by=editor)
    assert count() == one

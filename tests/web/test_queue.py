"""The reviewer queue: my assignments in order, overdue highlighted, "Take next"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Assignment, Claim, Event
from claims.workflow import Action, transition_apply
from tests.web.conftest import text_of

TODAY = timezone.localdate


def _unassigned(build, statement, **kwargs):
    """A claim in verification that nobody reviews yet."""
    claim = build.draft(statement=statement, **kwargs)
    return transition_apply(claim=claim, action=Action.SUBMIT, by=build.editor)


def test_my_assignments_by_priority_then_due_date(client_for, build):
    build.submitted(statement="Normal, due later.", due_date=TODAY() + timedelta(days=5))
    build.submitted(statement="Normal, due soon.", due_date=TODAY() + timedelta(days=1))
    build.submitted(statement="Normal, no date.")
    build.submitted(statement="Urgent.", priority=Claim.Priority.URGENT)
    response = client_for("reviewer").get("/queue/")
    order = [a.claim.statement for a in response.context["assignments"]]
    assert order == ["Urgent.", "Normal, due soon.", "Normal, due later.", "Normal, no date."]


def test_overdue_is_highlighted(client_for, build):
    build.submitted(statement="Late one.", due_date=TODAY() - timedelta(days=1))
    html = text_of(client_for("reviewer").get("/queue/"))
    assert 'class="card queue-item is-overdue"' in html
    assert "Overdue" in html


def test_empty_queue_says_what_to_do(client_for):
    html = text_of(client_for("reviewer").get("/queue/"))
    assert "You have no open assignments." in html
    assert "Take next claim" in html


def test_take_next_gives_the_most_urgent_unassigned_claim(client_for, build, reviewer2):
    _unassigned(build, "Low.", priority=Claim.Priority.LOW)
    urgent = _unassigned(build, "Urgent.", priority=Claim.Priority.URGENT)
    build.submitted(statement="Already has a reviewer.", priority=Claim.Priority.URGENT)
    response = client_for("reviewer").post(reverse("claims:take_next"))
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:detail", args=[urgent.code])
    assignment = Assignment.objects.get(claim=urgent)
    assert assignment.user.username == "reviewer"
    assert Event.objects.filter(claim=urgent, action="assignment.taken").count() == 1


def test_take_next_when_nothing_is_left(client_for, build):
    build.submitted()
    client = client_for("reviewer")
    response = client.post(reverse("claims:take_next"))
    assert response["Location"] == "/queue/"
    assert "Nothing to take" in text_of(client.get("/queue/"))


@pytest.mark.parametrize("role", ["editor", "approver"])
def test_take_next_needs_the_permission(role, client_for, build):
    _unassigned(build, "Free.")
    assert client_for(role).post(reverse("claims:take_next")).status_code == 403
    assert not Assignment.objects.exists()


def test_take_next_is_not_offered_without_the_permission(client_for):
    assert "Take next claim" not in text_of(client_for("approver").get("/queue/"))


def test_approver_sees_claims_awaiting_approval(client_for, build):
    build.awaiting(statement="Waiting for a decision.")
    html = text_of(client_for("approver").get("/queue/"))
    assert "Waiting for a decision." in html
    assert "Proposed: True" in html
    assert "Awaiting approval" not in text_of(client_for("reviewer").get("/queue/"))


def test_declined_claims_are_not_offered_again(client_for, build, reviewer):
    claim = _unassigned(build, "Declined once.")
    services.claim_take_next(by=reviewer)
    services.assignment_decline(assignment=claim.assignments.get(), by=reviewer, reason="COI")
    response = client_for("reviewer").post(reverse("claims:take_next"))
    assert response["Location"] == "/queue/"


@pytest.mark.parametrize("rows", [1, 4])
def test_query_count_is_constant(rows, client_for, build, admin_user, django_assert_num_queries):
    for i in range(rows):
        claim = build.submitted(statement=f"Mine {i}.", due_date=TODAY() - timedelta(days=i))
        services.assignment_create(claim=claim, user=admin_user, role="reviewer", by=build.editor)
        build.awaiting(statement=f"Awaiting {i}.")
    client = client_for("admin")  # a superuser: no permission queries
    with django_assert_num_queries(5):
        response = client.get("/queue/")
    assert len(response.context["assignments"]) == rows
    assert len(response.context["awaiting"]) == rows

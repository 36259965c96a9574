"""Assigning people from the claim page, and declining an assignment with a reason."""

from __future__ import annotations

from django.urls import reverse

from claims.models import Assignment, Event
from tests.web.conftest import text_of


def test_assign_a_reviewer(client_for, build, reviewer2):
    claim = build.submitted()
    response = client_for("editor").post(
        reverse("claims:assign", args=[claim.code]),
        {"user": reviewer2.pk, "role": "reviewer", "due_date": "2030-01-31"},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(claim=claim, user=reviewer2)
    assert assignment.state == "open"
    assert str(assignment.due_date) == "2030-01-31"


def test_assigning_someone_who_cannot_do_the_role_is_explained(client_for, build, editor):
    claim = build.submitted()
    response = client_for("editor").post(
        reverse("claims:assign", args=[claim.code]), {"user": editor.pk, "role": "approver"}
    )
    assert response.status_code == 400
    assert "cannot work as approver on claims." in text_of(response)


def test_assigning_twice_is_explained(client_for, build, reviewer):
    claim = build.submitted()
    response = client_for("editor").post(
        reverse("claims:assign", args=[claim.code]), {"user": reviewer.pk, "role": "reviewer"}
    )
    assert response.status_code == 400
    assert "already has this claim open as reviewer" in text_of(response)


def test_assign_form_is_for_editors_only(client_for, build):
    claim = build.submitted()
    url = reverse("claims:assign", args=[claim.code])
    assert f'action="{url}"' in text_of(client_for("editor").get(f"/claims/{claim.code}/"))
    assert f'action="{url}"' not in text_of(client_for("reviewer").get(f"/claims/{claim.code}/"))
    response = client_for("reviewer").post(url, {"user": 1, "role": "reviewer"})
    assert response.status_code == 403


def test_decline_with_a_reason_back_to_the_queue(client_for, build):
    claim = build.submitted()
    response = client_for("reviewer").post(
        reverse("claims:decline", args=[claim.code]),
        {"role": "reviewer", "reason": "Conflict of interest.", "next": "/queue/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/queue/"
    assignment = Assignment.objects.get(claim=claim)
    assert assignment.state == "declined"
    assert assignment.decline_reason == "Conflict of interest."
    assert Event.objects.filter(claim=claim, action="assignment.declined").exists()


def test_decline_ignores_an_offsite_next(client_for, build):
    claim = build.submitted()
    response = client_for("reviewer").post(
        reverse("claims:decline", args=[claim.code]),
        {"role": "reviewer", "reason": "Away.", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("claims:detail", args=[claim.code])


def test_decline_without_a_reason_is_a_400(client_for, build):
    claim = build.submitted()
    response = client_for("reviewer").post(
        reverse("claims:decline", args=[claim.code]), {"role": "reviewer", "reason": " "}
    )
    assert response.status_code == 400
    assert Assignment.objects.get(claim=claim).state == "open"


def test_only_the_assignee_can_decline(client_for, build):
    claim = build.submitted()
    response = client_for("approver").post(
        reverse("claims:decline", args=[claim.code]), {"role": "reviewer", "reason": "x"}
    )
    assert response.status_code == 403
    assert Assignment.objects.get(claim=claim).state == "open"

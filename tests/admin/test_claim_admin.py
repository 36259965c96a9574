"""The back office: actions go through the workflow, status is read-only, the event log and
rating labels in use are protected."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from claims.models import Claim, Event, RatingLabel, User
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:claims_claim_changelist")


def _client(user: User) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def _act(client: Client, action: str, claims: list[Claim], **extra: str):  # type: ignore[no-untyped-def]
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(c.pk) for c in claims], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_submit_action_goes_through_the_workflow(build: ClaimBuilder) -> None:
    claims = [build.draft(), build.draft(statement="Hezbollah lost 3,000 fighters.")]
    response = _act(_client(build.editor), "action_submit", claims)
    assert response.status_code == 200
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == Claim.Status.IN_VERIFICATION
        assert claim.events.filter(action="claim.submitted", actor=build.editor).count() == 1


def test_invalid_action_is_refused_with_a_message(build: ClaimBuilder) -> None:
    claim = build.published()
    events = Event.objects.count()
    response = _act(_client(build.editor), "action_submit", [claim])
    assert "refused" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    assert Event.objects.count() == events


def test_four_eyes_holds_in_the_admin(build: ClaimBuilder) -> None:
    claim = build.awaiting()
    response = _act(_client(build.reviewer), "action_approve", [claim])
    assert "refused" in response.content.decode()  # reviewers lack the permission
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AWAITING_APPROVAL


def test_withdraw_asks_for_a_reason_first(build: ClaimBuilder) -> None:
    claim = build.draft()
    client = _client(build.editor)
    page = _act(client, "action_withdraw", [claim])
    assert "Why is this claim withdrawn?" in page.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT
    _act(client, "action_withdraw", [claim], apply="1", text="Duplicate of an earlier check.")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WITHDRAWN
    assert claim.withdrawn_reason == "Duplicate of an earlier check."


def test_status_cannot_be_posted_in_the_change_form(build: ClaimBuilder) -> None:
    claim = build.draft()
    client = _client(build.editor)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "status" not in form.fields
    assert "verdict" not in form.fields


def test_adding_a_claim_in_admin_uses_the_service(build: ClaimBuilder) -> None:
    client = _client(build.editor)
    data = {
        "statement": "Kataib Hezbollah will send fighters to Syria.",
        "language": "en",
        "priority": "2",
        **{f"{p}-TOTAL_FORMS": "0" for p in ("attribution", "evidence", "assignments", "events")},
        **{f"{p}-INITIAL_FORMS": "0" for p in ("attribution", "evidence", "assignments", "events")},
    }
    response = client.post(reverse("admin:claims_claim_add"), data, follow=True)
    assert response.status_code == 200
    claim = Claim.objects.get(statement=data["statement"])
    assert claim.author == build.editor
    assert claim.events.filter(action="claim.created").count() == 1


def test_event_log_is_read_only_for_the_superuser(build: ClaimBuilder, admin_user: User) -> None:
    event = build.draft().events.get()
    client = _client(admin_user)
    assert client.get(reverse("admin:claims_event_changelist")).status_code == 200
    assert client.get(reverse("admin:claims_event_add")).status_code == 403
    assert client.get(reverse("admin:claims_event_delete", args=[event.pk])).status_code == 403
    change = client.post(
        reverse("admin:claims_event_change", args=[event.pk]), {"action": "claim.tampered"}
    )
    assert change.status_code == 403
    event.refresh_from_db()
    assert event.action == "claim.created"


def test_label_in_use_cannot_be_deleted(build: ClaimBuilder, admin_user: User) -> None:
    build.published()
    label = RatingLabel.objects.get(slug="true")
    client = _client(admin_user)
    response = client.post(
        reverse("admin:claims_ratinglabel_delete", args=[label.pk]), {"post": "yes"}
    )
    assert "Cannot delete" in response.content.decode() or response.status_code == 403
    assert RatingLabel.objects.filter(pk=label.pk).exists()
    unused = RatingLabel.objects.get(slug="half-true")
    client.post(reverse("admin:claims_ratinglabel_delete", args=[unused.pk]), {"post": "yes"})
    assert not RatingLabel.objects.filter(pk=unused.pk).exists()

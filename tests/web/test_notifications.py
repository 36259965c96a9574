"""Notifications: who hears about what (fanned out from events after commit), the email
task, and the in-app list with unread counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.models import Event, Notification
from claims.notifications import notification_email_deliver, notifications_create
from claims.tasks import notification_email_send
from claims.workflow import Action, TransitionInput, transition_apply
from tests.web.conftest import text_of


def _who(kind=None):
    rows = Notification.objects.order_by("recipient__username")
    if kind:
        rows = rows.filter(kind=kind)
    return [n.recipient.username for n in rows]


def test_assignment_notifies_and_emails_the_assignee(
    build, reviewer2, mailoutbox, django_capture_on_commit_callbacks
):
    claim = build.draft()
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_create(claim=claim, user=reviewer2, role="reviewer", by=build.editor)
    notification = Notification.objects.get(recipient=reviewer2)
    assert notification.kind == "assigned"
    assert notification.message.startswith("editor assigned you as reviewer on “\u2068Senior IRGC")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["reviewer2@test.example"]
    assert mail.subject.startswith("[Verify] editor assigned you")
    assert f"/claims/{claim.code}/" in mail.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_taking_from_the_queue_notifies_the_taker(
    build, reviewer2, mailoutbox, django_capture_on_commit_callbacks
):
    claim = transition_apply(claim=build.draft(), action=Action.SUBMIT, by=build.editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_take_next(by=reviewer2)
    assert _who("assigned") == ["reviewer2"]
    assert "You took" in Notification.objects.get().message
    assert claim.assignments.get().user == reviewer2


def test_send_back_notifies_the_proposing_reviewer(
    build, mailoutbox, django_capture_on_commit_callbacks
):
    claim = build.awaiting()
    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(
            claim=claim,
            action=Action.SEND_BACK,
            by=build.approver,
            data=TransitionInput(comment="The second source repeats the first."),
        )
    assert _who("sent_back") == ["reviewer"]
    assert "The second source repeats the first." in Notification.objects.get().message
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("correction", [False, True])
def test_publication_notifies_author_and_reviewer(
    correction, build, mailoutbox, django_capture_on_commit_callbacks
):
    claim = build.awaiting()
    if correction:
        claim = transition_apply(claim=claim, action=Action.APPROVE, by=build.approver)
        claim = transition_apply(
            claim=claim,
            action=Action.REOPEN,
            by=build.editor,
            data=TransitionInput(reason="Wrong date."),
        )
        services.assignment_create(
            claim=claim, user=build.reviewer, role="reviewer", by=build.editor
        )
        claim = transition_apply(
            claim=claim,
            action=Action.PROPOSE,
            by=build.reviewer,
            data=build.proposal_input(claim),
        )
    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(claim=claim, action=Action.APPROVE, by=build.approver)
    assert _who("published") == ["editor", "reviewer"]
    message = Notification.objects.filter(kind="published").first().message
    assert message.startswith("A correction to" if correction else "Your check of")
    assert sorted(m.to[0] for m in mailoutbox) == ["editor@test.example", "reviewer@test.example"]


def test_other_events_notify_nobody(build, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claim = build.draft()
        transition_apply(claim=claim, action=Action.SUBMIT, by=build.editor)
        build.evidence(claim)
    assert not Notification.objects.exists()


def test_fan_out_and_email_are_idempotent(build, reviewer2, mailoutbox):
    claim = build.draft()
    services.assignment_create(claim=claim, user=reviewer2, role="reviewer", by=build.editor)
    event = Event.objects.get(action="assignment.created")
    first = notifications_create(event=event)
    assert notifications_create(event=event) == []
    assert Notification.objects.count() == 1
    notification_email_send.delay(first[0].pk)
    notification_email_send.delay(first[0].pk)
    assert len(mailoutbox) == 1


def test_no_email_without_an_address(build, reviewer2, mailoutbox):
    reviewer2.email = ""
    reviewer2.save()
    claim = build.draft()
    services.assignment_create(claim=claim, user=reviewer2, role="reviewer", by=build.editor)
    notifications_create(event=Event.objects.get(action="assignment.created"))
    assert Notification.objects.count() == 1
    assert notification_email_deliver(notification_id=Notification.objects.get().pk) is False
    assert mailoutbox == []


def test_a_failed_send_leaves_it_unsent_for_a_retry(build, reviewer2, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    claim = build.draft()
    services.assignment_create(claim=claim, user=reviewer2, role="reviewer", by=build.editor)
    [notification] = notifications_create(event=Event.objects.get(action="assignment.created"))
    with pytest.raises(ConnectionRefusedError):
        notification_email_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None


# --------------------------------------------------------------------------------------------
# The in-app list


def _notify(build, user, n=1):
    for i in range(n):
        claim = build.draft(statement=f"Claim {i} for {user}.")
        services.assignment_create(claim=claim, user=user, role="reviewer", by=build.editor)
    for event in Event.objects.filter(action="assignment.created"):
        notifications_create(event=event)


def test_list_and_unread_count_in_the_navigation(client_for, build, reviewer):
    _notify(build, reviewer, 2)
    html = text_of(client_for("reviewer").get("/notifications/"))
    assert '<span class="count" aria-label="2 unread">2</span>' in html
    assert html.count('class="notification is-unread"') == 2
    assert "Claim 0 for reviewer." in html


def test_empty_list(client_for):
    html = text_of(client_for("reviewer").get("/notifications/"))
    assert "No notifications" in html
    assert 'class="count"' not in html


def test_mark_one_read_and_open_its_claim(client_for, build, reviewer):
    _notify(build, reviewer)
    notification = Notification.objects.get()
    client = client_for("reviewer")
    response = client.post(
        reverse("claims:notification_read", args=[notification.pk]), {"open": "1"}
    )
    assert response["Location"] == reverse("claims:detail", args=[notification.event.claim.code])
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'class="count"' not in text_of(client.get("/notifications/"))


def test_mark_all_read(client_for, build, reviewer):
    _notify(build, reviewer, 3)
    client_for("reviewer").post(reverse("claims:notifications_read_all"))
    assert not Notification.objects.unread().exists()


def test_someone_elses_notification_is_404(client_for, build, reviewer):
    _notify(build, reviewer)
    notification = Notification.objects.get()
    url = reverse("claims:notification_read", args=[notification.pk])
    assert client_for("approver").post(url).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("rows", [1, 4])
def test_list_query_count_is_constant(rows, client_for, build, reviewer, django_assert_num_queries):
    _notify(build, reviewer, rows)
    client = client_for("reviewer")
    with django_assert_num_queries(7):
        response = client.get("/notifications/")
    assert len(response.context["notifications"]) == rows

"""Notifications fan out from audit events: who hears about what, the in-app list and the
email for each one (sent by the ``notification_email_send`` task after commit).

    event                                 recipients
    assignment.created, assignment.taken  the assignee
    comment.added                         the users the comment mentions
    claim.sent_back                       the reviewer whose proposal was sent back
    claim.published, claim.corrected      the claim's author and the proposing reviewer
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from claims import tasks
from claims.exceptions import NotPermitted
from claims.models import Assignment, Claim, Comment, Event, Notification, User, VerdictProposal
from claims.workflow import event_recorded

logger = logging.getLogger(__name__)

Plan = tuple[User, str, str]  # recipient, kind, message
K = Notification.Kind


def _quote(claim: Claim | None) -> str:
    """The claim's statement, quoted and isolated (U+2068 ... U+2069) so that right-to-left
    text does not reorder the sentence around it, in HTML and in email alike."""
    if claim is None:
        return "a claim"
    return f"“\u2068{Truncator(claim.statement).chars(90)}\u2069”"


def _actor(event: Event) -> str:
    return str(event.actor) if event.actor else "The system"


def _assigned(event: Event) -> list[Plan]:
    assignment = (
        Assignment.objects.select_related("user").filter(pk=event.details.get("assignment")).first()
    )
    if assignment is None:
        return []
    role = assignment.get_role_display().lower()
    if event.action == "assignment.taken":
        message = f"You took {_quote(event.claim)} from the queue to review."
    else:
        message = f"{_actor(event)} assigned you as {role} on {_quote(event.claim)}."
    return [(assignment.user, K.ASSIGNED, message)]


def _mentioned(event: Event) -> list[Plan]:
    comment = Comment.objects.filter(pk=event.details.get("comment")).first()
    if comment is None:
        return []
    message = f"{_actor(event)} mentioned you on {_quote(event.claim)}."
    return [(user, K.MENTIONED, message) for user in comment.mentions.order_by("username")]


def _sent_back(event: Event) -> list[Plan]:
    proposal = (
        VerdictProposal.objects.select_related("reviewer")
        .filter(pk=event.details.get("proposal"))
        .first()
    )
    if proposal is None:
        return []
    comment = Truncator(str(event.details.get("comment", ""))).chars(120)
    message = f"{_actor(event)} sent back your verdict on {_quote(event.claim)}: {comment}"
    return [(proposal.reviewer, K.SENT_BACK, message)]


def _published(event: Event) -> list[Plan]:
    claim = event.claim
    if claim is None:
        return []
    what = "A correction to" if event.action == "claim.corrected" else "Your check of"
    verdict = event.details.get("verdict", "")
    message = f"{what} {_quote(claim)} was published: {verdict}."
    people: list[User] = [claim.author]
    proposal = (
        VerdictProposal.objects.select_related("reviewer")
        .filter(pk=event.details.get("proposal"))
        .first()
    )
    if proposal is not None:
        people.append(proposal.reviewer)
    return [(user, K.PUBLISHED, message) for user in people]


_PLANNERS: dict[str, Callable[[Event], list[Plan]]] = {
    "assignment.created": _assigned,
    "assignment.taken": _assigned,
    "comment.added": _mentioned,
    "claim.sent_back": _sent_back,
    "claim.published": _published,
    "claim.corrected": _published,
}


def notifications_create(*, event: Event) -> list[Notification]:
    """Write the notifications ``event`` calls for (once per recipient, even if called twice)
    and enqueue their emails after commit."""
    planner = _PLANNERS.get(event.action)
    if planner is None:
        return []
    created = []
    seen: set[int] = set()
    with transaction.atomic():
        for user, kind, message in planner(event):
            if user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            notification, made = Notification.objects.get_or_create(
                recipient=user,
                event=event,
                defaults={"kind": kind, "message": Truncator(message).chars(300)},
            )
            if made:
                created.append(notification)
                if user.email:
                    transaction.on_commit(
                        partial(tasks.notification_email_send.delay, notification.pk)
                    )
    return created


@receiver(event_recorded, dispatch_uid="claims.notifications")
def _on_event_recorded(sender: Any, event: Event, **kwargs: Any) -> None:
    notifications_create(event=event)


# --------------------------------------------------------------------------------------------
# Email


def notification_email_deliver(*, notification_id: int) -> bool:
    """Email one notification unless it was already emailed. The row stays locked while the
    message is handed to the mail backend, so two runs never both send it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "event__claim")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active:
            return False
        claim = notification.event.claim
        link = ""
        if claim is not None:
            link = settings.NEWSROOM_URL + reverse("claims:detail", args=[claim.code])
        body = f"{notification.message}\n\n{link}\n\n-- Verify newsroom notifications\n"
        send_mail(
            subject=Truncator(f"[Verify] {notification.message}").chars(120),
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    logger.info("notification %s emailed to user %s", notification_id, recipient.pk)
    return True


# --------------------------------------------------------------------------------------------
# Reading


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    if notification.recipient_id != by.pk:
        raise NotPermitted("That notification is not yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, by: User) -> int:
    return Notification.objects.filter(recipient=by).unread().update(read_at=timezone.now())

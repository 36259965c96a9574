"""Concurrent transitions on one claim: exactly one wins, the rest get a conflict.

Each thread has its own database connection. Runs on PostgreSQL (row locks decide) and on
SQLite (immediate transactions serialise the writers)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from claims.exceptions import Conflict, DomainError
from claims.models import Claim, Event, Publication, User
from claims.workflow import Action, TransitionInput, transition_apply
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def _race(attempts: list[Callable[[], object]]) -> tuple[int, list[Exception]]:
    barrier = threading.Barrier(len(attempts))
    wins: list[object] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(attempt: Callable[[], object]) -> None:
        try:
            barrier.wait()
            result = attempt()
            with lock:
                wins.append(result)
        except Exception as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return len(wins), errors


def test_racing_submits(build: ClaimBuilder) -> None:
    claim = build.draft()
    copies = [Claim.objects.get(pk=claim.pk) for _ in range(THREADS)]
    wins, errors = _race(
        [
            (lambda c=c: transition_apply(claim=c, action=Action.SUBMIT, by=build.editor))
            for c in copies
        ]
    )
    assert wins == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, Conflict) for e in errors), errors
    assert Event.objects.filter(claim=claim, action="claim.submitted").count() == 1


def test_racing_approvals(build: ClaimBuilder, approver: User, admin_user: User) -> None:
    claim = build.awaiting()
    copies = [Claim.objects.get(pk=claim.pk) for _ in range(THREADS)]
    people = [approver, admin_user] * (THREADS // 2)
    wins, errors = _race(
        [
            (lambda c=c, p=p: transition_apply(claim=c, action=Action.APPROVE, by=p))
            for c, p in zip(copies, people, strict=True)
        ]
    )
    assert wins == 1
    assert all(isinstance(e, Conflict) for e in errors), errors
    assert Publication.objects.filter(claim=claim).count() == 1
    assert Event.objects.filter(claim=claim, action="claim.published").count() == 1


def test_withdraw_races_send_back(build: ClaimBuilder, approver: User) -> None:
    claim = build.awaiting()
    a, b = Claim.objects.get(pk=claim.pk), Claim.objects.get(pk=claim.pk)
    wins, errors = _race(
        [
            lambda: transition_apply(
                claim=a,
                action=Action.WITHDRAW,
                by=build.editor,
                data=TransitionInput(reason="Out of scope."),
            ),
            lambda: transition_apply(
                claim=b,
                action=Action.SEND_BACK,
                by=approver,
                data=TransitionInput(comment="Needs another source."),
            ),
        ]
    )
    assert wins == 1
    assert len(errors) == 1
    assert isinstance(errors[0], DomainError)
    claim.refresh_from_db()
    transitions = Event.objects.filter(
        claim=claim, action__in=["claim.withdrawn", "claim.sent_back"]
    )
    assert transitions.count() == 1
    assert claim.status == transitions.get().to_status

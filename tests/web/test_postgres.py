"""PostgreSQL-only behaviour: take-next under real concurrency, and the search index.

Run with DATABASE_URL pointing at PostgreSQL; on SQLite these tests skip.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Assignment, Claim, User
from claims.roles import EDITOR, REVIEWER
from claims.workflow import Action, transition_apply

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.IS_POSTGRES,
        reason="needs PostgreSQL (SELECT ... FOR UPDATE SKIP LOCKED, a GIN index); SQLite "
        "serialises writers, so there is no race to test: set DATABASE_URL to run these",
    ),
]

TAKERS = 20


def _user(username: str, role: str) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@test.example")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.mark.django_db(transaction=True)
def test_concurrent_takers_get_distinct_claims(roles) -> None:
    editor = _user("desk-editor", EDITOR)
    reviewers = [_user(f"taker{i:02}", REVIEWER) for i in range(TAKERS)]
    for i in range(TAKERS + 5):
        claim = services.claim_create(by=editor, statement=f"Claim {i} to verify.")
        transition_apply(claim=claim, action=Action.SUBMIT, by=editor)

    barrier = threading.Barrier(TAKERS)
    taken: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def take(reviewer: User) -> None:
        try:
            barrier.wait(timeout=30)
            claim = services.claim_take_next(by=reviewer)
            taken[reviewer.username] = claim.pk if claim else None
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=take, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(taken) == TAKERS
    assert None not in taken.values()
    assert len(set(taken.values())) == TAKERS
    open_reviews = Assignment.objects.filter(role="reviewer", state="open")
    assert open_reviews.count() == TAKERS
    assert open_reviews.values("claim").distinct().count() == TAKERS


@pytest.mark.django_db
def test_take_next_locks_with_skip_locked(build, reviewer) -> None:
    claim = transition_apply(claim=build.draft(), action=Action.SUBMIT, by=build.editor)
    with CaptureQueriesContext(connection) as queries:
        assert services.claim_take_next(by=reviewer) == claim
    assert any("FOR UPDATE" in q["sql"] and "SKIP LOCKED" in q["sql"] for q in queries)


@pytest.mark.django_db
def test_search_uses_the_gin_index(build) -> None:
    build.draft(statement="Senior IRGC commander arrived in Damascus on Tuesday.")
    build.draft(statement="Hezbollah lost fighters.")
    claims = Claim.objects.search("damascus arrive")
    assert [c.statement for c in claims] == [
        "Senior IRGC commander arrived in Damascus on Tuesday."
    ]
    sql, params = claims.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claim_statement_fts" in plan, plan


@pytest.mark.django_db
def test_search_matches_the_claimant_name(build) -> None:
    build.draft(statement="A statement that names nobody.")
    assert Claim.objects.search("international").count() == 1

"""Shared fixtures: fixed personas and claim builders. Celery runs eagerly here, except in
tests that start a real worker process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group

from claims.models import Claim, RatingLabel, User
from claims.rating_scale import rating_scale_ensure
from claims.roles import ADMIN, APPROVER, EDITOR, REVIEWER, roles_setup
from tests.builders import ClaimBuilder
from tests.worker import WorkerFactory, live_celery
from verify.celery import app as celery_app


@pytest.fixture(autouse=True, scope="session")
def _celery_eager() -> None:
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roles(db: None) -> None:
    # Transactional tests flush every table, data migrations' rows included: put them back.
    rating_scale_ensure(RatingLabel)
    roles_setup()


def _persona(username: str, role: str | None) -> User:
    user = User.objects.create_user(
        username=username, password="pw-for-tests-only", email=f"{username}@test.example"
    )
    if role == ADMIN:
        user.is_superuser = user.is_staff = True
        user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(roles: None) -> User:
    return _persona("editor", EDITOR)


@pytest.fixture
def reviewer(roles: None) -> User:
    return _persona("reviewer", REVIEWER)


@pytest.fixture
def reviewer2(roles: None) -> User:
    return _persona("reviewer2", REVIEWER)


@pytest.fixture
def approver(roles: None) -> User:
    return _persona("approver", APPROVER)


@pytest.fixture
def admin_user(roles: None) -> User:
    return _persona("admin", ADMIN)


@pytest.fixture
def outsider(roles: None) -> User:
    return _persona("outsider", None)


@pytest.fixture
def personas(
    editor: User, reviewer: User, approver: User, admin_user: User, outsider: User
) -> dict[str, User]:
    return {
        "editor": editor,
        "reviewer": reviewer,
        "approver": approver,
        "admin": admin_user,
        "outsider": outsider,
    }


@pytest.fixture
def build(editor: User, reviewer: User, approver: User) -> ClaimBuilder:
    return ClaimBuilder(editor=editor, reviewer=reviewer, approver=approver)


@pytest.fixture
def claim_in(build: ClaimBuilder) -> Callable[[str], Claim]:
    return build.in_state


# Real worker processes (tests/worker.py). Tests that use them need transactional_db and
# @pytest.mark.worker.


@pytest.fixture
def celery_live() -> Iterator[None]:
    """Publish tasks to the broker for this test instead of running them eagerly."""
    yield from live_celery()


@pytest.fixture
def start_worker(tmp_path: Path, celery_live: None) -> Iterator[WorkerFactory]:
    """start_worker(name, env={...}, beat=False) -> a ready Worker; all stopped at the end."""
    factory = WorkerFactory(folder=tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()

"""seed_demo: every workflow state, idempotent, refuses production without --force."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.models import Assignment, Claim, Event, Evidence, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True  # as under `make run`; pytest-django turns it off by default


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _state() -> tuple[object, ...]:
    return (
        sorted(Claim.objects.values_list("statement", "status")),
        Event.objects.count(),
        Evidence.objects.count(),
        Assignment.objects.count(),
        sorted(User.objects.values_list("username", "password")),
    )


def test_seed_covers_every_state_and_is_idempotent() -> None:
    first = _seed("--password", "demo-pass-123")
    assert "created user editor" in first
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert statuses == set(Claim.Status.values)
    assert Claim.objects.count() >= 8
    reopened = Claim.objects.get(statement__startswith="Javad Ghaffari is under")
    assert reopened.status == Claim.Status.IN_VERIFICATION
    assert reopened.current_publication is not None  # the public keeps the published version
    assert User.objects.get(username="editor").check_password("demo-pass-123")
    assert Evidence.objects.filter(kind="link", fetch_state="pending").exists()

    before = _state()
    second = _seed("--password", "demo-pass-123")
    assert "demo users unchanged" in second
    assert _state() == before


def test_generated_passwords_are_printed_once() -> None:
    out = _seed()
    line = next(line for line in out.splitlines() if "created user approver" in line)
    password = line.rsplit(" ", 1)[-1]
    assert User.objects.get(username="approver").check_password(password)
    assert "created user" not in _seed()


def test_refuses_with_debug_off(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not Claim.objects.exists()
    _seed("--force", "--password", "demo-pass-123")
    assert Claim.objects.exists()

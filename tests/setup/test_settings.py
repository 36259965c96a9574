"""Production settings refuse to start without their secrets; with them, check --deploy is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#kq!" * 10,
    "DATABASE_URL": "postgres://verify:secret@db.internal:5432/verify",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "DJANGO_ALLOWED_HOSTS": "factcheck.example.org",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    base.pop("FETCH_ALLOW_LOCAL_TARGETS", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", sorted(set(PRODUCTION_ENV) - {"DJANGO_DEBUG"}))
def test_production_refuses_to_start_without(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_local_fetch_targets() -> None:
    result = _manage("check", env={**PRODUCTION_ENV, "FETCH_ALLOW_LOCAL_TARGETS": "127.0.0.1:80"})
    assert result.returncode != 0
    assert "FETCH_ALLOW_LOCAL_TARGETS" in result.stderr


def test_production_refuses_a_plain_http_archive_endpoint() -> None:
    env = {**PRODUCTION_ENV, "ARCHIVE_SPN_ENDPOINT": "http://web.archive.org"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ARCHIVE_SPN_ENDPOINT" in result.stderr


def test_check_deploy_reports_nothing() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

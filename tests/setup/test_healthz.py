"""/healthz reports the database and the broker; 503 when either is down."""

from __future__ import annotations

import pytest
from django.test import Client

from verify.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_broker_down_is_503() -> None:
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = Client().get("/healthz")
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_only_get() -> None:
    assert Client().post("/healthz").status_code == 405

"""Helpers for the newsroom page tests: signed-in clients per persona and HTML checks."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from claims.models import User

ROLES = ("editor", "reviewer", "approver", "admin", "outsider", "anonymous")
NEWSROOM_ROLES = ("editor", "reviewer", "approver", "admin")


@pytest.fixture
def client_for(personas: dict[str, User]) -> Callable[[str], Client]:
    """A test client signed in as a persona ("anonymous" for none)."""

    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(personas[role])
        return client

    return make


def text_of(response) -> str:
    return response.content.decode()


def has_form_for(html: str, url: str) -> bool:
    return re.search(rf'<form[^>]+action="{re.escape(url)}"', html) is not None

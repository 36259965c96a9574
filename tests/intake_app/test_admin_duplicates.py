"""The back office's add form warns about likely duplicates after saving (never blocks)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db

INLINES = ("attribution", "evidence", "assignments", "events")


def _add(build: ClaimBuilder, statement: str) -> str:
    build.editor.is_staff = True
    build.editor.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(build.editor)
    data = {
        "statement": statement,
        "language": "en",
        "priority": "1",
        **{f"{p}-TOTAL_FORMS": "0" for p in INLINES},
        **{f"{p}-INITIAL_FORMS": "0" for p in INLINES},
    }
    response = client.post(reverse("admin:claims_claim_add"), data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_adding_a_likely_duplicate_saves_it_and_warns(build: ClaimBuilder) -> None:
    published = build.published(statement="Hezbollah may have lost over 3,000 fighters.")
    html = _add(build, "Over 3,000 Hezbollah fighters may have been killed.")
    assert Claim.objects.filter(statement__startswith="Over 3,000").count() == 1
    assert "looks like an existing claim" in html
    assert f"claim {str(published.code)[:8]}" in html
    assert "published True on" in html


def test_a_new_claim_gets_no_warning(build: ClaimBuilder) -> None:
    build.published()
    html = _add(build, "The Kestrian mark fell 1.2% against the euro.")
    assert "looks like an existing claim" not in html

"""The dashboard: counts per status, overdue claims, my open tasks, recently published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import Claim
from tests.web.conftest import text_of


def _overdue(build, statement="An overdue claim about the port of Latakia."):
    return build.submitted(statement=statement, due_date=timezone.localdate() - timedelta(days=2))


def test_empty_dashboard_has_clear_empty_states(client_for):
    html = text_of(client_for("reviewer").get("/"))
    assert "No open tasks." in html
    assert "Nothing is overdue." in html
    assert "Nothing published yet." in html


def test_counts_per_status_link_to_the_filtered_list(client_for, build):
    build.draft()
    build.draft(statement="Second draft.")
    build.published(statement="Published one.")
    html = text_of(client_for("editor").get("/"))
    assert '<a class="stat stat-draft" href="/claims/?status=draft">' in html
    draft = html[html.index("stat stat-draft") :]
    assert '<span class="stat__count">2</span>' in draft[: draft.index("</a>")]
    published = html[html.index("stat stat-published") :]
    assert '<span class="stat__count">1</span>' in published[: published.index("</a>")]


def test_overdue_my_tasks_and_published(client_for, build):
    _overdue(build)
    build.published(statement="Hayat Tahrir al-Sham captured Aleppo.")
    html = text_of(client_for("reviewer").get("/"))
    tasks = html[html.index('id="tasks-title"') : html.index('id="overdue-title"')]
    assert "An overdue claim about the port of Latakia." in tasks
    overdue = html[html.index('id="overdue-title"') : html.index('id="published-title"')]
    assert "An overdue claim about the port of Latakia." in overdue
    assert "Overdue" in overdue
    published = html[html.index('id="published-title"') :]
    assert "Hayat Tahrir al-Sham captured Aleppo." in published
    assert "verdict-true" in published


def test_someone_elses_tasks_are_not_mine(client_for, build):
    build.submitted(statement="Assigned to reviewer, not reviewer2.")
    html = text_of(client_for("approver").get("/"))
    tasks = html[html.index('id="tasks-title"') : html.index('id="overdue-title"')]
    assert "Assigned to reviewer" not in tasks


@pytest.mark.parametrize("rows", [1, 4])
def test_dashboard_query_count_is_constant(rows, client_for, build, django_assert_num_queries):
    for i in range(rows):
        _overdue(build, statement=f"Overdue claim number {i}.")
        build.published(statement=f"Published claim number {i}.")
    client = client_for("reviewer")
    with django_assert_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    assert text_of(response).count("Overdue claim number") >= 2 * rows
    assert Claim.objects.count() == 2 * rows

"""The claims list: filters, search, sorting, pagination, bulk actions, query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Assignment, Claim, Event, Source
from claims.views import claim_list
from tests.web.conftest import text_of

URL = "/claims/"


def _statements(response) -> list[str]:
    return [claim.statement for claim in response.context["claims"]]


def test_empty_list_explains_itself(client_for):
    html = text_of(client_for("editor").get(URL))
    assert "No claims yet" in html
    assert "Log the first claim" in html


def test_no_match_explains_itself(client_for, build):
    build.draft()
    html = text_of(client_for("editor").get(URL, {"q": "zeppelin"}))
    assert "No claims match these filters" in html


def test_rows_show_claim_status_verdict_and_assignees(client_for, build):
    build.published(statement="Published about Aleppo.")
    build.submitted(statement="Submitted about Hama.")
    html = text_of(client_for("editor").get(URL))
    assert "Published about Aleppo." in html
    assert "verdict-true" in html
    assert '<span class="badge status status-in_verification">In verification</span>' in html
    assert 'reviewer<span class="muted"> (reviewer)' in html


def test_user_text_is_escaped(client_for, build):
    build.draft(statement="<script>alert(1)</script> & <b>bold</b>")
    html = text_of(client_for("editor").get(URL))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html


def test_rtl_statement_gets_direction_and_language(client_for, build):
    build.draft(statement="وصل القائد إلى دمشق يوم الثلاثاء", language="ar")
    html = text_of(client_for("editor").get(URL))
    assert 'dir="rtl" lang="ar">وصل القائد' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "draft"}, {"Draft about Idlib."}),
        ({"status": "published"}, {"Published about Aleppo."}),
        ({"verdict": "true"}, {"Published about Aleppo."}),
        ({"priority": "3"}, {"Urgent about Homs."}),
        ({"assignee": "reviewer"}, {"Urgent about Homs."}),
        ({"tag": "hezbollah"}, {"Draft about Idlib."}),
        ({"overdue": "on"}, {"Urgent about Homs."}),
        ({"source": "Example Wire"}, {"Draft about Idlib."}),
        ({"q": "Aleppo"}, {"Published about Aleppo."}),
        ({"q": "Jerusalem Post"}, {"Urgent about Homs."}),
        ({"status": "draft", "tag": "hezbollah"}, {"Draft about Idlib."}),
        ({"status": "published", "tag": "hezbollah"}, set()),
    ],
)
def test_filters(params, expected, client_for, build, editor):
    source = Source.objects.create(url="https://wire.example/1", outlet="Example Wire")
    build.draft(statement="Draft about Idlib.", tags=["hezbollah"], source=source)
    build.published(statement="Published about Aleppo.")
    urgent = build.submitted(
        statement="Urgent about Homs.",
        priority=Claim.Priority.URGENT,
        due_date=timezone.localdate() - timedelta(days=1),
    )
    services.claim_update(
        claim=urgent, by=editor, fields={}, claimant=("Jerusalem Post analysis", "media")
    )
    response = client_for("editor").get(URL, params)
    assert response.status_code == 200
    assert set(_statements(response)) == expected


def test_invalid_filter_values_are_ignored_not_errors(client_for, build):
    build.draft()
    response = client_for("editor").get(URL, {"status": "bogus", "priority": "x", "page": "99"})
    assert response.status_code == 200


def test_sorting(client_for, build):
    build.draft(statement="Low one.", priority=Claim.Priority.LOW)
    build.draft(statement="Urgent one.", priority=Claim.Priority.URGENT)
    build.draft(statement="Normal one.")
    client = client_for("editor")
    assert _statements(client.get(URL, {"sort": "-priority"})) == [
        "Urgent one.",
        "Normal one.",
        "Low one.",
    ]
    assert _statements(client.get(URL, {"sort": "created_at"}))[0] == "Low one."
    assert _statements(client.get(URL))[0] == "Normal one."


def test_pagination_keeps_the_filters(client_for, build, monkeypatch):
    monkeypatch.setattr(claim_list, "PAGE_SIZE", 2)
    for i in range(5):
        build.draft(statement=f"Claim {i}.", tags=["syria"])
    client = client_for("editor")
    first = client.get(URL, {"tag": "syria"})
    html = text_of(first)
    assert "Page 1 of 3" in html
    assert 'href="?tag=syria&amp;page=2"' in html
    last = client.get(URL, {"tag": "syria", "page": "3"})
    assert _statements(last) == ["Claim 0."]


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize(
    ("params", "queries"),
    [
        # A search counts and pages in one query (COUNT(*) OVER ()); without one, a COUNT
        # and an index-ordered page of ids.
        ({"q": "Damascus", "status": "in_verification"}, 13),
        ({"status": "in_verification", "tag": "iran"}, 15),  # + the tag lookup
    ],
)
def test_query_count_is_constant(
    rows, params, queries, client_for, build, django_assert_num_queries
):
    for i in range(rows):
        build.submitted(statement=f"Claim about Damascus {i}.", tags=["iran", "syria"])
    client = client_for("editor")
    with django_assert_num_queries(queries):
        response = client.get(URL, params)
    assert len(response.context["claims"]) == rows


def test_search_pages_and_counts(client_for, build, monkeypatch):
    monkeypatch.setattr(claim_list, "PAGE_SIZE", 2)
    for i in range(5):
        build.draft(statement=f"Damascus claim {i}.")
    build.draft(statement="Unrelated.")
    client = client_for("editor")
    last = client.get(URL, {"q": "damascus", "page": "3"})
    assert _statements(last) == ["Damascus claim 0."]
    assert "Page 3 of 3" in text_of(last)
    beyond = client.get(URL, {"q": "damascus", "page": "9"})
    assert _statements(beyond) == ["Damascus claim 0."]
    assert client.get(URL, {"q": "damascus", "page": "x"}).context["page"].number == 1


# --------------------------------------------------------------------------------------------
# Bulk actions


def _codes(*claims: Claim) -> list[str]:
    return [str(claim.code) for claim in claims]


def test_bulk_form_is_offered_only_with_a_permission(client_for, build):
    build.draft()
    assert 'id="bulk-form"' in text_of(client_for("editor").get(URL))
    assert 'id="bulk-form"' not in text_of(client_for("reviewer").get(URL))
    html = text_of(client_for("approver").get(URL))
    assert 'id="bulk-form"' not in html


def test_bulk_assign(client_for, build, reviewer2):
    one, two = build.submitted(statement="One."), build.draft(statement="Two.")
    response = client_for("editor").post(
        reverse("claims:bulk") + "?status=draft",
        {"action": "assign", "claims": _codes(one, two), "user": reviewer2.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == "/claims/?status=draft"
    assert Assignment.objects.filter(user=reviewer2, state="open").count() == 2


def test_bulk_assign_skips_claims_that_already_have_the_person(client_for, build, reviewer):
    one, two = build.submitted(statement="One."), build.draft(statement="Two.")
    client_for("editor").post(
        reverse("claims:bulk"),
        {"action": "assign", "claims": _codes(one, two), "user": reviewer.pk},
    )
    assert Assignment.objects.filter(user=reviewer, state="open").count() == 2


def test_bulk_tag(client_for, build):
    one, two = build.draft(statement="One."), build.draft(statement="Two.", tags=["iran"])
    client_for("editor").post(
        reverse("claims:bulk"), {"action": "tag", "claims": _codes(one, two), "tags": "Syria, HTS"}
    )
    assert set(one.tags.values_list("slug", flat=True)) == {"syria", "hts"}
    assert set(two.tags.values_list("slug", flat=True)) == {"iran", "syria", "hts"}


def test_bulk_withdraw(client_for, build):
    one, two = build.draft(statement="One."), build.submitted(statement="Two.")
    client_for("editor").post(
        reverse("claims:bulk"),
        {"action": "withdraw", "claims": _codes(one, two), "reason": "Duplicates."},
    )
    assert set(Claim.objects.values_list("status", flat=True)) == {"withdrawn"}


def test_bulk_withdraw_is_all_or_nothing(client_for, build):
    draft, published = build.draft(statement="One."), build.published(statement="Two.")
    events = Event.objects.count()
    response = client_for("editor").post(
        reverse("claims:bulk"),
        {"action": "withdraw", "claims": _codes(draft, published), "reason": "Duplicates."},
    )
    assert response.status_code == 400
    assert "Nothing was changed" in text_of(response)
    draft.refresh_from_db()
    assert draft.status == Claim.Status.DRAFT
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "withdraw", "reason": "x"}, "Select at least one claim."),
        ({"action": "withdraw", "reason": ""}, "Say why these claims are withdrawn."),
        ({"action": "assign"}, "Choose the reviewer to assign."),
        ({"action": "tag", "tags": " , "}, "Name at least one tag."),
    ],
)
def test_bulk_form_errors(data, message, client_for, build):
    claim = build.draft()
    if "reason" in data and data["reason"] == "x":
        payload = data
    else:
        payload = {**data, "claims": _codes(claim)}
    response = client_for("editor").post(reverse("claims:bulk"), payload)
    assert response.status_code == 400
    assert message in text_of(response)


def test_bulk_action_needs_its_own_permission(client_for, build):
    claim = build.draft()
    response = client_for("approver").post(
        reverse("claims:bulk"), {"action": "withdraw", "claims": _codes(claim), "reason": "x"}
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT

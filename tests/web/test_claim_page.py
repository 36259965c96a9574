"""The claim page: what it shows, and which actions it offers to whom."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Claim, Evidence
from tests.web.conftest import has_form_for, text_of


def _page(client, claim):
    return client.get(reverse("claims:detail", args=[claim.code]))


def _action(claim, action):
    return reverse("claims:transition", args=[claim.code, action])


def test_page_shows_statement_claimant_attribution_and_timeline(client_for, build):
    claim = build.submitted(tags=["iran"])
    html = text_of(_page(client_for("reviewer"), claim))
    assert claim.statement in html
    assert "Iran International" in html
    assert "Al-Alam" in html
    assert "#iran" not in html  # the # is drawn by CSS
    assert ">iran</a>" in html
    assert "submitted it for verification" in html
    assert "logged the claim" in html


# Which workflow actions each role is offered, per state. The server re-checks each one
# (tests/web/test_claim_actions.py).
OFFERED = {
    ("draft", "editor"): {"submit", "withdraw"},
    ("draft", "reviewer"): set(),
    ("draft", "approver"): set(),
    ("in_verification", "editor"): {"withdraw"},
    ("in_verification", "reviewer"): {"propose"},  # the builder assigns "reviewer"
    ("in_verification", "approver"): set(),
    ("awaiting_approval", "editor"): {"withdraw"},
    ("awaiting_approval", "reviewer"): set(),
    ("awaiting_approval", "approver"): {"approve", "send_back"},
    ("published", "editor"): {"reopen"},
    ("published", "reviewer"): set(),
    ("published", "approver"): {"reopen"},
    ("withdrawn", "editor"): {"restore"},
    ("withdrawn", "reviewer"): set(),
    ("withdrawn", "approver"): set(),
}
ACTIONS = ("submit", "propose", "send_back", "approve", "reopen", "withdraw", "restore")


@pytest.mark.parametrize(("state", "role"), sorted(OFFERED))
def test_only_allowed_actions_are_offered(state, role, client_for, claim_in, build):
    claim = claim_in(state)
    if state == "in_verification":
        build.evidence(claim)
    html = text_of(_page(client_for(role), claim))
    offered = {action for action in ACTIONS if has_form_for(html, _action(claim, action))}
    assert offered == OFFERED[(state, role)]


def test_reviewer_without_an_assignment_is_told_how_to_get_one(client_for, build, reviewer):
    claim = build.submitted()
    build.evidence(claim)
    services.assignment_decline(assignment=claim.assignments.get(), by=reviewer, reason="Away.")
    html = text_of(_page(client_for("reviewer"), claim))
    assert not has_form_for(html, _action(claim, "propose"))
    assert "take this claim from the" in html


def test_propose_needs_evidence_first(client_for, build):
    claim = build.submitted()
    html = text_of(_page(client_for("reviewer"), claim))
    assert "Add the evidence the verdict rests on first" in html


def test_four_eyes_hides_approval_from_the_author(client_for, build, editor, approver):
    editor.groups.add(Group.objects.get(name="approver"))
    claim = build.awaiting()
    html = text_of(_page(client_for("editor"), claim))
    assert not has_form_for(html, _action(claim, "approve"))
    assert "Four-eyes rule" in html


def test_pending_proposal_is_shown_with_the_evidence_relied_on(client_for, build):
    claim = build.awaiting()
    html = text_of(_page(client_for("approver"), claim))
    assert "Proposed verdict" in html
    assert "Two independent sources place him in Damascus that day." in html
    assert "State broadcaster footage shows him" in html


def test_published_verdict_is_shown(client_for, build):
    claim = build.published()
    html = text_of(_page(client_for("reviewer"), claim))
    assert "Published verdict" in html
    assert "approved by approver" in html


def test_withdrawn_claim_shows_the_reason_and_no_edit_link(client_for, build):
    claim = build.withdrawn()
    html = text_of(_page(client_for("editor"), claim))
    assert "Duplicate of an earlier check." in html
    assert reverse("claims:edit", args=[claim.code]) not in html


def test_user_and_fetched_text_is_escaped(client_for, build, editor):
    claim = build.draft(statement='He said "<img src=x onerror=alert(1)>"')
    evidence = services.evidence_add(
        claim=claim, by=editor, kind="link", url="https://example.org/a"
    )
    Evidence.objects.filter(pk=evidence.pk).update(
        fetch_state="fetched",
        page_title="<script>alert('title')</script>",
        page_site_name="<b>Site</b>",
        page_excerpt="<iframe src=//evil></iframe>",
        fetched_at=timezone.now(),
    )
    services.comment_add(claim=claim, by=editor, body="<a href=javascript:x>click</a> @reviewer")
    html = text_of(_page(client_for("reviewer"), claim))
    for raw in (
        "<img src=x",
        "<script>alert('title')",
        "<b>Site</b>",
        "<iframe",
        "<a href=javascript",
    ):
        assert raw not in html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert '<span class="mention">@reviewer</span>' in html


def test_rtl_claim_and_evidence(client_for, build, editor):
    claim = build.draft(statement="وصل قائد الحرس الثوري إلى دمشق", language="ar")
    evidence = services.evidence_add(claim=claim, by=editor, kind="link", url="https://fa.example/")
    Evidence.objects.filter(pk=evidence.pk).update(
        fetch_state="fetched", page_title="فرمانده سپاه به دمشق رسید", page_language="fa"
    )
    html = text_of(_page(client_for("editor"), claim))
    assert '<blockquote class="statement" dir="rtl" lang="ar">' in html
    assert 'dir="auto" lang="fa"' in html


@pytest.mark.parametrize("rows", [1, 4])
def test_query_count_is_constant(rows, client_for, build, editor, django_assert_num_queries):
    claim = build.awaiting()
    for i in range(rows):
        services.evidence_add(claim=claim, by=editor, kind="link", url=f"https://e.org/{i}")
        services.comment_add(claim=claim, by=editor, body=f"Comment {i} for @reviewer")
    client = client_for("approver")
    with django_assert_num_queries(15):
        response = _page(client, claim)
    assert response.status_code == 200
    assert claim.status == Claim.Status.AWAITING_APPROVAL

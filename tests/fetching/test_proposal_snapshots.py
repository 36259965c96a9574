"""A verdict proposal records the snapshots it relied on: the latest good snapshot of each
cited link, as it was when the reviewer proposed, whatever later fetches find."""

from __future__ import annotations

from typing import Any

import pytest

from claims import services
from claims.models import Event, Evidence, RatingLabel
from claims.workflow import Action, TransitionInput, transition_apply
from tests.builders import ClaimBuilder
from tests.fetching.conftest import ARTICLE_HTML, Page, PipelineSite

pytestmark = pytest.mark.django_db

HTML = {"Content-Type": "text/html; charset=utf-8"}


def test_proposal_records_the_latest_good_snapshot_of_each_cited_link(
    build: ClaimBuilder,
    fetch_settings: Any,
    pipeline_site: PipelineSite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    claim = build.submitted()
    url = pipeline_site.script(
        "/cited",
        Page(headers=HTML, body=b"<html><body><p>First version of the page.</p></body></html>"),
        Page(headers=HTML, body=ARTICLE_HTML.encode()),
        Page(status=404, body=b"gone"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        cited = services.evidence_add(claim=claim, by=build.editor, kind="link", url=url)
        never_fetched = services.evidence_add(
            claim=claim, by=build.editor, kind="link", url=pipeline_site.url("/to-metadata")
        )
    for _ in range(2):  # the article version, then the page is gone
        cited.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.evidence_refetch(evidence=cited, by=build.editor)
    cited.refresh_from_db()
    first, seen, gone = cited.snapshots.order_by("fetched_at", "id")
    assert (first.outcome, seen.outcome, gone.outcome) == ("ok", "ok", "http_error")
    note = build.evidence(claim)

    transition_apply(
        claim=claim,
        action=Action.PROPOSE,
        by=build.reviewer,
        data=TransitionInput(
            rating=RatingLabel.objects.get(slug="true"),
            reasoning="The article says so.",
            evidence=[cited, never_fetched, note],
        ),
    )

    proposal = claim.proposals.get()
    assert list(proposal.snapshots.all()) == [seen]
    assert Evidence.objects.get(pk=never_fetched.pk).fetch_state == "blocked"
    event = Event.objects.get(action="claim.verdict_proposed")
    assert event.details["snapshots"] == [seen.pk]

"""claim_mark_duplicate and claim_merge: links without loops, merges that keep the evidence."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims import services
from claims.duplicate_services import claim_mark_duplicate, claim_merge
from claims.exceptions import GuardFailed, NotPermitted
from claims.models import Claim, Event, Evidence, User
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_marking_a_duplicate_links_and_records_it(build: ClaimBuilder) -> None:
    original = build.draft()
    copy = build.draft(statement="Javad Ghaffari has arrived in Damascus.")
    claim_mark_duplicate(claim=copy, of=original, by=build.editor)
    copy.refresh_from_db()
    assert copy.duplicate_of == original
    event = copy.events.get(action="claim.marked_duplicate")
    assert event.actor == build.editor
    assert event.details == {"of": str(original.code), "previous": None}
    claim_mark_duplicate(claim=copy, of=original, by=build.editor)  # again: nothing new
    assert copy.events.filter(action="claim.marked_duplicate").count() == 1


def test_a_claim_is_not_its_own_duplicate_and_links_never_loop(build: ClaimBuilder) -> None:
    a, b, c = build.draft(), build.draft(), build.draft()
    with pytest.raises(GuardFailed) as caught:
        claim_mark_duplicate(claim=a, of=a, by=build.editor)
    assert caught.value.code == "duplicate_self"
    claim_mark_duplicate(claim=b, of=a, by=build.editor)
    claim_mark_duplicate(claim=c, of=b, by=build.editor)
    a.refresh_from_db()
    with pytest.raises(GuardFailed) as caught:
        claim_mark_duplicate(claim=a, of=c, by=build.editor)  # a -> c -> b -> a
    assert caught.value.code == "duplicate_cycle"
    a.refresh_from_db()
    assert a.duplicate_of is None


@pytest.mark.parametrize("persona", ["reviewer", "approver", "outsider"])
def test_only_editors_link_duplicates(
    build: ClaimBuilder, personas: dict[str, User], persona: str
) -> None:
    a, b = build.draft(), build.draft()
    with pytest.raises(NotPermitted):
        claim_mark_duplicate(claim=b, of=a, by=personas[persona])


def test_merge_withdraws_the_duplicate_and_copies_its_evidence(build: ClaimBuilder) -> None:
    into = build.submitted()
    duplicate = build.draft(statement="Ghaffari landed in Damascus on Tuesday.")
    link = services.evidence_add(
        claim=duplicate,
        by=build.editor,
        kind="link",
        url="https://desk.example/flight",
        stance="supports",
        is_public=True,
    )
    build.evidence(duplicate)  # a note
    services.evidence_add(
        claim=duplicate,
        by=build.editor,
        kind="file",
        file=SimpleUploadedFile("manifest.txt", b"Flight manifest, Tuesday", "text/plain"),
    )
    claim_merge(claim=duplicate, into=into, by=build.editor)
    duplicate.refresh_from_db()
    assert duplicate.status == Claim.Status.WITHDRAWN
    assert duplicate.duplicate_of == into
    assert duplicate.withdrawn_reason == f"Merged into {into.code}"
    assert duplicate.evidence.count() == 3  # its own evidence stays where it was
    copies = list(into.evidence.order_by("id"))
    assert [(e.kind, e.stance, e.is_public) for e in copies] == [
        ("link", "supports", False),
        ("note", "supports", False),
        ("file", "context", False),
    ]
    assert copies[0].url == link.url
    assert copies[0].fetch_state == Evidence.FetchState.PENDING
    assert copies[2].file.read() == b"Flight manifest, Tuesday"
    merged = into.events.get(action="claim.merged")
    assert merged.details == {"from": str(duplicate.code), "evidence": [e.pk for e in copies]}
    assert duplicate.events.filter(action="claim.withdrawn").count() == 1


def test_a_published_claim_is_not_merged(build: ClaimBuilder) -> None:
    published = build.published()
    into = build.draft()
    events = Event.objects.count()
    with pytest.raises(GuardFailed):
        claim_merge(claim=published, into=into, by=build.editor)
    published.refresh_from_db()
    assert published.duplicate_of is None
    assert Event.objects.count() == events


def test_nothing_is_merged_into_a_withdrawn_claim(build: ClaimBuilder) -> None:
    withdrawn = build.withdrawn()
    draft = build.draft()
    with pytest.raises(GuardFailed):
        claim_merge(claim=draft, into=withdrawn, by=build.editor)
    draft.refresh_from_db()
    assert draft.status == Claim.Status.DRAFT
    assert draft.duplicate_of is None


def test_merging_needs_the_withdraw_permission(build: ClaimBuilder, reviewer: User) -> None:
    a, b = build.draft(), build.draft()
    with pytest.raises(NotPermitted):
        claim_merge(claim=b, into=a, by=reviewer)

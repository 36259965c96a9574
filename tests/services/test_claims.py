"""claim_create and claim_update: validation, permissions, one event per change."""

from __future__ import annotations

import pytest

from claims import services
from claims.exceptions import GuardFailed, InvalidInput, NotPermitted
from claims.models import Claim, Event, User
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db


def test_create_keeps_attribution_order_and_tags(editor: User) -> None:
    claim = services.claim_create(
        by=editor,
        statement="  Ghaffari arrived in Damascus on Tuesday.  ",
        claimant_name="Iran International",
        claimant_kind="media",
        attribution=[("Iran International", "reported"), ("Al-Alam", "sourcing"), ("", "x")],
        tags=["Iran", "Syria", "iran"],
        priority=Claim.Priority.URGENT,
    )
    assert claim.statement == "Ghaffari arrived in Damascus on Tuesday."
    assert claim.status == Claim.Status.DRAFT
    assert [(a.position, a.name, a.relation) for a in claim.attribution.all()] == [
        (0, "Iran International", "reported"),
        (1, "Al-Alam", "sourcing"),
    ]
    assert sorted(claim.tags.values_list("slug", flat=True)) == ["iran", "syria"]
    assert claim.claimant is not None
    assert claim.claimant.kind == "media"
    assert list(claim.events.values_list("action", flat=True)) == ["claim.created"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"statement": "   "}, "statement"),
        ({"statement": "x", "priority": 9}, "priority"),
        ({"statement": "x", "excerpt_start": 5}, "excerpt_start"),
        ({"statement": "x", "excerpt_start": 9, "excerpt_end": 2}, "excerpt_start"),
        ({"statement": "x", "claimant_name": "A", "claimant_kind": "robot"}, "claimant_kind"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(
    editor: User, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.claim_create(by=editor, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert Claim.objects.count() == 0
    assert Event.objects.count() == 0


@pytest.mark.parametrize("persona", ["reviewer", "approver", "outsider"])
def test_only_editors_log_claims(personas: dict[str, User], persona: str) -> None:
    with pytest.raises(NotPermitted):
        services.claim_create(by=personas[persona], statement="Something happened.")
    assert Claim.objects.count() == 0


def test_update_records_changed_fields_only(build: ClaimBuilder) -> None:
    claim = build.draft()
    services.claim_update(
        claim=claim,
        by=build.editor,
        fields={"statement": claim.statement, "priority": Claim.Priority.HIGH},
        tags=["iran"],
    )
    event = claim.events.order_by("-id").first()
    assert event is not None
    assert event.action == "claim.updated"
    assert event.details == {"fields": ["priority", "tags"]}
    before = Event.objects.count()
    services.claim_update(claim=claim, by=build.editor, fields={"priority": Claim.Priority.HIGH})
    assert Event.objects.count() == before  # nothing changed, nothing recorded


def test_update_refuses_status_and_withdrawn_claims(build: ClaimBuilder) -> None:
    claim = build.draft()
    with pytest.raises(InvalidInput) as caught:
        services.claim_update(claim=claim, by=build.editor, fields={"status": "published"})
    assert caught.value.field == "status"
    with pytest.raises(GuardFailed):
        services.claim_update(claim=build.withdrawn(), by=build.editor, fields={"priority": 3})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT

"""intake_claims_create: several claims in one step, linked to the source by exact offsets,
all or nothing, errors naming the row."""

from __future__ import annotations

from typing import Any

import pytest

from claims.exceptions import GuardFailed, InvalidInput, NotPermitted
from claims.intake_services import intake_claims_create, intake_from_text
from claims.models import Claim, Event, IntakeJob, Source, User
from tests.builders import ClaimBuilder
from tests.intake_app.conftest import ARTICLE_TEXT, GHAFFARI, HEZBOLLAH

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(editor: User) -> IntakeJob:
    return intake_from_text(
        by=editor, text=ARTICLE_TEXT, url="https://desk.example/army-chief", title="Army chief"
    )


def _index(job: IntakeJob, text: str) -> int:
    return next(i for i, c in enumerate(job.candidates) if c["text"] == text)


def test_ticked_candidates_become_claims_with_offsets_attribution_and_hedges(
    editor: User, job: IntakeJob
) -> None:
    claims = intake_claims_create(
        job=job,
        by=editor,
        selections=[
            {"candidate": _index(job, GHAFFARI), "claimant_kind": "media"},
            {
                "candidate": _index(job, HEZBOLLAH),
                "statement": "Hezbollah may have lost more than 3,000 fighters in its war with Israel.",
            },
        ],
    )
    assert len(claims) == 2
    ghaffari, hezbollah = claims
    source = job.source
    assert source is not None
    for claim in claims:
        assert claim.source == source
        assert claim.status == Claim.Status.DRAFT
        assert claim.language == "en"
        assert claim.excerpt_start is not None
        assert source.text[claim.excerpt_start : claim.excerpt_end] == claim.excerpt
    assert ghaffari.statement == GHAFFARI
    assert ghaffari.excerpt == GHAFFARI
    assert ghaffari.claimant is not None
    assert (ghaffari.claimant.name, ghaffari.claimant.kind) == ("Al-Alam", "media")
    assert [(a.position, a.name) for a in ghaffari.attribution.all()] == [
        (0, "Iran International"),
        (1, "Al-Alam"),
    ]
    assert not ghaffari.tags.exists()
    # The edited statement is the claim; the excerpt stays the article's sentence.
    assert hezbollah.statement.startswith("Hezbollah may have lost more than 3,000")
    assert hezbollah.excerpt == HEZBOLLAH
    assert list(hezbollah.tags.values_list("slug", flat=True)) == ["hedged"]
    assert hezbollah.claimant is None
    assert Event.objects.filter(action="claim.created").count() == 2


def test_editor_choices_override_the_engine(editor: User, job: IntakeJob) -> None:
    start = job.text.index("Hezbollah agreed")
    end = start + len("Hezbollah agreed to a ceasefire with Israel")
    (claim,) = intake_claims_create(
        job=job,
        by=editor,
        selections=[
            {
                "start": start - 1,  # the space before is trimmed off the excerpt and offsets
                "end": end,
                "claimant": "Iran International",
                "attribution": "Desk Monitor > Iran International",
                "hedged": True,
            }
        ],
    )
    assert claim.statement == "Hezbollah agreed to a ceasefire with Israel"
    assert (claim.excerpt_start, claim.excerpt_end) == (start, end)
    assert [a.name for a in claim.attribution.all()] == ["Desk Monitor", "Iran International"]
    assert claim.claimant is not None
    assert claim.claimant.name == "Iran International"
    assert list(claim.tags.values_list("slug", flat=True)) == ["hedged"]


def test_an_existing_claimant_is_reused_whatever_its_case(editor: User, job: IntakeJob) -> None:
    first = intake_claims_create(
        job=job,
        by=editor,
        selections=[{"candidate": _index(job, GHAFFARI), "claimant_kind": "media"}],
    )[0]
    second = intake_claims_create(
        job=job,
        by=editor,
        selections=[{"candidate": _index(job, HEZBOLLAH), "claimant": "AL-ALAM"}],
    )[0]
    assert second.claimant == first.claimant


def test_one_bad_row_creates_nothing_and_is_named(editor: User, job: IntakeJob) -> None:
    before = (Claim.objects.count(), Event.objects.count())
    with pytest.raises(InvalidInput) as caught:
        intake_claims_create(
            job=job,
            by=editor,
            selections=[
                {"candidate": _index(job, GHAFFARI)},
                {"candidate": _index(job, HEZBOLLAH), "claimant_kind": "robot"},
            ],
        )
    assert caught.value.message.startswith("Row 2 (“Hezbollah agreed")
    assert caught.value.field == "claimant_kind"
    assert (Claim.objects.count(), Event.objects.count()) == before


def test_a_failure_while_writing_rolls_back_the_earlier_rows(
    editor: User, job: IntakeJob, build: ClaimBuilder
) -> None:
    # The second row passes validation, but the merge refuses it while writing (its target
    # is withdrawn): the first row's claim, already written, is rolled back with it.
    target = build.withdrawn()
    before = Claim.objects.count()
    with pytest.raises(GuardFailed) as caught:
        intake_claims_create(
            job=job,
            by=editor,
            selections=[
                {"candidate": _index(job, GHAFFARI)},
                {
                    "candidate": _index(job, HEZBOLLAH),
                    "duplicate_of": str(target.code),
                    "merge": True,
                },
            ],
        )
    assert caught.value.message.startswith("Row 2")
    assert "withdrawn" in caught.value.message
    assert Claim.objects.count() == before


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ({"candidate": 999}, "there is no candidate 999"),
        ({"candidate": "first"}, "candidate must be a number"),
        ({"start": 0}, "choose a candidate or give start and end"),
        ({"start": 5, "end": 10_000_000}, "outside the text"),
        ({"start": 10, "end": 10}, "the excerpt is empty"),
        ({"start": -1, "end": 10}, "outside the text"),
        ({"candidate": 0, "duplicate_of": "not-a-code"}, "there is no claim not-a-code"),
        ({"candidate": 0, "statement": "   ", "row": 7}, "Row 7"),
    ],
)
def test_bad_rows_are_refused(
    editor: User, job: IntakeJob, selection: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        intake_claims_create(job=job, by=editor, selections=[selection])
    assert message in caught.value.message
    assert Claim.objects.count() == 0


def test_nothing_ticked_is_an_error(editor: User, job: IntakeJob) -> None:
    with pytest.raises(InvalidInput):
        intake_claims_create(job=job, by=editor, selections=[])


def test_a_job_without_candidates_yet_is_refused(editor: User) -> None:
    pending = IntakeJob.objects.create(created_by=editor, url="https://desk.example/a")
    with pytest.raises(GuardFailed):
        intake_claims_create(job=pending, by=editor, selections=[{"candidate": 0}])


@pytest.mark.parametrize("persona", ["reviewer", "approver", "outsider"])
def test_only_editors_create(personas: dict[str, User], persona: str, job: IntakeJob) -> None:
    with pytest.raises(NotPermitted):
        intake_claims_create(job=job, by=personas[persona], selections=[{"candidate": 0}])
    assert Claim.objects.count() == 0


def test_a_row_can_be_logged_as_a_duplicate_or_merged(
    editor: User, job: IntakeJob, build: ClaimBuilder
) -> None:
    existing = build.draft(statement="Javad Ghaffari arrived in Damascus on Tuesday.")
    linked, merged = intake_claims_create(
        job=job,
        by=editor,
        selections=[
            {"candidate": _index(job, GHAFFARI), "duplicate_of": str(existing.code)},
            {"candidate": _index(job, GHAFFARI), "duplicate_of": str(existing.code), "merge": True},
        ],
    )
    assert linked.duplicate_of == existing
    assert linked.status == Claim.Status.DRAFT
    assert merged.duplicate_of == existing
    assert merged.status == Claim.Status.WITHDRAWN
    assert merged.withdrawn_reason == f"Merged into {existing.code}"
    assert linked.source == merged.source == job.source  # the new appearance is on record


def test_offsets_are_left_out_when_the_source_has_other_text(editor: User) -> None:
    Source.objects.create(url="https://desk.example/b", text="An older version of the page.")
    job = intake_from_text(by=editor, text=ARTICLE_TEXT, url="https://desk.example/b")
    (claim,) = intake_claims_create(job=job, by=editor, selections=[{"candidate": 0}])
    assert claim.source == job.source
    assert claim.excerpt == job.candidates[0]["text"]
    assert claim.excerpt_start is None
    assert claim.excerpt_end is None

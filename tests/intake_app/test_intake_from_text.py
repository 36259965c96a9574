"""intake_from_text: pasted text is analysed at once into candidates with exact offsets."""

from __future__ import annotations

import pytest

from claims.exceptions import InvalidInput, NotPermitted
from claims.intake_services import intake_from_text
from claims.models import IntakeJob, Source, User
from tests.intake_app.conftest import ARABIC_TEXT, ARTICLE, ARTICLE_TEXT, GHAFFARI, HEZBOLLAH

pytestmark = pytest.mark.django_db


def test_pasted_article_is_ready_with_candidates_best_first(editor: User) -> None:
    job = intake_from_text(by=editor, text=ARTICLE_TEXT, title="Iran's army chief")
    assert job.state == IntakeJob.State.READY
    assert job.progress == 100
    assert job.language == "en"
    scores = [c["score"] for c in job.candidates]
    assert scores == sorted(scores, reverse=True)
    # Every sentence is a candidate, check-worthy or not: the editor may promote any.
    assert sorted(c["text"] for c in job.candidates) == sorted(
        s["text"] for s in ARTICLE["sentences"]
    )
    for candidate in job.candidates:
        assert job.text[candidate["start"] : candidate["end"]] == candidate["text"]
    by_text = {c["text"]: c for c in job.candidates}
    ghaffari = by_text[GHAFFARI]
    assert ghaffari["check_worthy"]
    assert ghaffari["attribution_chain"] == ["Iran International", "Al-Alam"]
    assert ghaffari["claimant"] == "Al-Alam"
    assert any(reason.startswith("attribution") for reason in ghaffari["reasons"])
    assert by_text[HEZBOLLAH]["hedged"]
    assert "may" in by_text[HEZBOLLAH]["hedges"]
    assert not by_text["Will Russia step in again?"]["check_worthy"]


def test_the_source_holds_the_text_the_offsets_point_into(editor: User) -> None:
    job = intake_from_text(
        by=editor,
        text="  " + ARTICLE_TEXT.replace("\n", "\r\n") + "\n\n",
        url="https://desk.example/iran-army-chief",
        title="Iran's army chief",
    )
    assert "\r" not in job.text
    assert job.text == job.text.strip()
    assert job.source is not None
    assert job.source.text == job.text
    assert job.source.url == "https://desk.example/iran-army-chief"
    assert job.source.created_by == editor


def test_a_known_source_is_reused_and_given_the_text(editor: User) -> None:
    known = Source.objects.create(url="https://desk.example/a", title="Known")
    job = intake_from_text(by=editor, text=ARTICLE_TEXT, url="https://desk.example/a")
    known.refresh_from_db()
    assert job.source == known
    assert known.text == job.text
    assert known.title == "Known"
    assert Source.objects.count() == 1


def test_arabic_text_is_detected_and_split(editor: User) -> None:
    job = intake_from_text(by=editor, text=ARABIC_TEXT)
    assert job.language == "ar"
    assert len(job.candidates) == 2
    for candidate in job.candidates:
        assert job.text[candidate["start"] : candidate["end"]] == candidate["text"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": "   \n  "}, "text"),
        ({"text": "x" * 200_001}, "text"),
        ({"text": "Ghaffari arrived.", "url": "javascript:alert(1)"}, "url"),
        ({"text": "Ghaffari arrived.", "language": "english!"}, "language"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    editor: User, kwargs: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        intake_from_text(by=editor, **kwargs)
    assert caught.value.field == field
    assert IntakeJob.objects.count() == 0
    assert Source.objects.count() == 0


@pytest.mark.parametrize("persona", ["reviewer", "approver", "outsider"])
def test_only_editors_start_intake(personas: dict[str, User], persona: str) -> None:
    with pytest.raises(NotPermitted):
        intake_from_text(by=personas[persona], text=ARTICLE_TEXT)
    assert IntakeJob.objects.count() == 0

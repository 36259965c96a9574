"""claims.intake.duplicates: same claim, different words; different claim, same words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.intake.duplicates import DUPLICATE_THRESHOLD, Match, find_similar, similarity

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Hezbollah may have lost more than 3,000 fighters in the war with Israel.",
            "Over 3,000 Hezbollah fighters may have been killed in the war with Israel.",
        ),
        (
            "Javad Ghaffari arrived in Damascus on Tuesday, Iran International reported.",
            "Iran International reported that Javad Ghaffari had arrived in Damascus on Tuesday.",
        ),
        ("HTS took control of Aleppo last week.", "Last week, HTS seized control of Aleppo."),
        (
            "Three cholera cases were confirmed in Tarsk.",
            "3 cholera cases were confirmed in Tarsk.",
        ),
        ("More than 3,000 fighters were killed.", "More than three thousand fighters were killed."),
    ],
)
def test_paraphrases_match(a: str, b: str) -> None:
    assert similarity(a, b) >= DUPLICATE_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Hezbollah may have lost over 3,000 fighters.",
            "Hezbollah may have lost over 300 fighters.",
        ),
        ("Ghaffari arrived in Damascus on Tuesday.", "Ghaffari arrived in Damascus on Friday."),
        ("Ghaffari arrived in Damascus on Tuesday.", "Ghaffari arrived in Baghdad on Tuesday."),
        ("Javad Ghaffari arrived in Damascus.", "Qassem Haddad arrived in Damascus."),
        ("Ghaffari is under US sanctions.", "Ghaffari is not under US sanctions."),
        ("Police confirmed the arrests.", "Police didn't confirm the arrests."),
        ("Employment rose by about 90,000.", "Employment fell by about 90,000."),
        ("پلیس بازداشت‌ها را تأیید کرد", "پلیس بازداشت‌ها را تأیید نکرد"),
        ("HTS took control of Aleppo.", "The central bank raised interest rates."),
    ],
)
def test_near_misses_are_different_claims(a: str, b: str) -> None:
    assert similarity(a, b) < DUPLICATE_THRESHOLD


def test_a_text_that_only_adds_detail_is_not_penalised() -> None:
    short = "Hezbollah lost over 3,000 fighters."
    longer = "Hezbollah lost over 3,000 fighters in two months of fighting with Israel."
    assert similarity(short, longer) >= DUPLICATE_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("وصل غفاري إلى دمشق يوم الثلاثاء", "وصل غفارى الى دمشق يوم الثلاثاء"),
        ("قُتِلَ ثَلاثَةُ آلافِ مُقاتِلٍ", "قتل ثلاثه الاف مقاتل"),
        ("سپاه می‌گوید ۳۰۰۰ نیرو کشته شده‌اند", "سپاه ميگويد 3000 نيرو كشته شدهاند"),
    ],
)
def test_arabic_and_persian_spelling_variants_are_exact_matches(a: str, b: str) -> None:
    assert similarity(a, b) == 1.0
    assert find_similar(a, [("claim-1", b)]) == [Match("claim-1", 1.0, True)]


def test_find_similar_ranks_filters_and_limits() -> None:
    claims = [
        (1, "The central bank raised interest rates."),
        (2, "Over 3,000 Hezbollah fighters may have been killed in the war."),
        (3, "Hezbollah may have lost over 3,000 fighters in the war."),
        (4, "Hezbollah may have lost over 300 fighters in the war."),
        (5, "HEZBOLLAH may have lost over 3000 fighters in the war"),
    ]
    matches = find_similar("Hezbollah may have lost over 3,000 fighters in the war.", claims)
    assert [m.key for m in matches] == [3, 5, 2]
    assert [m.exact for m in matches] == [True, True, False]
    assert matches[0].score == matches[1].score == 1.0 > matches[2].score >= DUPLICATE_THRESHOLD
    assert find_similar("Hezbollah may have lost over 3,000 fighters.", claims, limit=1)[0].key == 3
    assert (
        find_similar("Hezbollah may have lost over 3,000 fighters.", claims, threshold=1.0, limit=5)
        == []
    )


def test_find_similar_with_nothing_to_compare() -> None:
    assert find_similar("", [(1, "")]) == []
    assert find_similar(" ... ", [(1, "Anything at all.")]) == []
    assert find_similar("Anything at all.", []) == []


@settings(max_examples=300)
@given(st.text(max_size=120), st.text(max_size=120))
def test_similarity_is_a_symmetric_score(a: str, b: str) -> None:
    score = similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == similarity(b, a)


def test_labelled_pairs_meet_the_precision_goal() -> None:
    data = json.loads((ROOT / "bench/data/intake/duplicate_pairs.json").read_text(encoding="utf-8"))
    pairs = data["pairs"]
    assert len(pairs) >= 60
    predicted = [similarity(p["a"], p["b"]) >= DUPLICATE_THRESHOLD for p in pairs]
    true_positives = sum(
        1 for p, hit in zip(pairs, predicted, strict=True) if hit and p["duplicate"]
    )
    assert true_positives / sum(predicted) >= 0.9

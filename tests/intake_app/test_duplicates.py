"""claim_duplicates_find: the database prefilter (pg_trgm on PostgreSQL, a word scan on
SQLite) plus the engine's score. Every test here runs on whichever backend the suite uses."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from claims import services
from claims.duplicate_services import claim_duplicates_find, claim_duplicates_find_many
from claims.intake.duplicates import DUPLICATE_THRESHOLD, similarity
from claims.intake.normalize import normalize_text
from claims.intake_services import (
    DUPLICATE_CHECKS_MAX,
    intake_candidates_duplicates,
    intake_from_text,
)
from claims.models import Claim, User
from tests.builders import ClaimBuilder
from tests.intake_app.conftest import postgres_extra_queries

pytestmark = pytest.mark.django_db

PAIRS = Path(__file__).resolve().parents[2] / "bench" / "data" / "intake" / "duplicate_pairs.json"


def _claim(editor: User, statement: str) -> Claim:
    return services.claim_create(by=editor, statement=statement)


def test_same_normalized_text_is_an_exact_match(editor: User) -> None:
    claim = _claim(editor, "Hezbollah may have lost over 3,000 fighters.")
    _claim(editor, "The Kestrian mark fell against the euro.")
    (match,) = claim_duplicates_find(text="  HEZBOLLAH may have lost over 3000 fighters")
    assert match.claim == claim
    assert match.exact
    assert match.score == 1.0


def test_a_paraphrase_matches_and_a_different_number_does_not(editor: User) -> None:
    claim = _claim(
        editor, "Hezbollah may have lost more than 3,000 fighters in the war with Israel."
    )
    (match,) = claim_duplicates_find(
        text="Over 3,000 Hezbollah fighters may have been killed in the war with Israel."
    )
    assert match.claim == claim
    assert not match.exact
    assert DUPLICATE_THRESHOLD <= match.score < 1
    assert (
        claim_duplicates_find(
            text="Hezbollah may have lost more than 300 fighters in the war with Israel."
        )
        == []
    )


def test_a_different_place_or_a_negation_is_another_claim(editor: User) -> None:
    _claim(editor, "Ghaffari arrived in Damascus on Tuesday.")
    _claim(editor, "Police confirmed the arrests.")
    assert claim_duplicates_find(text="Ghaffari arrived in Baghdad on Tuesday.") == []
    assert claim_duplicates_find(text="Police did not confirm the arrests.") == []


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("وصل غفاري إلى دمشق يوم الثلاثاء", "وصل غفارى الى دمشق يوم الثلاثاء"),
        ("قُتِلَ ثَلاثَةُ آلافِ مُقاتِلٍ في الحَرْبِ", "قتل ثلاثه الاف مقاتل في الحرب"),
        ("وزیر خارجه ایران به دمشق سفر کرد", "وزير خارجه ايران به دمشق سفر كرد"),
        (
            "سپاه پاسداران می\u200cگوید ۳۰۰۰ نیرو کشته شده\u200cاند",
            "سپاه پاسداران ميگويد 3000 نيرو كشته شدهاند",
        ),
    ],
)
def test_arabic_and_persian_letter_variants_match(editor: User, stored: str, query: str) -> None:
    claim = services.claim_create(by=editor, statement=stored, language="ar")
    assert claim.statement == stored  # stored as written, matched normalized
    assert claim.normalized_statement == normalize_text(query)
    (match,) = claim_duplicates_find(text=query)
    assert match.claim == claim
    assert match.exact


def test_persian_negation_is_not_a_duplicate(editor: User) -> None:
    _claim(editor, "پلیس بازداشت\u200cها را تأیید کرد")
    assert claim_duplicates_find(text="پلیس بازداشت\u200cها را تأیید نکرد") == []


def test_best_first_limited_and_excluding(editor: User) -> None:
    exact = _claim(editor, "HTS took control of Aleppo last week.")
    close = _claim(editor, "Last week, HTS seized control of Aleppo.")
    matches = claim_duplicates_find(text="HTS took control of Aleppo last week.")
    assert [m.claim for m in matches] == [exact, close]
    assert [m.claim for m in claim_duplicates_find(text=exact.statement, limit=1)] == [exact]
    assert [m.claim for m in claim_duplicates_find(text=exact.statement, exclude=exact)] == [close]
    assert claim_duplicates_find(text=exact.statement, exclude=[exact.pk, close]) == []
    assert claim_duplicates_find(text="  ...  ") == []


def test_the_summary_says_where_the_match_stands(build: ClaimBuilder) -> None:
    published = build.published()
    (match,) = claim_duplicates_find(text=published.statement)
    assert match.summary.startswith("published True on ")
    draft = build.draft(statement="Iran's foreign minister travelled to Damascus and Ankara.")
    (match,) = claim_duplicates_find(text=draft.statement)
    assert match.summary.startswith("draft, logged on ")


def test_claim_update_keeps_the_key_in_step(build: ClaimBuilder) -> None:
    claim = build.draft()
    services.claim_update(
        claim=claim, by=build.editor, fields={"statement": "Ghaffari is under US sanctions."}
    )
    claim.refresh_from_db()
    assert claim.normalized_statement == "ghaffari is under us sanctions"
    (match,) = claim_duplicates_find(
        text="Ghaffari is currently under sanctions imposed by the US."
    )
    assert match.claim == claim


def test_the_database_path_agrees_with_the_engine_on_every_labelled_pair(editor: User) -> None:
    """The prefilter never drops a pair the engine would call a duplicate (both backends)."""
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    stored = {text: _claim(editor, text) for text in {pair["a"] for pair in pairs}}
    results = claim_duplicates_find_many(texts=[pair["b"] for pair in pairs], limit=50)
    disagreements = []
    for pair, matches in zip(pairs, results, strict=True):
        found = stored[pair["a"]] in [m.claim for m in matches]
        expected = pair["a"] == pair["b"] or similarity(pair["a"], pair["b"]) >= DUPLICATE_THRESHOLD
        if found != expected:
            disagreements.append((pair["a"], pair["b"]))
    assert disagreements == []
    # and the engine's decisions are the labels, bar the few the benchmark reports
    wrong = [
        p
        for p, m in zip(pairs, results, strict=True)
        if (stored[p["a"]] in [x.claim for x in m]) != p["duplicate"]
    ]
    assert len(wrong) <= 3, wrong


def test_many_texts_cost_a_constant_number_of_queries(
    editor: User, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        _claim(editor, f"The army deployed {n + 1},500 soldiers to the flood zone.")
    expected = 2 + postgres_extra_queries()  # the candidate pool, the matched claims
    with django_assert_num_queries(expected):
        results = claim_duplicates_find_many(
            texts=[f"The army deployed {n + 1},500 soldiers to the flood zone." for n in range(5)]
            + ["Brent crude rose on Monday."]
        )
    assert [len(r) for r in results] == [1, 1, 1, 1, 1, 0]


def test_the_migration_backfills_existing_rows(editor: User) -> None:
    claim = _claim(editor, "Iran’s top general warned of an “American-Israeli scheme”.")
    Claim.objects.filter(pk=claim.pk).update(normalized_statement="")
    migration = importlib.import_module("claims.migrations.0006_intake")
    migration.backfill_normalized_statement(apps, None)
    claim.refresh_from_db()
    assert claim.normalized_statement == "irans top general warned of an american israeli scheme"


@pytest.mark.postgres
def test_postgres_has_the_trigram_index_and_uses_it(editor: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'claim_normalized_trgm'")
        (definition,) = cursor.fetchone()
        assert "gin (normalized_statement gin_trgm_ops)" in definition
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM claims_claim WHERE normalized_statement %% %s",
            ["hezbollah lost fighters"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claim_normalized_trgm" in plan


@pytest.mark.django_db(transaction=True)
def test_matching_works_in_autocommit_as_in_a_request(editor: User) -> None:
    """No surrounding transaction (as in a view): the PostgreSQL thresholds still apply to the
    query that needs them."""
    claim = _claim(editor, "Senior IRGC commander Javad Ghaffari arrived in Damascus on Tuesday.")
    assert connection.get_autocommit()
    (match,) = claim_duplicates_find(
        text="Javad Ghaffari, a senior IRGC commander, arrived in Damascus on Tuesday"
    )
    assert match.claim == claim


def test_a_long_job_checks_its_best_candidates_only(editor: User) -> None:
    lines = [f"The army deployed {n},500 soldiers to Tarsk on Monday." for n in range(1, 71)]
    job = intake_from_text(by=editor, text="\n".join(lines))
    for candidate in job.candidates:
        _claim(editor, candidate["text"])
    found = intake_candidates_duplicates(job=job)
    assert len(found) == len(job.candidates) == 70
    checked, unchecked = found[:DUPLICATE_CHECKS_MAX], found[DUPLICATE_CHECKS_MAX:]
    assert [[m.claim.statement for m in f] for f in checked] == [
        [c["text"]] for c in job.candidates[:DUPLICATE_CHECKS_MAX]
    ]
    assert unchecked == [[]] * (70 - DUPLICATE_CHECKS_MAX)

"""claims.intake.scoring: check-worthiness, reasons, hedges and attribution chains.

The Iran/Syria sentences restate, in our own words, the facts of the sample article the
intake screen was designed around.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.intake.scoring import (
    CHECK_WORTHY_THRESHOLD,
    Candidate,
    extract_candidates,
    score_sentence,
)

ROOT = Path(__file__).resolve().parents[2]
GHAFFARI = (
    "Iran International reported that senior Islamic Revolutionary Guard Corps figure "
    "Javad Ghaffari was reported to have arrived in Damascus on Tuesday, sourcing Iran's "
    "state-run Al-Alam."
)
HEZBOLLAH = (
    "Hezbollah accepted a ceasefire with Israel after two months of heavy fighting in which "
    "it may have lost over 3,000 fighters."
)


def test_ghaffari_report_has_a_two_link_attribution_chain() -> None:
    candidate = score_sentence(GHAFFARI)
    assert candidate.attribution_chain == ["Iran International", "Al-Alam"]
    assert candidate.claimant == "Al-Alam"
    assert candidate.hedged
    assert "was reported to" in candidate.hedges
    assert candidate.check_worthy
    for reason in (
        "names a person: Javad Ghaffari",
        "names an organisation: Iran International",
        "names a place: Damascus",
        "attribution: reported",
        "attribution: sourcing",
        "time: on Tuesday",
    ):
        assert reason in candidate.reasons


def test_hedged_loss_figure_is_check_worthy_and_hedged() -> None:
    candidate = score_sentence(HEZBOLLAH)
    assert candidate.hedged
    assert candidate.hedges == ["may"]
    assert "contains a number: 3,000" in candidate.reasons
    assert "comparison: over" in candidate.reasons
    assert "hedged: may" in candidate.reasons
    assert candidate.check_worthy
    assert candidate.claimant is None
    assert candidate.attribution_chain == []


def test_calls_to_counterparts_name_the_people() -> None:
    candidate = score_sentence(
        "Maj.-Gen. Mohammad Bagheri, who heads Iran's armed forces, phoned Syria's "
        "Gen. Abdul Karim Mahmoud Ibrahim and Russian Defence Minister Andrei Belousov this week."
    )
    assert "names a person: Mohammad Bagheri" in candidate.reasons
    assert "names a person: Abdul Karim Mahmoud Ibrahim" in candidate.reasons
    assert "names a person: Andrei Belousov" in candidate.reasons
    assert "time: this week" in candidate.reasons
    assert candidate.check_worthy


def test_speculation_about_the_future_is_hedged_but_not_check_worthy() -> None:
    candidate = score_sentence(
        "Tehran may now ask Kataib Hezbollah, an Iraqi militia, to send fighters into Syria."
    )
    assert candidate.hedged
    assert not candidate.check_worthy
    assert "prediction: may now ask" in candidate.reasons


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Clearly, Tehran is desperate to rescue its ally in Damascus.", "subjective: clearly"),
        (
            "That is a striking admission of failure for the Iranian leadership.",
            "subjective: admission of failure",
        ),
        ("Losing Hama would leave Assad badly exposed.", "prediction: would leave"),
        ("Will Russia step in again?", "question"),
        ("The government should have been better prepared for the floods.", "subjective: should"),
    ],
)
def test_opinion_prediction_and_questions_are_not_check_worthy(sentence: str, reason: str) -> None:
    candidate = score_sentence(sentence)
    assert reason in candidate.reasons
    assert not candidate.check_worthy
    assert candidate.score < CHECK_WORTHY_THRESHOLD


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        (
            "Facebook did not respond to a request for comment.",
            "no claim: did not respond to a request for comment",
        ),
        (
            "It is unclear whether the reports about Ghaffari can be confirmed.",
            "no claim: it is unclear",
        ),
        ("Many residents say they feel abandoned.", "opinion: feel"),
    ],
)
def test_statements_without_a_claim_are_not_check_worthy(sentence: str, reason: str) -> None:
    candidate = score_sentence(sentence)
    assert reason in candidate.reasons
    assert not candidate.check_worthy


def test_a_prediction_inside_a_quotation_counts_half() -> None:
    own = score_sentence("Iran's foreign minister said Iranian forces could be sent to Syria.")
    quoted = score_sentence("Iran's foreign minister said “Iranian forces could be sent to Syria.”")
    assert "prediction: could be" in own.reasons
    assert "prediction (quoted): could be" in quoted.reasons
    assert quoted.score > own.score


def test_progressive_and_headline_event_verbs() -> None:
    clashing = score_sentence(
        "The US-backed Syrian Democratic Forces have been clashing with government troops."
    )
    assert "event: clashing" in clashing.reasons
    assert "names an organisation: Syrian Democratic Forces" in clashing.reasons
    headline = extract_candidates(
        "Kestria raises interest rates to highest level since 2009\n\nMore."
    )[0]
    assert "event: raises" in headline.reasons
    assert headline.check_worthy
    noun = score_sentence("These clashes weakened nobody.")
    assert "event: clashes" not in noun.reasons


def test_opinion_scores_below_a_factual_sentence_about_the_same_thing() -> None:
    fact = score_sentence("HTS fighters took control of Aleppo last week and advanced toward Hama.")
    opinion = score_sentence(
        "Clearly, the rebels are humiliating the regime around Aleppo and Hama."
    )
    assert fact.check_worthy
    assert not opinion.check_worthy
    assert fact.score > opinion.score
    assert "time: last week" in fact.reasons
    assert "event: took" in fact.reasons


@pytest.mark.parametrize(
    ("sentence", "chain"),
    [
        (
            "“We have evidence of fraud,” Okafor told Harbour FM on Monday.",
            ["Harbour FM", "Okafor"],
        ),
        ("“It is shameful,” said Miriam Cole, who chairs the commission.", ["Miriam Cole"]),
        ("“Markets expected less,” she said.", ["she"]),
        (
            "Blue Crescent Aid, a charity working in the area, said it had delivered water to 8,000 families.",
            ["Blue Crescent Aid"],
        ),
        (
            "Food prices rose by 14% last year, according to the National Statistics Office.",
            ["National Statistics Office"],
        ),
        ("Residents of Mirel said rescuers took two days to reach them.", ["Residents of Mirel"]),
        (
            "Provincial governor Rustam Karimov denied that warnings were issued late.",
            ["Rustam Karimov"],
        ),
        (
            "Two men were allegedly arrested, the Selwyn Gazette reported, citing unnamed witnesses.",
            ["Selwyn Gazette", "unnamed witnesses"],
        ),
        (
            "Three cholera cases have been reported in Tarsk, local health officials said.",
            ["local health officials"],
        ),
        (
            "Ardania's energy minister, Karim Haddad, told reporters exports had resumed.",
            ["Karim Haddad"],
        ),
        (
            "A spokesperson for the oil company, quoted by the Ardania Times, said the fire was out.",
            ["Ardania Times", "spokesperson for the oil company"],
        ),
        ("Police did not confirm the arrests.", []),
        ("Footage broadcast by state television showed villagers on rooftops.", []),
        ("Why would anyone believe such a clip?", []),
    ],
)
def test_attribution_chain_conventions(sentence: str, chain: list[str]) -> None:
    candidate = score_sentence(sentence)
    assert candidate.attribution_chain == chain
    assert candidate.claimant == (chain[-1] if chain else None)


def test_attribution_inside_a_quotation_is_what_the_source_said() -> None:
    candidate = score_sentence(
        "Iran International said Ghaffari landed in Damascus “hours after the foreign minister "
        "said troops could be sent”, citing Al-Alam."
    )
    assert candidate.attribution_chain == ["Iran International", "Al-Alam"]


def test_extract_candidates_orders_best_first_with_exact_offsets() -> None:
    text = (
        "Iran's allies lose ground\n\n"
        f"{HEZBOLLAH} Clearly, this is a disaster for Tehran.\n"
        f"{GHAFFARI}\n"
        "Will Russia step in?"
    )
    candidates = extract_candidates(text)
    assert len(candidates) == 5
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    for candidate in candidates:
        assert text[candidate.start : candidate.end] == candidate.text
    assert {candidates[0].text, candidates[1].text} == {HEZBOLLAH, GHAFFARI}
    headline = next(c for c in candidates if c.text == "Iran's allies lose ground")
    assert "headline (no full stop)" in headline.reasons
    assert not headline.check_worthy


def test_ties_keep_article_order() -> None:
    sentence = "The army deployed 2,500 soldiers to Tarsk on Monday."
    candidates = extract_candidates(f"{sentence} {sentence} {sentence}")
    assert [c.start for c in candidates] == sorted(c.start for c in candidates)
    assert len({c.score for c in candidates}) == 1


def test_names_seen_elsewhere_in_the_article_are_recognised_at_sentence_start() -> None:
    text = "Officials named Revolutionary Guards commander Javad Ghaffari. Ghaffari served in Syria before."
    alone = score_sentence("Ghaffari served in Syria before.")
    in_article = next(c for c in extract_candidates(text) if c.text.startswith("Ghaffari"))
    assert "names a person: Ghaffari" in in_article.reasons
    assert "names a person: Ghaffari" not in alone.reasons


def test_arabic_sentences_get_numbers_attribution_and_hedges() -> None:
    text = "قال المتحدث إن ٣٠٠٠ مقاتل ربما قتلوا في المعارك. هل سيعودون؟"
    candidates = extract_candidates(text, language="auto")
    first = candidates[0]
    assert first.text == "قال المتحدث إن ٣٠٠٠ مقاتل ربما قتلوا في المعارك."
    assert "contains a number: 3000" in first.reasons
    assert "attribution: قال" in first.reasons
    assert first.hedged
    assert first.check_worthy
    assert "question" in candidates[1].reasons
    assert not candidates[1].check_worthy


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_scores_are_probabilities_and_offsets_exact(text: str) -> None:
    for candidate in extract_candidates(text):
        assert 0.0 <= candidate.score <= 1.0
        assert candidate.check_worthy == (candidate.score >= CHECK_WORTHY_THRESHOLD)
        assert text[candidate.start : candidate.end] == candidate.text
        assert candidate.hedged == bool(candidate.hedges)


def test_a_5000_character_article_is_fast() -> None:
    articles = json.loads((ROOT / "bench/data/intake/articles.json").read_text(encoding="utf-8"))
    text = "\n".join(a["text"] for a in articles["articles"])[:5000]
    extract_candidates(text)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        extract_candidates(text)
        runs.append(time.perf_counter() - started)
    # The goal is 50 ms (bench/intake_eval.py measures it); this only catches regressions
    # by an order of magnitude without being flaky on a busy machine.
    assert sorted(runs)[2] < 0.25


def test_labelled_set_meets_the_goals() -> None:
    """Recall >= 0.9 and precision >= 0.7 on the hand-labelled articles."""
    articles = json.loads((ROOT / "bench/data/intake/articles.json").read_text(encoding="utf-8"))
    tp = fp = fn = 0
    for article in articles["articles"]:
        candidates = extract_candidates(article["text"])
        by_text: dict[str, Candidate] = {c.text: c for c in candidates}
        for label in article["sentences"]:
            predicted = by_text[label["text"]].check_worthy
            tp += predicted and label["check_worthy"]
            fp += predicted and not label["check_worthy"]
            fn += not predicted and label["check_worthy"]
            assert label["claimant"] == (label["attribution_chain"] or [None])[-1]
    assert tp / (tp + fn) >= 0.9
    assert tp / (tp + fp) >= 0.7


def test_importing_the_engine_does_not_import_django() -> None:
    code = (
        "import sys; import claims.intake.scoring, claims.intake.duplicates; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"

"""claims.intake.sentences: boundaries and exact offsets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.intake.sentences import Sentence, split_sentences


def texts(text: str, language: str = "en") -> list[str]:
    return [s.text for s in split_sentences(text, language)]


def assert_exact(text: str, sentences: list[Sentence]) -> None:
    previous_end = 0
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text
        assert sentence.text == sentence.text.strip()
        assert previous_end <= sentence.start < sentence.end <= len(text)
        previous_end = sentence.end


def test_military_ranks_and_abbreviations_do_not_end_a_sentence() -> None:
    text = (
        "Maj.-Gen. Mohammad Bagheri phoned Gen. Abdul Karim Mahmoud Ibrahim in Damascus. "
        "He also called Iraq's Maj.-Gen. Yahya Rasool and U.S. officials were not told. "
        "Lt.-Col. Smith declined to comment."
    )
    assert texts(text) == [
        "Maj.-Gen. Mohammad Bagheri phoned Gen. Abdul Karim Mahmoud Ibrahim in Damascus.",
        "He also called Iraq's Maj.-Gen. Yahya Rasool and U.S. officials were not told.",
        "Lt.-Col. Smith declined to comment.",
    ]


def test_quotations_stay_with_their_attribution() -> None:
    text = "“Is Hama next?” the commander asked. “Yes,” he said. Then he left."
    assert texts(text) == [
        "“Is Hama next?” the commander asked.",
        "“Yes,” he said.",
        "Then he left.",
    ]


def test_every_line_break_is_a_paragraph_break() -> None:
    text = (
        "Iran struggles to support its ally\n\n"
        "HTS took Aleppo last week. It is now close to Hama\n"
        "Kataib Hezbollah may send fighters.\r\n"
    )
    sentences = split_sentences(text)
    assert [(s.text, s.paragraph) for s in sentences] == [
        ("Iran struggles to support its ally", 0),
        ("HTS took Aleppo last week.", 1),
        ("It is now close to Hama", 1),
        ("Kataib Hezbollah may send fighters.", 2),
    ]
    assert_exact(text, sentences)


def test_offsets_point_into_the_original_text() -> None:
    text = "  Hezbollah may have lost over 3,000 fighters.   Iran denied it.\n\n\n  Source: wires "
    sentences = split_sentences(text)
    assert [(s.start, s.end) for s in sentences] == [(2, 46), (49, 64), (69, 82)]
    assert_exact(text, sentences)


def test_arabic_and_persian() -> None:
    assert texts("وصل غفاري إلى دمشق. هل سيبقى هناك؟ لا أحد يعرف!", "ar") == [
        "وصل غفاري إلى دمشق.",
        "هل سيبقى هناك؟",
        "لا أحد يعرف!",
    ]
    assert texts("غفاری به دمشق رسید. آیا می‌ماند؟", "fa") == ["غفاری به دمشق رسید.", "آیا می‌ماند؟"]


def test_text_without_words_gives_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n *** \n — ") == []


def test_text_the_splitter_cannot_encode_is_still_split() -> None:
    text = "Broken \ud800 byte here. Next one."  # a lone surrogate: sentencex refuses it
    sentences = split_sentences(text)
    assert texts(text) == ["Broken \ud800 byte here.", "Next one."]
    assert_exact(text, sentences)


_PIECES = st.sampled_from(
    [
        "Iran",
        "Hezbollah",
        "said",
        "3,000",
        "U.S.",
        "Maj.-Gen.",
        "Gen.",
        "Dr.",
        "e.g.",
        "may",
        "“",
        "”",
        '"',
        "'",
        "?",
        "!",
        ".",
        "...",
        "؟",
        "،",
        "دمشق",
        "می\u200cگوید",
        "(",
        ")",
        " ",
        " ",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "\u2028",
        "\u00a0",
        "—",
        "–",
        "a",
        "",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from(["en", "ar", "fa", "xx"]))
def test_offsets_are_exact_for_article_like_text(text: str, language: str) -> None:
    sentences = split_sentences(text, language)
    assert_exact(text, sentences)
    covered = {i for s in sentences for i in range(s.start, s.end)}
    assert all(i in covered for i, char in enumerate(text) if char.isalnum())


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_offsets_are_exact_for_any_text(text: str) -> None:
    sentences = split_sentences(text)
    assert_exact(text, sentences)
    covered = {i for s in sentences for i in range(s.start, s.end)}
    assert all(i in covered for i, char in enumerate(text) if char.isalnum())

"""claims.intake.normalize: matching keys and the script guess."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.intake.normalize import detect_script, normalize_text


def test_case_quotes_and_spacing_do_not_matter() -> None:
    assert normalize_text("Iran’s top general warned of an “American-Israeli scheme”.") == (
        normalize_text('  IRAN\'S top general warned of an "American-Israeli scheme"  ')
    )
    assert normalize_text("Iran’s  “axis  of resistance,”\n") == "irans axis of resistance"


def test_numbers_keep_their_value() -> None:
    assert normalize_text("over 3,000 fighters") == "over 3000 fighters"
    assert normalize_text("1,234,567 votes") == "1234567 votes"
    assert normalize_text("inflation of 8.4%.") == "inflation of 8.4"
    assert normalize_text("6.25% vs 6.5%") != normalize_text("6.5% vs 6.25%")


def test_accents_are_folded() -> None:
    assert normalize_text("Café Straße ﬁnal") == "cafe strasse final"


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("علي", "علی"),  # Arabic yeh -> Persian yeh
        ("مصطفى", "مصطفی"),  # alef maksura -> yeh
        ("كتاب", "کتاب"),  # Arabic kaf -> Persian kaf
        ("أحمد", "احمد"),  # alef with hamza above
        ("إيران", "ایران"),  # alef with hamza below
        ("آلاف", "الاف"),  # alef with madda
        ("ٱلله", "الله"),  # alef wasla
        ("مدينة", "مدینه"),  # teh marbuta -> heh
        ("مسؤول", "مسوول"),  # waw with hamza
        ("رئيس", "رییس"),  # yeh with hamza
        ("اعلنـــت", "اعلنت"),  # tatweel
        ("مُحَمَّدٌ", "محمد"),  # harakat
        ("هٰذا", "هذا"),  # superscript alef
    ],
)
def test_arabic_and_persian_letter_variants(variant: str, canonical: str) -> None:
    assert normalize_text(variant) == normalize_text(canonical)


def test_arabic_indic_and_persian_digits_become_ascii() -> None:
    assert normalize_text("٣٠٠٠ مقاتل") == "3000 مقاتل"
    assert normalize_text("۳۰۰۰ نیرو") == "3000 نیرو"
    assert normalize_text("٣٬٠٠٠") == "3000"  # Arabic thousands separator
    assert normalize_text("٨٫٤٪") == "8.4"  # Arabic decimal separator and percent sign


def test_zero_width_non_joiner_is_removed() -> None:
    assert normalize_text("می\u200cگوید") == normalize_text("میگوید") == "میگوید"
    assert normalize_text("شده\u200cاند") == "شدهاند"


def test_arabic_punctuation_is_stripped() -> None:
    assert normalize_text("هل وصل غفاري إلى دمشق؟") == normalize_text("هل وصل غفاري الى دمشق")
    assert normalize_text("أولا، ثانيا؛ «ثالثا»") == "اولا ثانیا ثالثا"


@settings(max_examples=300)
@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300)
@given(st.text())
def test_output_is_collapsed_and_free_of_punctuation(text: str) -> None:
    out = normalize_text(text)
    assert out == " ".join(out.split())
    for index, char in enumerate(out):
        if char == ".":
            assert out[index - 1].isdigit()
            assert out[index + 1].isdigit()
        else:
            assert unicodedata.category(char)[0] not in "PS" or char.isspace()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hezbollah may have lost over 3,000 fighters, the report said.", "en"),
        ("قال المسؤول إن الهجوم فشل في مدينة حماة", "ar"),
        ("وزیر خارجه ایران به دمشق سفر کرد و گفت که پیگیری می‌کند", "fa"),
        ("Der Minister hat gestern Damaskus besucht", "other"),
        ("12345 !!!", "other"),
        ("", "other"),
    ],
)
def test_detect_script(text: str, expected: str) -> None:
    assert detect_script(text) == expected

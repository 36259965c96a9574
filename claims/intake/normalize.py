"""Text normalisation for matching claims, and a cheap script/language guess.

`normalize_text` produces a matching key, not display text: two spellings of the same
sentence (curly or straight quotes, Arabic or Persian letter variants, diacritics,
Arabic-Indic digits, zero-width joiners, extra spaces) normalise to the same string.
It is idempotent: ``normalize_text(normalize_text(s)) == normalize_text(s)``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

Script = Literal["en", "ar", "fa", "other"]

# Arabic and Persian letter variants folded to one canonical letter each. The Persian
# forms are the canonical ones for yeh and kaf (ی, ک), so a Persian text keeps its
# letters and an Arabic text is folded onto them.
_LETTER_MAP: Final[dict[str, str]] = {
    "\u064a": "\u06cc",  # ي Arabic yeh -> ی
    "\u0649": "\u06cc",  # ى alef maksura -> ی
    "\u06d2": "\u06cc",  # ے yeh barree -> ی
    "\u0643": "\u06a9",  # ك Arabic kaf -> ک
    "\u0623": "\u0627",  # أ alef with hamza above -> ا
    "\u0625": "\u0627",  # إ alef with hamza below -> ا
    "\u0622": "\u0627",  # آ alef with madda -> ا
    "\u0671": "\u0627",  # ٱ alef wasla -> ا
    "\u0672": "\u0627",  # ٲ alef with wavy hamza above -> ا
    "\u0673": "\u0627",  # ٳ alef with wavy hamza below -> ا
    "\u0629": "\u0647",  # ة teh marbuta -> ه
    "\u06c0": "\u0647",  # ۀ heh with yeh above (Persian ezafe) -> ه
    "\u06d5": "\u0647",  # ە ae (what NFD leaves of ۀ) -> ه
    "\u06c1": "\u0647",  # ہ heh goal -> ه
    "\u0624": "\u0648",  # ؤ waw with hamza -> و
    "\u0626": "\u06cc",  # ئ yeh with hamza -> ی
    "\u0621": "",  # ء standalone hamza: dropped, spelled inconsistently
    "\u0640": "",  # ـ tatweel (kashida), purely typographic
}

# Characters removed outright: Arabic harakat and Quranic marks, superscript alef, and
# zero-width / bidi formatting characters. ZWNJ (U+200C) is removed, so the Persian
# spellings "می‌خواهم" (with ZWNJ) and "میخواهم" (joined) match; a spelling with a plain
# space instead stays a separate token.
_REMOVED: Final[tuple[tuple[int, int], ...]] = (
    (0x0610, 0x061A),  # Arabic signs (Quranic)
    (0x064B, 0x065F),  # harakat: fathatan .. wavy hamza below
    (0x0670, 0x0670),  # superscript alef
    (0x06D6, 0x06DC),  # Quranic annotation marks
    (0x06DF, 0x06E8),
    (0x06EA, 0x06ED),
    (0x08D3, 0x08FF),  # extended Arabic marks
    (0x0300, 0x036F),  # Latin combining accents (after NFD): é -> e
    (0x200B, 0x200F),  # zero-width space, ZWNJ, ZWJ, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner and invisible operators
    (0x2066, 0x2069),  # bidi isolates
    (0xFEFF, 0xFEFF),  # BOM / zero-width no-break space
    (0x00AD, 0x00AD),  # soft hyphen
)

_DIGITS: Final[dict[str, str]] = {
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic ٠-٩
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian ۰-۹
    "\u066b": ".",  # ٫ Arabic decimal separator
    "\u066c": ",",  # ٬ Arabic thousands separator
}

# Apostrophes join the letters around them ("Iran's" -> "irans", "don't" -> "dont"),
# every other punctuation or symbol character becomes a space.
_APOSTROPHES: Final[frozenset[str]] = frozenset("'\u2019\u2018\u02bc\u02bb`\u00b4")


class _TranslationTable(dict[int, str | None]):
    """A `str.translate` table that classifies each code point once, on first sight.

    Building a full table for all of Unicode at import time would be slow; this fills
    itself lazily and then costs one dict lookup per character.
    """

    def __missing__(self, codepoint: int) -> str | None:
        char = chr(codepoint)
        value: str | None
        if char in _APOSTROPHES or any(lo <= codepoint <= hi for lo, hi in _REMOVED):
            value = ""
        elif char in _LETTER_MAP:
            value = _LETTER_MAP[char]
        elif char in _DIGITS:
            value = _DIGITS[char]
        elif char in ".,":
            value = char  # kept for now; numbers need them, see _finish()
        elif unicodedata.category(char)[0] in "PS":
            value = " "
        else:
            value = char
        self[codepoint] = value
        return value


_TABLE: Final = _TranslationTable()
_THOUSANDS_RE: Final = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_STRAY_POINT_RE: Final = re.compile(r"(?<!\d)[.,]|[.,](?!\d)|,")


def normalize_text(s: str) -> str:
    """Return the matching key for `s`.

    Steps: NFKC, casefold, NFD, letter-variant folding, diacritics and zero-width
    characters removed, Arabic-Indic/Persian digits to ASCII, thousands separators
    dropped ("3,000" -> "3000"), decimal points kept ("2.5"), every other punctuation
    or symbol character replaced by a space, whitespace collapsed.
    """
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", s).casefold())
    text = text.translate(_TABLE)
    text = _THOUSANDS_RE.sub("", text)
    text = _STRAY_POINT_RE.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


# --- script / language guess -------------------------------------------------------

_PERSIAN_STRONG: Final[frozenset[str]] = frozenset("پچژگ۰۱۲۳۴۵۶۷۸۹")
_PERSIAN_WEAK: Final[frozenset[str]] = frozenset("کی")  # also typed for Arabic on Persian keyboards
_ARABIC_ONLY: Final[frozenset[str]] = frozenset("ةيكىؤإأ٠١٢٣٤٥٦٧٨٩")
_ENGLISH_WORDS_RE: Final = re.compile(
    r"\b(?:the|and|of|to|in|is|was|that|for|on|with|said|has|have|are)\b", re.IGNORECASE
)


def detect_script(text: str) -> Script:
    """Guess the language of `text` from its letters: "en", "ar", "fa" or "other".

    Cheap and heuristic: the majority script decides between Latin and Arabic; within
    Arabic script, letters only Persian uses (پ چ ژ گ and the Persian forms of kaf and
    yeh) outvoting letters only Arabic uses (ة and the Arabic kaf and yeh) means Persian.
    Latin text counts as English only if it contains common English function words.
    """
    latin = arabic = persian_only = arabic_only = 0
    for char in text:
        if "a" <= char <= "z" or "A" <= char <= "Z":
            latin += 1
        elif "\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff":
            arabic += 1
            if char in _PERSIAN_STRONG:
                persian_only += 3
            elif char in _PERSIAN_WEAK:
                persian_only += 1
            elif char in _ARABIC_ONLY:
                arabic_only += 1
    if arabic == 0 and latin == 0:
        return "other"
    if arabic > latin:
        return "fa" if persian_only > arabic_only else "ar"
    return "en" if _ENGLISH_WORDS_RE.search(text) else "other"

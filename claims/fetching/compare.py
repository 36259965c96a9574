"""How much a page's main text changed between two fetches.

Texts are compared as sets of five-word phrases (shingles), case- and
whitespace-insensitive: linear in the text length, indifferent to reflowed lines, and a
one-word correction moves the measure by a few phrases only, while a rewritten paragraph
moves it by that paragraph's share of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SHINGLE_WORDS = 5
_WORD = re.compile(r"\w+", re.UNICODE)
_SAMPLE_LINES = 5
_SAMPLE_LENGTH = 300


@dataclass(frozen=True)
class TextChange:
    """`change` is 0.0 for the same text and 1.0 for texts with no phrase in common: the
    share of all phrases found on one side only (Jaccard distance)."""

    change: float
    removed: list[str] = field(default_factory=list)  # sample lines gone from the old text
    added: list[str] = field(default_factory=list)  # sample lines new in the new text


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = [word.casefold() for word in _WORD.findall(text)]
    if len(words) < SHINGLE_WORDS:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _sample(lines: list[str], other: set[str]) -> list[str]:
    picked = [line[:_SAMPLE_LENGTH] for line in lines if line not in other]
    return picked[:_SAMPLE_LINES]


def text_change(old: str, new: str) -> TextChange:
    old_shingles, new_shingles = _shingles(old), _shingles(new)
    union = old_shingles | new_shingles
    if not union:
        return TextChange(change=0.0)
    change = 1.0 - len(old_shingles & new_shingles) / len(union)
    if change == 0.0:
        return TextChange(change=0.0)
    old_lines, new_lines = _lines(old), _lines(new)
    return TextChange(
        change=round(change, 4),
        removed=_sample(old_lines, set(new_lines)),
        added=_sample(new_lines, set(old_lines)),
    )

"""Duplicate claims: the same claim worded differently, but not a different claim.

`similarity` starts from fuzzy token overlap of the normalised texts (the mean of
rapidfuzz's token_set_ratio and WRatio) and then subtracts penalties for the small
differences that make a different claim out of near-identical words:

* numbers: both texts have a number (or a number word, weekday or month) the other
  lacks: "47 dead" vs "74 dead", "on Tuesday" vs "on Friday";
* negation: one text is negated and the other is not ("confirmed" vs "did not
  confirm", Persian "کرد" vs "نکرد");
* direction: one says a figure rose, the other that it fell;
* names (English): both texts name someone or somewhere the other does not
  ("in Damascus" vs "in Baghdad").

A text that only adds detail to the other (one number or name more) is not penalised.
Translations between languages are out of scope: they score low.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from rapidfuzz import fuzz, process

from claims.intake import lexicon
from claims.intake.entities import tokenize
from claims.intake.normalize import normalize_text

DUPLICATE_THRESHOLD: Final = 0.7

NUMBER_PENALTY: Final = 0.5
NEGATION_PENALTY: Final = 0.5
DIRECTION_PENALTY: Final = 0.5
NAME_PENALTY: Final = 0.35

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Match(Generic[K]):
    key: K
    score: float  # 0..1
    exact: bool  # the normalised texts are identical


@dataclass(frozen=True, slots=True)
class _Prepared:
    normalized: str
    words: tuple[str, ...]
    numbers: frozenset[str]
    negated: bool
    direction: int  # +1 rose, -1 fell, 0 neither or both
    names: frozenset[str]


_DIGITS_RE: Final = re.compile(r"^\d+(?:\.\d+)?$")
_NUMBER_WORDS: Final = lexicon.NUMBER_WORDS
_SCALES: Final = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12}
_DATE_WORDS: Final = frozenset(word.lower() for word in (*lexicon.WEEKDAYS, *lexicon.MONTHS))
_PERSIAN_NEGATIVE_PREFIX: Final = "ن"


def similarity(a: str, b: str) -> float:
    """How likely `a` and `b` state the same claim, from 0 to 1 (1: same normalised text)."""
    return _similarity(_prepare(a), _prepare(b))


def find_similar(
    text: str,
    candidates: Iterable[tuple[K, str]],
    *,
    threshold: float = DUPLICATE_THRESHOLD,
    limit: int = 10,
) -> list[Match[K]]:
    """Candidates whose similarity to `text` is at least `threshold`, best first.

    Exact matches (identical normalised text) sort before fuzzy ones of equal score;
    ties keep the candidates' order. At most `limit` matches are returned.
    """
    query = _prepare(text)
    if not query.normalized or limit <= 0:
        return []
    items = list(candidates)
    normalized = [normalize_text(item_text) for _, item_text in items]
    # Penalties only lower the score and WRatio is at most 100, so a candidate needs
    # token_set_ratio >= 200 * threshold - 100 to reach `threshold`: let rapidfuzz's C++
    # loop discard the rest before the Python penalties run.
    cutoff = max(0.0, 200 * threshold - 100)
    hits = process.extract(
        query.normalized,
        normalized,
        scorer=fuzz.token_set_ratio,
        processor=None,
        score_cutoff=cutoff,
        limit=None,
    )
    matches: list[tuple[float, bool, int, Match[K]]] = []
    for _, _, index in hits:
        candidate = _prepare(items[index][1], normalized[index])
        score = _similarity(query, candidate)
        if score >= threshold:
            exact = candidate.normalized == query.normalized
            matches.append((score, exact, index, Match(items[index][0], score, exact)))
    matches.sort(key=lambda m: (-m[0], not m[1], m[2]))
    return [match for *_, match in matches[:limit]]


def _similarity(a: _Prepared, b: _Prepared) -> float:
    if not a.normalized or not b.normalized:
        return 0.0
    if a.normalized == b.normalized:
        return 1.0
    score = (
        fuzz.token_set_ratio(a.normalized, b.normalized, processor=None)
        + fuzz.WRatio(a.normalized, b.normalized, processor=None)
    ) / 200
    if a.numbers - b.numbers and b.numbers - a.numbers:
        score -= NUMBER_PENALTY
    if a.negated != b.negated or _persian_negation_flip(a.words, b.words):
        score -= NEGATION_PENALTY
    if a.direction * b.direction < 0:
        score -= DIRECTION_PENALTY
    if a.names - b.names and b.names - a.names:
        score -= NAME_PENALTY
    return max(0.0, min(1.0, score))


def _prepare(text: str, normalized: str | None = None) -> _Prepared:
    normalized = normalize_text(text) if normalized is None else normalized
    words = tuple(normalized.split())
    numbers = _numbers(words)
    numbers.update(word for word in words if word in _DATE_WORDS)
    up = any(word in lexicon.UPWARD for word in words)
    down = any(word in lexicon.DOWNWARD for word in words)
    return _Prepared(
        normalized=normalized,
        words=words,
        numbers=frozenset(numbers),
        negated=any(word in lexicon.NEGATIONS for word in words),
        direction=int(up) - int(down),
        names=_names(text),
    )


def _numbers(words: tuple[str, ...]) -> set[str]:
    """Values of the numbers in `words`: "3000", "3 thousand" and "three thousand" agree."""
    values: set[str] = set()
    current: float | None = None
    for word in (*words, ""):
        scale = _SCALES.get(word)
        if current is not None and scale is not None:
            current *= scale
            continue
        if _DIGITS_RE.match(word):
            value: float | None = float(word)
        elif word in _NUMBER_WORDS and word not in _SCALES:
            value = float(_NUMBER_WORDS[word])
            if current is not None and current % 100 >= 20 and current % 10 == 0 and value < 10:
                current += value  # "twenty three"
                continue
        else:
            value = None
        if current is not None:
            values.add(str(int(current)) if current.is_integer() else str(current))
        current = value
    return values


def _names(text: str) -> frozenset[str]:
    """Normalised capitalised words, minus sentence-initial common words and numbers."""
    names = set()
    for index, token in enumerate(tokenize(text)):
        if not token.is_capitalised:
            continue
        lower = token.lower
        if index == 0 and (lower in lexicon.COMMON_SENTENCE_STARTS or lower in _NUMBER_WORDS):
            continue
        if (
            token.text in _DATE_WORDS
            or token.text.title() in lexicon.MONTHS
            or lower in _DATE_WORDS
        ):
            continue
        names.add(normalize_text(token.text))
    return frozenset(names)


def _persian_negation_flip(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Persian negates verbs with a prefix: "کرد" (did) vs "نکرد" (did not)."""
    set_a, set_b = set(a), set(b)

    def negates(plain: set[str], other: set[str]) -> bool:
        return any(
            len(word) > 1 and _PERSIAN_NEGATIVE_PREFIX + word in other and word not in other
            for word in plain
        )

    return negates(set_a, set_b) != negates(set_b, set_a)

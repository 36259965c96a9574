"""Named people, organisations and places, found from capitalisation alone.

No model is loaded: a name is a run of capitalised words ("Javad Ghaffari", "Islamic
Revolutionary Guard Corps"), possibly with lower-case particles inside ("Hayat Tahrir
al-Sham", "Gulf of Aden"). A run is classified by cheap cues, in this order:

1. a title inside it ("Defence Minister Andrei Belousov", "Maj.-Gen. Yahya Rasool"):
   the words after the title are a person;
2. an organisation word at its end or start ("... Corps", "Ministry of ...");
3. a place word ("... River Valley", "Port ..."), a gazetteer country or capital, or
   a preposition of place before it ("in Damascus", "the town of Mirel");
4. an acronym ("HTS", "IRGC") is an organisation;
5. a role noun before it ("commander Javad Ghaffari") or after a comma
   ("Okafor, a former mayor") makes it a person, as does a surname already seen as a
   person elsewhere in the article;
6. anything else is just a "name".

A capitalised word at the very start of a sentence is a name only if it is an acronym,
a gazetteer place, part of a longer run, or (when the whole article is known) seen
capitalised in the middle of some sentence; otherwise it is just the first word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from claims.intake import lexicon
from claims.intake.lexicon import words

EntityKind = Literal["person", "organisation", "place", "name"]


class Token(NamedTuple):
    """A word as written (a sentence-final full stop removed), with its offsets.

    A NamedTuple rather than a dataclass: thousands are made per article.
    """

    text: str
    start: int
    end: int
    lower: str
    is_capitalised: bool  # a capital first, more than one letter, no digit ("A-10")


@dataclass(frozen=True, slots=True)
class Entity:
    text: str  # as written, without a possessive "'s"
    kind: EntityKind
    start: int
    end: int
    possessive: bool


@dataclass(frozen=True, slots=True)
class KnownNames:
    """What the rest of the article says about names (see `collect_known_names`)."""

    names: frozenset[str]  # words seen capitalised away from a sentence start
    people: frozenset[str]  # surnames of runs classified as people


_TOKEN_RE: Final = re.compile(r"[^\W_](?:[\w’'\-.]*[^\W_])?\.?")
_ABBREVIATION_RE: Final = re.compile(
    r"^(?:[A-Za-z]\.){2,}$|^(?:[A-Z][a-z]{0,4}\.-)+[A-Z][a-z]{0,4}\.$"
)
_ACRONYM_RE: Final = re.compile(r"^(?:[A-Z][A-Z&]{1,6}s?|(?:[A-Z]\.){2,})$")
_PARTICLE_PREFIX_RE: Final = re.compile(r"^(?:al|el|ad|ash|as|at|an|ar|bin|ibn|abu)-[A-Z]")
_POSSESSIVE_RE: Final = re.compile(r"['’]s$")
_OPENERS: Final = frozenset('“"‘(«[:')
_PLACE_PREPOSITIONS: Final = words(
    """
    in to from near at into toward towards outside across around inside through via
    """
)
_PLACE_NOUNS_BEFORE_OF: Final = words(
    """
    town city village province region capital district port state republic country area
    outskirts edge north south east west centre center suburb
    """
)
# "of" joins a name only after these: "Bank of England", "Gulf of Aden".
_HEADS_BEFORE_OF: Final = (
    lexicon.ORGANISATION_HEADS
    | lexicon.PLACE_HEADS
    | lexicon.PLACE_SUFFIXES
    | words(
        """
    Republic Kingdom Secretary Minister Ministry Isle House Chamber Governor
    """
    )
)
_NOT_NAMES: Final = frozenset((*lexicon.WEEKDAYS, *lexicon.MONTHS, "I"))


def tokenize(text: str) -> list[Token]:
    """Split `text` into word tokens; abbreviations such as "U.S." and "Gen." keep their dots."""
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        word, end = match.group(), match.end()
        if word.endswith(".") and word not in lexicon.TITLES and not _ABBREVIATION_RE.match(word):
            word, end = word[:-1], end - 1
        capitalised = word[0].isupper() and len(word) > 1 and not any(c.isdigit() for c in word)
        tokens.append(Token(word, match.start(), end, word.lower(), capitalised))
    return tokens


def find_entities(
    text: str, tokens: list[Token] | None = None, known: KnownNames | None = None
) -> list[Entity]:
    """Names in `text`, in order of appearance (see the module docstring for the rules)."""
    tokens = tokenize(text) if tokens is None else tokens
    entities = []
    for first, last in _capitalised_runs(text, tokens):
        entity = _classify(text, tokens, first, last, known)
        if entity is not None:
            entities.append(entity)
    return entities


def collect_known_names(sentences: Iterable[str | tuple[str, list[Token]]]) -> KnownNames:
    """Gather, from a whole article, the words that are names wherever they appear.

    Each sentence is a string or a (string, tokens) pair when it is already tokenised.
    """
    names: set[str] = set()
    people: set[str] = set()
    for item in sentences:
        sentence, tokens = (item, tokenize(item)) if isinstance(item, str) else item
        for first, last in _capitalised_runs(sentence, tokens):
            if not _is_sentence_initial(sentence, tokens, first):
                names.update(_strip_possessive(token.text) for token in tokens[first : last + 1])
            entity = _classify(sentence, tokens, first, last, None)
            if entity is not None and entity.kind == "person" and " " in entity.text:
                people.add(entity.text.rsplit(" ", 1)[-1])
    return KnownNames(frozenset(names), frozenset(people))


def _capitalised_runs(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, last) token indexes of each run of adjacent capitalised words."""
    runs: list[tuple[int, int]] = []
    first: int | None = None
    for index, token in enumerate(tokens):
        adjacent = index > 0 and text[tokens[index - 1].end : token.start].isspace()
        joins = first is not None and adjacent
        if (token.is_capitalised and token.text not in _NOT_NAMES) or (
            joins and _PARTICLE_PREFIX_RE.match(token.text)
        ):
            if not joins:
                if first is not None:
                    runs.append((first, index - 1))
                first = index
            if _POSSESSIVE_RE.search(token.text):
                runs.append((first if first is not None else index, index))
                first = None
            continue
        is_inner_particle = (
            joins
            and token.lower in lexicon.NAME_PARTICLES
            and (token.lower != "of" or tokens[index - 1].text in _HEADS_BEFORE_OF)
            and index + 1 < len(tokens)
            and tokens[index + 1].is_capitalised
            and text[token.end : tokens[index + 1].start].isspace()
        )
        if is_inner_particle:
            continue
        if first is not None:
            runs.append((first, index - 1))
            first = None
    if first is not None:
        runs.append((first, len(tokens) - 1))
    return runs


def _is_sentence_initial(text: str, tokens: list[Token], index: int) -> bool:
    if index == 0:
        return True
    gap = text[tokens[index - 1].end : tokens[index].start]
    return any(char in _OPENERS for char in gap) and gap.strip() not in {"-", "'"}


def _strip_possessive(word: str) -> str:
    return _POSSESSIVE_RE.sub("", word)


def _classify(
    text: str, tokens: list[Token], first: int, last: int, known: KnownNames | None
) -> Entity | None:
    # Trim what is capitalised for other reasons: "The", a sentence-initial common word,
    # hyphenated adjectives ("US-backed"), and particles left at either end.
    while first <= last:
        token = tokens[first]
        initial_common_word = _is_sentence_initial(text, tokens, first) and (
            token.lower in lexicon.COMMON_SENTENCE_STARTS
            or (token.lower.endswith(("ing", "ly")) and first < last)  # "Losing Hama"
        )
        if (
            token.text == "The"
            or (initial_common_word and (known is None or token.text not in known.names))
            or re.search(r"-[a-z]+$", token.text)
            or token.lower in lexicon.NAME_PARTICLES
        ):
            first += 1
        else:
            break
    while last >= first and tokens[last].lower in lexicon.NAME_PARTICLES:
        last -= 1
    if first > last:
        return None
    words = [_strip_possessive(token.text) for token in tokens[first : last + 1]]
    kind: EntityKind | None = None

    title_positions = [i for i, word in enumerate(words) if word in lexicon.TITLES]
    if title_positions:
        after_title = title_positions[-1] + 1
        if after_title == len(words):
            return None  # a bare title: "the President said"
        if words[-1] not in lexicon.ORGANISATION_SUFFIXES:
            first, words, kind = first + after_title, words[after_title:], "person"
    if all(all(part in lexicon.DEMONYMS for part in word.split("-")) for word in words):
        return None  # "Iranian", "American-Israeli"
    if kind is None:
        kind = _kind_from_words(words) or _kind_from_context(
            text, tokens, first, last, words, known
        )
    if kind is None:
        initial = _is_sentence_initial(text, tokens, first)
        if initial and len(words) == 1:
            word = words[0]
            possessive_name = bool(_POSSESSIVE_RE.search(tokens[first].text))  # "Kestria's"
            if known is not None and word not in known.names and not possessive_name:
                return None
            if known is None and (
                word.lower() in lexicon.COMMON_SENTENCE_STARTS or word.endswith(("ly", "ing"))
            ):
                return None
        kind = "name"
    possessive = bool(_POSSESSIVE_RE.search(tokens[last].text))
    end = tokens[last].end - (2 if possessive else 0)
    return Entity(text[tokens[first].start : end], kind, tokens[first].start, end, possessive)


def _kind_from_words(words: list[str]) -> EntityKind | None:
    if words[-1] in lexicon.ORGANISATION_SUFFIXES or (
        len(words) > 1 and words[0] in lexicon.ORGANISATION_HEADS
    ):
        return "organisation"
    if (
        words[-1] in lexicon.PLACE_SUFFIXES
        or (len(words) > 1 and words[0] in lexicon.PLACE_HEADS)
        or all(word in lexicon.PLACES for word in words)
    ):
        return "place"
    if len(words) == 1 and _ACRONYM_RE.match(words[0]):
        return "organisation"
    return None


def _kind_from_context(
    text: str,
    tokens: list[Token],
    first: int,
    last: int,
    words: list[str],
    known: KnownNames | None,
) -> EntityKind | None:
    before = tokens[first - 1].lower if first > 0 else ""
    before2 = tokens[first - 2].lower if first > 1 else ""
    if before in lexicon.PERSON_ROLES:
        return "person"
    if known is not None and words[-1] in known.people:
        return "person"
    # An appositive naming a role: "Okafor, a former mayor", "Lindqvist, chief economist".
    if last + 1 < len(tokens) and text[tokens[last].end : tokens[last + 1].start].strip() == ",":
        following = [token.lower for token in tokens[last + 1 : last + 5]]
        if any(word in lexicon.PERSON_ROLES for word in following):
            return "person"
    if before == "the":
        before, before2 = before2, tokens[first - 3].lower if first > 2 else ""
    if before in _PLACE_PREPOSITIONS or (before == "of" and before2 in _PLACE_NOUNS_BEFORE_OF):
        return "place"
    return None

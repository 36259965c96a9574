"""Who says so: the attribution chain of an English news sentence.

The chain is ordered from the nearest reporter to the original source:

    "Iran International reported that ... Javad Ghaffari had arrived in Damascus,
     citing the state-run Al-Alam channel."   ->  ["Iran International", "Al-Alam"]

Convention for each link: if the source phrase contains a proper name that is the
source itself, the name alone ("the state news agency IRNA" -> "IRNA", "Provincial
governor Rustam Karimov" -> "Rustam Karimov"); otherwise the phrase as written without
a leading article ("local health officials", "Residents of Mirel", "Okafor's campaign
manager"). Pronouns stay as written ("she"); resolving them is left to the editor.

Links are ranked: outlets ("X reported", "according to X", "told X") come first, then
speakers ("X said", "said X", "..., saying"), then the sources they cite ("citing X",
"sourcing X", "quoting X"). Among speakers, one named after the statement
("..., the commission said") reports the ones named inside it. Words inside quotation
marks are never read as attribution: they are what the source said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from claims.intake import lexicon
from claims.intake.entities import Entity, Token, tokenize
from claims.intake.lexicon import words

_MASK: Final = "#"
_OPENING_QUOTES: Final = {"“": "”", "«": "»", "„": "“"}
_CLOSING_QUOTES: Final = frozenset("”»")

_AUXILIARIES_AND_ADVERBS: Final = words(
    """
    has have had also then later again previously earlier repeatedly separately
    nonetheless nevertheless however too once now already still subsequently initially
    """
)
_PASSIVE: Final = words("was were is are been being be get got gets")
_NEGATIONS: Final = words("not never n't didn't didn’t don't don’t doesn't doesn’t")
_REFUSALS: Final = words("declined refused failed")
_STOP_LEFT: Final = words(
    """
    that which who whom whose and but or nor after before because since as when while if
    although though where than so yet is was are were be been being will would can could
    may might must should did do does to with on into about not there what how why
    """
)
_STOP_RIGHT: Final = words(
    """
    that who which whose where when on at in as after before during since and because
    while if to for with about than
    """
)
_BREAK_BEFORE_NAME: Final = words("of from in at for with")
_ARTICLES: Final = words("the a an")
_INDEFINITE: Final = words(
    """
    anyone anybody everyone everybody someone somebody nobody no-one
    """
)
_INVERTING_AUXILIARIES: Final = words(
    """
    would could should might may will can do does did is are was were has have had
    """
)
_BY_MEANS: Final = words("phone telephone video email text letter")
_MAX_PHRASE_TOKENS: Final = 10

_ATTRIBUTING: Final = (
    lexicon.SPEECH_VERBS
    | lexicon.MEDIA_VERBS
    | lexicon.OPINION_VERBS
    | lexicon.SPEECH_VERBS_BEFORE_THAT
)

_RANK_OUTLET: Final = 0
_RANK_SPEAKER: Final = 1
_RANK_CITED: Final = 2


@dataclass(frozen=True, slots=True)
class Attribution:
    chain: list[str] = field(default_factory=list)  # nearest reporter -> original source
    cues: list[str] = field(default_factory=list)  # "reported", "according to", "sourcing"
    opinion_cues: list[str] = field(default_factory=list)  # "believe", "expect"

    @property
    def claimant(self) -> str | None:
        """The original source: the last link of the chain."""
        return self.chain[-1] if self.chain else None


@dataclass(frozen=True, slots=True)
class _Link:
    rank: int
    trailing: bool  # named after the statement: "..., the commission said"
    position: int
    source: str


def mask_quotes(text: str) -> str:
    """`text` with every character inside quotation marks replaced by "#".

    Offsets are unchanged. An opening mark without a closing one masks to the end; a
    closing mark without an opening one (a quotation continued from the previous
    sentence) masks from the start.
    """
    if not any(char in text for char in '"“«„”»'):
        return text
    chars = list(text)
    index = 0
    first_open = len(text)
    while index < len(text):
        char = text[index]
        closing = _OPENING_QUOTES.get(char) or ('"' if char == '"' else None)
        if closing is None:
            index += 1
            continue
        first_open = min(first_open, index)
        end = text.find(closing, index + 1)
        end = len(text) if end < 0 else end
        for inner in range(index + 1, end):
            if not text[inner].isspace():
                chars[inner] = _MASK
        index = end + 1
    for index, char in enumerate(text[:first_open]):
        if char in _CLOSING_QUOTES:
            for inner in range(index):
                if not text[inner].isspace():
                    chars[inner] = _MASK
    return "".join(chars)


def find_attribution(
    text: str, entities: list[Entity], tokens: list[Token] | None = None
) -> Attribution:
    """The attribution chain of one sentence (see the module docstring).

    `entities` are the names found in the same (unmasked) sentence; `tokens`, if given,
    are its tokens (reused when the sentence has no quotation).
    """
    masked = mask_quotes(text)
    tokens = tokenize(masked) if tokens is None or masked != text else tokens
    links: list[_Link] = []
    cues: list[str] = []
    opinion_cues: list[str] = []
    for index, token in enumerate(tokens):
        word = token.lower
        next_word = tokens[index + 1].lower if index + 1 < len(tokens) else ""
        if word == "according" and next_word == "to":
            source = _phrase_after(masked, tokens, index + 2, entities)
            if source:
                links.append(_Link(_RANK_OUTLET, False, token.start, source))
                cues.append("according to")
        elif word == "quoted" and next_word == "by":
            source = _phrase_after(masked, tokens, index + 2, entities)
            if source:
                links.append(_Link(_RANK_OUTLET, False, token.start, source))
                cues.append("quoted by")
        elif word in lexicon.CITING_WORDS:
            source = _phrase_after(masked, tokens, index + 1, entities)
            if source:
                links.append(_Link(_RANK_CITED, False, token.start, source))
                cues.append(word)
        elif word in lexicon.ATTRIBUTING_PARTICIPLES and masked[: token.start].rstrip().endswith(
            ","
        ):
            subject = _sentence_subject(entities, token.start)
            if subject:
                links.append(_Link(_RANK_SPEAKER, False, token.start, subject))
                cues.append(word)
        elif (
            word in lexicon.SPEECH_VERBS
            or word in lexicon.MEDIA_VERBS
            or word in lexicon.OPINION_VERBS
            or (word in lexicon.SPEECH_VERBS_BEFORE_THAT and next_word == "that")
        ):
            if _is_passive_or_negated(tokens, index):
                continue
            if word in lexicon.OPINION_VERBS:
                opinion_cues.append(word)  # an opinion even without a named holder
                links.extend(_verb_links(masked, tokens, index, entities))
                continue
            found = _verb_links(masked, tokens, index, entities)
            if found:
                links.extend(found)
                cues.append(word)
    links.sort(key=lambda link: (link.rank, not link.trailing, link.position))
    chain: list[str] = []
    for link in links:
        if link.source.casefold() not in {source.casefold() for source in chain}:
            chain.append(link.source)
    return Attribution(chain, cues, opinion_cues)


def _verb_links(
    masked: str, tokens: list[Token], index: int, entities: list[Entity]
) -> list[_Link]:
    """Links for the attribution verb at `index`: its subject, and for "told", its audience."""
    verb = tokens[index]
    rank = _RANK_OUTLET if verb.lower in lexicon.MEDIA_VERBS else _RANK_SPEAKER
    links: list[_Link] = []
    if _is_reduced_passive(tokens, index):
        return links  # "footage broadcast by state television", "a study published by ..."
    named = _appositive_name(masked, tokens, index, entities)
    if named is not None:
        links.append(_Link(rank, False, named.start, named.text))
        subject = None
    else:
        subject = _subject_before(masked, tokens, index)
    if subject is not None:
        first, last = subject
        source = _source_name(masked, tokens, first, last, entities)
        before = tokens[first - 1].lower if first > 0 else ""
        if (
            not source
            or source.casefold() in _INDEFINITE
            or before in _INVERTING_AUXILIARIES  # a question: "Why would anyone believe ..."
            or (
                source.casefold() in lexicon.PRONOUNS
                and (before in _ATTRIBUTING or before == "that")  # "residents say they feel"
            )
        ):
            return links
        gap = masked[tokens[first - 1].end : tokens[first].start] if first > 0 else ""
        trailing = "," in gap or _MASK in gap or any(q in gap for q in _CLOSING_QUOTES)
        links.append(_Link(rank, trailing, tokens[first].start, source))
    elif named is None and _ends_with_comma_or_quote(masked[: verb.start]):
        # Inverted order after a quotation: '"...," said Miriam Cole, who chairs ...'
        source = _phrase_after(masked, tokens, index + 1, entities, names_only=True)
        if source:
            links.append(_Link(rank, True, verb.start, source))
    if verb.lower in {"told", "tells", "tell"}:
        audience = _phrase_after(masked, tokens, index + 1, entities, names_only=True)
        if audience and audience.casefold() not in lexicon.GENERIC_AUDIENCES:
            links.append(_Link(_RANK_OUTLET, False, verb.start, audience))
    return links


def _appositive_name(
    masked: str, tokens: list[Token], index: int, entities: list[Entity]
) -> Entity | None:
    """The name in "Ardania's energy minister, Karim Haddad, told ...", if that is the shape."""
    closing = masked.rfind(",", 0, tokens[index].start)
    if closing < 0 or masked[closing + 1 : tokens[index].start].strip():
        return None
    opening = masked.rfind(",", 0, closing)
    if opening < 0:
        return None
    between = masked[opening + 1 : closing].strip()
    for entity in entities:
        if entity.text == between and entity.kind in {"person", "name"} and not entity.possessive:
            return entity
    return None


def _is_reduced_passive(tokens: list[Token], index: int) -> bool:
    """A participle followed by its agent: "broadcast by state television"."""
    following = [token.lower for token in tokens[index + 1 : index + 5]]
    if "by" not in following:
        return False
    after_by = following.index("by") + 1
    return not (after_by < len(following) and following[after_by] in _BY_MEANS)


def _is_passive_or_negated(tokens: list[Token], index: int) -> bool:
    before = [token.lower for token in tokens[max(0, index - 3) : index]]
    if before and before[-1] in _AUXILIARIES_AND_ADVERBS | {"reportedly", "also"}:
        before = before[:-1]
    if before and before[-1] in _PASSIVE:
        return True
    if any(word in _NEGATIONS for word in before[-2:]):
        return True
    return len(before) >= 2 and before[-1] == "to" and before[-2] in _REFUSALS


def _subject_before(masked: str, tokens: list[Token], index: int) -> tuple[int, int] | None:
    """Token span of the noun phrase that is the subject of the verb at `index`."""
    last = index - 1
    # Skip auxiliaries and adverbs: "has said", "nonetheless accused", "wrongly states".
    while (
        last >= 0
        and _adjacent(masked, tokens, last, last + 1)
        and (tokens[last].lower in _AUXILIARIES_AND_ADVERBS or tokens[last].lower.endswith("ly"))
        and not tokens[last].text[0].isupper()
    ):
        last -= 1
    if last < 0:
        return None
    if not _adjacent(masked, tokens, last, last + 1):
        # "Iran International, a Persian-language broadcaster ..., reported that":
        # step over the appositive between two commas.
        if masked[tokens[last].end : tokens[last + 1].start].strip() != ",":
            return None
        opening_comma = masked.rfind(",", 0, tokens[last].start)
        if opening_comma < 0:
            return None
        last = max((i for i, token in enumerate(tokens) if token.end <= opening_comma), default=-1)
        if last < 0 or masked[tokens[last].end : opening_comma].strip():
            return None
    first = last
    while (
        first - 1 >= 0
        and last - first + 1 < _MAX_PHRASE_TOKENS
        and _adjacent(masked, tokens, first - 1, first)
        and tokens[first - 1].lower not in _STOP_LEFT
        and tokens[first - 1].lower not in lexicon.SPEECH_VERBS
    ):
        first -= 1
    while first <= last and tokens[first].lower in _STOP_LEFT:
        first += 1
    return (first, last) if first <= last else None


def _phrase_after(
    masked: str,
    tokens: list[Token],
    index: int,
    entities: list[Entity],
    *,
    names_only: bool = False,
) -> str | None:
    """The noun phrase starting at token `index`, as a source name (or None)."""
    if index >= len(tokens) or not _adjacent_to_previous(masked, tokens, index):
        return None
    last = index
    while (
        last + 1 < len(tokens)
        and last + 1 - index < _MAX_PHRASE_TOKENS
        and _adjacent(masked, tokens, last, last + 1)
        and tokens[last + 1].lower not in _STOP_RIGHT
    ):
        last += 1
    if tokens[index].lower in _STOP_RIGHT:
        return None
    if names_only:
        start, end = tokens[index].start, tokens[last].end
        inside = [e for e in entities if start <= e.start and e.end <= end and not e.possessive]
        first_word = index
        while first_word < last and tokens[first_word].lower in _ARTICLES:
            first_word += 1
        # Only a name right after the verb: "told the Daily Courier", not "told his aides".
        if not inside or inside[0].start != tokens[first_word].start:
            return None
        return inside[0].text
    return _source_name(masked, tokens, index, last, entities)


def _source_name(
    masked: str, tokens: list[Token], first: int, last: int, entities: list[Entity]
) -> str | None:
    """Apply the naming convention (module docstring) to the phrase tokens[first..last]."""
    while first <= last and tokens[first].lower in _ARTICLES:
        first += 1
    if first > last:
        return None
    start, end = tokens[first].start, tokens[last].end
    inside = [e for e in entities if start <= e.start and e.end <= end]
    for entity in reversed(inside):
        if entity.possessive or entity.kind == "place":
            continue
        position = next(i for i, token in enumerate(tokens) if token.start >= entity.start)
        before = position - 1
        while before >= first and tokens[before].lower in _ARTICLES:
            before -= 1
        if before >= first and tokens[before].lower in _BREAK_BEFORE_NAME:
            break  # "Residents of Mirel": the name is not the source
        if entity.start == start and entity.end < end:
            break  # a name used as a modifier: "Aid agencies", "Okafor's campaign manager"
        return entity.text
    return masked[start:end]


def _sentence_subject(entities: list[Entity], before: int) -> str | None:
    """The first person or organisation named before `before`, as the subject."""
    for entity in entities:
        if entity.start >= before:
            break
        if entity.kind != "place" and not entity.possessive:
            return entity.text
    return None


def _adjacent(masked: str, tokens: list[Token], left: int, right: int) -> bool:
    if right >= len(tokens):
        return True  # the verb is checked separately
    return masked[tokens[left].end : tokens[right].start].isspace()


def _adjacent_to_previous(masked: str, tokens: list[Token], index: int) -> bool:
    return index == 0 or masked[tokens[index - 1].end : tokens[index].start].isspace()


_COMMA_OR_QUOTE_END_RE: Final = re.compile(r"[,#”»\"]\s*$")


def _ends_with_comma_or_quote(prefix: str) -> bool:
    return bool(_COMMA_OR_QUOTE_END_RE.search(prefix))

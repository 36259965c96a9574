"""Check-worthiness of sentences, with the reasons an editor sees.

A sentence is worth checking when it states something about the world that could be
verified: numbers, named people, organisations and places, dates, concrete events,
comparisons, records, and statements attributed to a source. It is less worth checking
when it is opinion or rhetoric ("Clearly, ...", "should", "a damning indictment"), a
prediction ("will", "would", "could" + verb), a question, or a fragment.

Each feature adds or subtracts a fixed weight (see `WEIGHTS`); the sum goes through a
logistic curve so that the score is in (0, 1) and keeps ranking sentences that have
many reasons. The curve is centred so that a complete statement with one checkable
anchor (a name, a date, a source) and no opinion marker just passes
``score >= CHECK_WORTHY_THRESHOLD``: intake favours recall, the editor discards.

Hedges ("may have lost", "reportedly") do not lower the score: a hedged claim is
still a claim, and is flagged as hedged instead. Only English has the full feature
set; for Arabic and Persian the scorer sees numbers, attribution words and hedges.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from claims.intake import lexicon
from claims.intake.attribution import find_attribution, mask_quotes
from claims.intake.entities import (
    Entity,
    KnownNames,
    Token,
    collect_known_names,
    find_entities,
    tokenize,
)
from claims.intake.normalize import detect_script
from claims.intake.sentences import split_sentences

CHECK_WORTHY_THRESHOLD: Final = 0.5

# Raw weights, summed before the logistic squash. Positive: checkable content.
WEIGHTS: Final[dict[str, float]] = {
    "number": 0.45,  # first quantity
    "more_numbers": 0.1,  # a second distinct quantity
    "time": 0.2,
    "entity": 0.2,  # one named person, organisation or place
    "more_entities": 0.1,  # two or more
    "person": 0.1,  # a named person
    "attribution": 0.25,
    "event": 0.25,  # a concrete event verb: killed, captured, arrived, rose
    "comparison": 0.15,
    "superlative": 0.15,
    "subjective": -0.45,  # each subjective marker, at most two counted
    "opinion_verb": -0.3,  # "believe", "expect": attributed opinion
    "prediction": -0.6,  # modal + verb about the future or a hypothetical
    "question": -0.6,
    "short": -0.25,  # fewer than five words
    "headline": -0.1,  # a line without a full stop
    "framing": -0.2,  # "This is a ...", "It is a ..." without a number or date
    "no_claim": -0.4,  # "it is unclear whether", "did not respond to a request for comment"
    "declarative": 0.15,  # a complete statement: five words or more, ending in a full stop
}
_STEEPNESS: Final = 5.0
# The raw sum at which the score is 0.5. 0.3 sits between a bare statement (0.15) and a
# statement with one checkable anchor - a name, a date, a source (0.35 to 0.4).
_CENTRE: Final = 0.3
_MAX_REASONS_PER_KIND: Final = 3
_MAX_ENTITY_REASONS: Final = 5
_ENTITY_ORDER: Final = {"person": 0, "organisation": 1, "place": 2, "name": 3}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One sentence of a pasted article, scored for check-worthiness."""

    text: str
    start: int
    end: int
    score: float  # 0..1, higher is more worth checking
    check_worthy: bool  # score >= CHECK_WORTHY_THRESHOLD
    reasons: list[str] = field(default_factory=list)  # "contains a number: 3,000"
    hedged: bool = False
    hedges: list[str] = field(default_factory=list)  # "may", "reportedly"
    claimant: str | None = None  # original source: the last link of attribution_chain
    attribution_chain: list[str] = field(default_factory=list)  # nearest reporter first


def score_sentence(sentence: str, *, language: str = "en") -> Candidate:
    """Score one sentence on its own (offsets are 0 and len(sentence))."""
    return _score(sentence, 0, len(sentence), language=language, known=None, headline=False)


def extract_candidates(text: str, language: str = "en") -> list[Candidate]:
    """Split an article into sentences and score each one, best first.

    Ties keep article order. Every sentence is returned, check-worthy or not, so the
    editor can promote one the scorer missed. `language` is "en", "ar", "fa", other
    ISO 639-1 codes (split only) or "auto" (guessed with `detect_script`). Names seen in
    the middle of any sentence help recognise them at the start of another.
    """
    if language == "auto":
        language = detect_script(text)
    sentences = split_sentences(text, "en" if language == "other" else language)
    tokenized = [(s.text, tokenize(s.text)) for s in sentences]
    known = collect_known_names(tokenized) if language == "en" else None
    lines: dict[int, int] = {}
    for sentence in sentences:
        lines[sentence.paragraph] = lines.get(sentence.paragraph, 0) + 1
    candidates = [
        _score(
            s.text,
            s.start,
            s.end,
            language=language,
            known=known,
            headline=lines[s.paragraph] == 1 and not _TERMINAL_RE.search(s.text),
            tokens=tokens,
        )
        for s, (_, tokens) in zip(sentences, tokenized, strict=True)
    ]
    return sorted(candidates, key=lambda c: (-c.score, c.start))


# --- features ------------------------------------------------------------------------

_TERMINAL_RE: Final = re.compile(r"[.!?…:;؟۔][\"'”’»)\]]*$")
_DECLARATIVE_END_RE: Final = re.compile(r"[.!][\"'”’»)\]]*$|[\"”’][.!]$")
_QUESTION_RE: Final = re.compile(r"[?؟][\"'”’»)\]]*$")
_WEEKDAY: Final = "|".join(lexicon.WEEKDAYS)
_MONTH: Final = "|".join(m for m in lexicon.MONTHS if m != "May")
_TIME_RE: Final = re.compile(
    rf"""
    \b(?:(?:on|by|since|until|last|next|this|early|late)\s)?(?:{_WEEKDAY})
        (?:\s(?:morning|afternoon|evening|night))?\b
    | \b(?:\d{{1,2}}\s)?(?:{_MONTH}|May(?=\s\d))(?:\s\d{{1,2}}(?!\d))?(?:,?\s(?:1[89]|20)\d\d)?\b
    | (?:(?<=\bin\s)|(?<=\bon\s)|(?<=\bof\s)|(?<=\bby\s)|(?<=since\s)|(?<=until\s))May\b
    | (?<![\d,.$€£])\b(?:1[89]|20)\d\ds?\b(?!\s?%|,\d|\.\d|\s?(?:per\s?cent|percent))
    | \b(?:last|this|next|past|previous|coming)\s
        (?:week|month|year|weekend|decade|quarter|century|spring|summer|autumn|winter)\b
    | \b(?:yesterday|today|tonight|overnight)\b
    | \b(?:before|after|at|by|until)\s(?:dawn|dusk|daybreak|nightfall|midnight|noon)\b
    | \b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few)\s
        (?:hours?|days?|weeks?|months?|years?|decades?)\s(?:ago|earlier|later)\b
    | \bearlier\s(?:this|that)\s(?:week|month|year)\b
    | \bin\sthe\s(?:first|second|third|fourth|last)\squarter\b
    | \b(?:the\s)?end\sof\sthe\s(?:week|month|year)\b
    | \b(?:a|one)\s(?:day|week|month|year)\s(?:earlier|later|ago)\b
    """,
    re.VERBOSE,
)
_NUMBER_RE: Final = re.compile(
    r"""
    (?<![\w\-/.,])
    (?:(?:US|A|C|NZ|HK)?[$€£¥₹]\s?)?
    (?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?
    (?:\s?%|\s?(?:per\s?cent|percent|percentage\spoints?))?
    (?:\s(?:million|billion|trillion|thousand|bn))?
    (?![\w/]|\.\d|,\d)
    """,
    re.VERBOSE,
)
_NUMBER_WORD_RE: Final = re.compile(
    r"\b(?:(?:a|one)\s(?:third|quarter|half|dozen)|half\sa|"
    + "|".join(sorted((w for w in lexicon.NUMBER_WORDS if w != "one"), key=len, reverse=True))
    + "|"
    + "|".join(sorted(lexicon.QUANTITY_WORDS - {"half", "third", "quarter"}, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_COMPARISON_RE: Final = re.compile(
    r"\b(?:" + "|".join(lexicon.COMPARISON_PATTERNS) + r")\b", re.IGNORECASE
)
_HEDGE_RE: Final = re.compile(r"\b(?:" + "|".join(lexicon.HEDGE_PATTERNS) + r")\b", re.IGNORECASE)
_SUBJECTIVE_RE: Final = re.compile(
    r"\b(?:"
    + "|".join(re.escape(m).replace("'", "['’]") for m in lexicon.SUBJECTIVE_MARKERS)
    + r")\b",
    re.IGNORECASE,
)
_PREDICTION_RE: Final = re.compile(
    r"""
    \b(?:will|would|could|might|may|shall|won['’]t|wouldn['’]t|['’]ll)
      (?:\s(?:not|also|now|still|then|soon|likely|probably|never|only|even|just|again|all))*
      \s[“"‘]?(?!have\s(?!to\b)|not\b)[a-z]+
    | \b(?:is|are|was|were)\s(?:likely|expected|set|poised|going)\sto\b
    | \bgoing\sto\b
    """,
    re.VERBOSE,
)
# Sentences about what is not known, or newsroom boilerplate: no claim about the world.
_NO_CLAIM_RE: Final = re.compile(
    r"\b(?:it\s(?:is|was|remains)\s(?:unclear|not\sclear|not\sknown|unknown)"
    r"|(?:too\searly|hard|difficult|impossible)\sto\s(?:say|tell|know|estimate|predict)"
    r"|remains\sto\sbe\sseen"
    r"|(?:did\snot|didn['’]t)\s(?:immediately\s)?(?:respond|reply)\sto\s(?:a\s)?requests?\sfor\scomment"
    r"|declined\sto\scomment|could\snot\sbe\sreached(?:\sfor\scomment)?)\b",
    re.IGNORECASE,
)
_FRAMING_RE: Final = re.compile(
    r"^(?:This|That|It|These|Those)\s(?:is|was|are|were)\s(?:a|an|the|all)\b"
)
_SUPERLATIVE_RE: Final = re.compile(
    r"\b(?:" + "|".join(sorted(lexicon.SUPERLATIVES)) + r"|most\s\w+|least\s\w+)\b", re.IGNORECASE
)
_ABOUT_TIME_WORDS: Final = frozenset(("last", "first", "latest"))

# Arabic and Persian cue words (the scorer's only non-English features besides numbers).
_RTL_ATTRIBUTION_RE: Final = re.compile(
    r"(?:^|\s)(?:قال|قالت|أعلن|أعلنت|ذكر|ذكرت|أفاد|أفادت|صرح|صرّح|أكد|أكدت|نفى|نفت|وفقا|وفقاً|بحسب|حسب|نقلا|نقلاً"
    r"|گفت|افزود|اعلام|ادعا|تأکید|تاکید|به\sگزارش|به\sنقل)(?=\s|$)"
)
_RTL_HEDGE_RE: Final = re.compile(
    r"(?:^|\s)(?:ربما|قد|يبدو|يُعتقد|يعتقد|محتمل|احتمالا|احتمالاً|شاید|ظاهرا|ظاهراً|گویا|ممکن)(?=\s|$)"
)
_RTL_DIGITS: Final = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")


def _score(
    text: str,
    start: int,
    end: int,
    *,
    language: str,
    known: KnownNames | None,
    headline: bool,
    tokens: list[Token] | None = None,
) -> Candidate:
    if language in {"ar", "fa"}:
        return _score_rtl(text, start, end)
    reasons: list[str] = []
    raw = 0.0

    time_matches = list(_TIME_RE.finditer(text))
    time_spans = [m.span() for m in time_matches]
    times = _unique(m.group().strip() for m in time_matches)
    numbers = _unique(
        m.group().strip()
        for m in _NUMBER_RE.finditer(text)
        if not any(s <= m.start() < e for s, e in time_spans)
    ) + _unique(m.group() for m in _NUMBER_WORD_RE.finditer(text) if not _is_one_another(text, m))
    if numbers:
        raw += WEIGHTS["number"] + (WEIGHTS["more_numbers"] if len(numbers) > 1 else 0.0)
        reasons += [f"contains a number: {n}" for n in numbers[:_MAX_REASONS_PER_KIND]]
    if times:
        raw += WEIGHTS["time"]
        reasons += [f"time: {t}" for t in times[:_MAX_REASONS_PER_KIND]]

    tokens = tokenize(text) if tokens is None else tokens
    entities = find_entities(text, tokens, known)
    named = _unique_entities(entities)
    if named:
        raw += WEIGHTS["entity"] + (WEIGHTS["more_entities"] if len(named) > 1 else 0.0)
        if any(e.kind == "person" for e in named):
            raw += WEIGHTS["person"]
        by_kind = sorted(named, key=lambda e: _ENTITY_ORDER[e.kind])  # people first; stable
        reasons += [_entity_reason(e) for e in by_kind[:_MAX_ENTITY_REASONS]]

    attribution = find_attribution(text, entities, tokens)
    if attribution.cues:
        raw += WEIGHTS["attribution"]
        reasons += [f"attribution: {cue}" for cue in _unique(attribution.cues)]
    if attribution.opinion_cues:
        raw += WEIGHTS["opinion_verb"]
        reasons += [f"opinion: {cue}" for cue in _unique(attribution.opinion_cues)]

    # A capitalised form is a noun at the start of a line ("Floods in Sarvan"), not a verb.
    events = [
        t.lower
        for i, t in enumerate(tokens)
        if t.text[0].islower()
        and (
            t.lower in lexicon.EVENT_VERBS
            or (
                t.lower in lexicon.EVENT_VERBS_PRESENT
                and (i == 0 or tokens[i - 1].lower not in lexicon.DETERMINERS)
            )
            or _is_progressive_event(tokens, i)
        )
    ]
    if events:
        raw += WEIGHTS["event"]
        reasons.append(f"event: {events[0]}")

    comparisons = _unique(m.group().lower() for m in _COMPARISON_RE.finditer(text))
    if comparisons:
        raw += WEIGHTS["comparison"]
        reasons += [f"comparison: {c}" for c in comparisons[:_MAX_REASONS_PER_KIND]]
    superlatives = _unique(
        m.group().lower() for m in _SUPERLATIVE_RE.finditer(text) if not _is_time_word(text, m)
    )
    if superlatives:
        raw += WEIGHTS["superlative"]
        reasons += [f"superlative: {s}" for s in superlatives[:_MAX_REASONS_PER_KIND]]

    hedges = _hedges(text)
    if hedges:
        reasons += [f"hedged: {h}" for h in hedges]

    subjective = _unique(m.group().lower() for m in _SUBJECTIVE_RE.finditer(text))
    if subjective:
        raw += WEIGHTS["subjective"] * min(2, len(subjective))
        reasons += [f"subjective: {s}" for s in subjective[:_MAX_REASONS_PER_KIND]]
    # A prediction inside a quotation is reported speech inside a possibly factual
    # report ('Ghaffari arrived "hours after the minister said forces could be sent"'):
    # it counts half.
    masked = mask_quotes(text)
    prediction_matches = list(_PREDICTION_RE.finditer(text))
    predictions = _unique(m.group().lower() for m in prediction_matches)
    if predictions:
        # Own voice: the modal itself is outside quotation marks ('would "do whatever"').
        own_voice = any(masked[m.start()] == text[m.start()] for m in prediction_matches)
        raw += WEIGHTS["prediction"] * (1.0 if own_voice else 0.5)
        reasons.append(f"prediction{'' if own_voice else ' (quoted)'}: {predictions[0]}")
    if _QUESTION_RE.search(text.rstrip()):
        raw += WEIGHTS["question"]
        reasons.append("question")
    if len(tokens) < 5:
        raw += WEIGHTS["short"]
        reasons.append("very short")
    elif (_DECLARATIVE_END_RE.search(text) or (headline and events)) and not predictions:
        raw += WEIGHTS["declarative"]  # a headline with an event verb is a statement too
    if headline:
        raw += WEIGHTS["headline"]
        reasons.append("headline (no full stop)")
    no_claim = _NO_CLAIM_RE.search(text)
    if no_claim:
        raw += WEIGHTS["no_claim"]
        reasons.append(f"no claim: {no_claim.group().lower()}")
    if _FRAMING_RE.match(text) and not numbers and not times:
        raw += WEIGHTS["framing"]
        reasons.append(f"framing: {' '.join(text.split()[:2])}")

    score = _squash(raw)
    return Candidate(
        text=text,
        start=start,
        end=end,
        score=score,
        check_worthy=score >= CHECK_WORTHY_THRESHOLD,
        reasons=reasons,
        hedged=bool(hedges),
        hedges=hedges,
        claimant=attribution.claimant,
        attribution_chain=attribution.chain,
    )


def _score_rtl(text: str, start: int, end: int) -> Candidate:
    """Arabic and Persian: numbers, attribution words and hedges only."""
    ascii_digits = text.translate(_RTL_DIGITS)
    reasons: list[str] = []
    raw = 0.0
    numbers = _unique(m.group().strip() for m in _NUMBER_RE.finditer(ascii_digits))
    if numbers:
        raw += WEIGHTS["number"] + (WEIGHTS["more_numbers"] if len(numbers) > 1 else 0.0)
        reasons += [f"contains a number: {n}" for n in numbers[:_MAX_REASONS_PER_KIND]]
    cues = _unique(m.group().strip() for m in _RTL_ATTRIBUTION_RE.finditer(text))
    if cues:
        raw += WEIGHTS["attribution"]
        reasons += [f"attribution: {c}" for c in cues]
    hedges = _unique(m.group().strip() for m in _RTL_HEDGE_RE.finditer(text))
    reasons += [f"hedged: {h}" for h in hedges]
    if _QUESTION_RE.search(text.rstrip()):
        raw += WEIGHTS["question"]
        reasons.append("question")
    score = _squash(raw)
    return Candidate(
        text=text,
        start=start,
        end=end,
        score=score,
        check_worthy=score >= CHECK_WORTHY_THRESHOLD,
        reasons=reasons,
        hedged=bool(hedges),
        hedges=hedges,
    )


def _hedges(text: str) -> list[str]:
    found = []
    for match in _HEDGE_RE.finditer(text):
        phrase = match.group()
        if phrase == "May" and (
            re.match(r"\s\d", text[match.end() :])
            or re.search(r"\b(?:in|on|of|since)\s$", text[: match.start()])
        ):
            continue  # the month
        found.append(phrase.lower())
    return _unique(found)


_BE_FORMS: Final = frozenset(("is", "are", "was", "were", "been", "be"))


def _is_progressive_event(tokens: list[Token], index: int) -> bool:
    """'have been clashing', 'were attacking': an event verb in the progressive."""
    word = tokens[index].lower
    if not word.endswith("ing") or index == 0 or tokens[index - 1].lower not in _BE_FORMS:
        return False
    stem = word[:-3]
    return any(form in lexicon.EVENT_VERBS for form in (stem + "ed", stem + "d", stem[:-1] + "ed"))


def _is_one_another(text: str, match: re.Match[str]) -> bool:
    return match.group().lower() == "one" and text[match.end() :].lstrip().lower().startswith(
        "another"
    )


def _is_time_word(text: str, match: re.Match[str]) -> bool:
    """'last week', 'first quarter' are dates, not superlatives."""
    word = match.group().lower()
    if word not in _ABOUT_TIME_WORDS:
        return False
    following = text[match.end() :].split(maxsplit=1)
    return bool(following) and following[0].lower().strip(".,") in {
        "week",
        "month",
        "year",
        "weekend",
        "quarter",
        "night",
        "time",
        "few",
        "two",
        "three",
        "election",
    }


def _unique_entities(entities: list[Entity]) -> list[Entity]:
    seen: set[str] = set()
    unique = []
    for entity in entities:
        if entity.text.casefold() not in seen:
            seen.add(entity.text.casefold())
            unique.append(entity)
    return unique


def _entity_reason(entity: Entity) -> str:
    label = {
        "person": "names a person",
        "organisation": "names an organisation",
        "place": "names a place",
        "name": "names",
    }[entity.kind]
    return f"{label}: {entity.text}"


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for item in items:
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            unique.append(item)
    return unique


def _squash(raw: float) -> float:
    return 1.0 / (1.0 + math.exp(-_STEEPNESS * (raw - _CENTRE)))

"""Duplicate claims: finding them, linking them, merging them.

``claim_duplicates_find`` is called wherever a claim is created (intake, the admin add form,
the newsroom forms and API): it never blocks, the caller shows the matches. It prefilters in
the database - pg_trgm ``%`` and ``%>`` on the GIN-indexed ``normalized_statement`` on
PostgreSQL, a scan of the most recent claims sharing a distinctive word on SQLite - and then
re-scores the few survivors with the intake engine's ``similarity``, so both backends make
the same final decision (numbers, negation, names and direction count there).
``published_claims_find`` answers the public "has this been checked?" from the public
versions (publications) only. ``claim_mark_duplicate`` and ``claim_merge`` link a claim to
the one it duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.contrib.postgres.search import TrigramSimilarity
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest
from django.utils import dateformat, timezone

from claims.exceptions import Conflict, GuardFailed, InvalidInput, NotPermitted
from claims.intake.duplicates import DUPLICATE_THRESHOLD, find_similar
from claims.intake.normalize import normalize_text
from claims.models import Claim, Evidence, Publication, User
from claims.services import evidence_add
from claims.workflow import UNPUBLISHED, Action, TransitionInput, event_record, transition_apply

MAX_QUERY_CHARS: Final = 2_000  # a claim, not an article
# "Has this been checked?" queries are short and phrased as questions: the closest matches at
# or above this score are shown, with ``exact``; DUPLICATE_THRESHOLD decides duplicates.
CHECKED_THRESHOLD: Final = 0.5
# Prefilter bounds, generous on purpose (true duplicates in bench/data/intake have trigram
# similarity 0.48 and up): the engine decides afterwards.
_PG_SIMILARITY: Final = 0.3
_PG_WORD_SIMILARITY: Final = 0.5
_POOL_PER_TEXT: Final = 200
_POOL_MAX: Final = 1_000
_SQLITE_POOL_MAX: Final = 2_000  # the most recent claims sharing a word with the query
_SQLITE_TOKENS_PER_TEXT: Final = 8
_STOPWORDS: Final = frozenset(
    "the and for that with from this have has had was were are not but its his her their "  # noqa: SIM905
    "they them than then into over after about said says also been will would".split()
)


def _require(user: User, perm: str, message: str) -> None:
    if not user.is_authenticated or not user.has_perm(perm):
        raise NotPermitted(message)


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing claim that looks like the text: ``exact`` when the normalized texts are
    identical, otherwise ``score`` (0..1, at least the threshold) from the engine."""

    claim: Claim
    score: float
    exact: bool

    @property
    def short_code(self) -> str:
        return str(self.claim.code)[:8]

    @property
    def summary(self) -> str:
        """Where the claim stands: "published False on 3 Dec 2024", "draft, logged on ..."."""
        return claim_status_summary(self.claim)


@dataclass(frozen=True)
class PublishedMatch:
    """A published claim close to a public query, read from its public version only."""

    code: str
    publication: Publication
    score: float
    exact: bool


def _day(moment: datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y")


def claim_status_summary(claim: Claim) -> str:
    """Where ``claim`` stands, in a few words (reads ``current_publication__verdict``)."""
    publication = claim.current_publication
    if claim.status == Claim.Status.WITHDRAWN:
        return f"withdrawn on {_day(claim.updated_at)}"
    if publication is not None:
        text = f"published {publication.verdict.label} on {_day(publication.published_at)}"
        if claim.status != Claim.Status.PUBLISHED:
            text += f", being corrected ({claim.get_status_display().lower()})"
        return text
    return f"{claim.get_status_display().lower()}, logged on {_day(claim.created_at)}"


def _excluded_pks(exclude: Claim | int | Iterable[Claim | int] | None) -> set[int]:
    if exclude is None:
        return set()
    items = [exclude] if isinstance(exclude, Claim | int) else list(exclude)
    return {item.pk if isinstance(item, Claim) else int(item) for item in items}


def _sqlite_tokens(normalized: str) -> list[str]:
    """The most distinctive words of a normalized query: longest first, stopwords last."""
    words = sorted(set(normalized.split()), key=lambda w: (w in _STOPWORDS, -len(w), w))
    useful = [w for w in words if len(w) >= 3 and w not in _STOPWORDS]
    return (useful or words)[:_SQLITE_TOKENS_PER_TEXT]


def _pool(
    queryset: QuerySet[Claim], normalized: list[str], text_field: str
) -> list[tuple[int, str]]:
    """(pk, text) of the claims in ``queryset`` worth scoring against any of the normalized
    queries, at most a bounded number: one query on either backend."""
    if connection.vendor == "postgresql":
        return _pool_postgresql(queryset, normalized, text_field)
    condition = Q()
    for token in sorted({t for text in normalized for t in _sqlite_tokens(text)}):
        condition |= Q(normalized_statement__contains=token)
    rows = (
        queryset.filter(condition)
        .order_by("-created_at", "-id")
        .values_list("pk", text_field)[:_SQLITE_POOL_MAX]
    )
    return [(pk, text) for pk, text in rows]


def _pool_postgresql(
    queryset: QuerySet[Claim], normalized: list[str], text_field: str
) -> list[tuple[int, str]]:
    """pg_trgm's ``%`` (similarity) and ``%>`` (word similarity: a short query inside a longer
    statement) use the GIN index; their thresholds are set for this transaction only."""
    # Equality too: exact matches never depend on how the database's locale splits words
    # into trigrams (pg_trgm 1.6 answers ``=`` from the same index).
    condition = Q(normalized_statement__in=normalized)
    for text in normalized:
        condition |= Q(normalized_statement__trigram_similar=text)
        condition |= Q(normalized_statement__trigram_word_similar=text)
    similarities = [TrigramSimilarity("normalized_statement", text) for text in normalized]
    closeness = similarities[0] if len(similarities) == 1 else Greatest(*similarities)
    cap = min(_POOL_MAX, _POOL_PER_TEXT * len(normalized))
    # set_config(..., is_local => true) lasts until the end of the transaction: without one
    # (autocommit) it would end with its own statement, before the query that needs it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true), "
            "set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(_PG_SIMILARITY), str(_PG_WORD_SIMILARITY)],
        )
        rows = (
            queryset.filter(condition)
            .annotate(closeness=closeness)
            .order_by("-closeness", "-id")
            .values_list("pk", text_field)[:cap]
        )
        return [(pk, text) for pk, text in rows]


def _scored(
    texts: Sequence[str],
    queryset: QuerySet[Claim],
    text_field: str,
    *,
    threshold: float,
    limit: int,
) -> list[list[tuple[int, float, bool]]]:
    """For each text, (pk, score, exact) of its matches in ``queryset``, best first."""
    texts = [text[:MAX_QUERY_CHARS] for text in texts]
    normalized = [normalize_text(text) for text in texts]
    wanted = sorted({n for n in normalized if n})
    if not wanted or limit <= 0:
        return [[] for _ in texts]
    pool = _pool(queryset, wanted, text_field)
    return [
        [
            (m.key, m.score, m.exact)
            for m in find_similar(text, pool, threshold=threshold, limit=limit)
        ]
        if key
        else []
        for text, key in zip(texts, normalized, strict=True)
    ]


def claim_duplicates_find_many(
    *,
    texts: Sequence[str],
    exclude: Claim | int | Iterable[Claim | int] | None = None,
    limit: int = 5,
    threshold: float = DUPLICATE_THRESHOLD,
) -> list[list[DuplicateMatch]]:
    """``claim_duplicates_find`` for many texts at once (a page of intake candidates) in a
    constant number of queries."""
    queryset = Claim.objects.all()
    excluded = _excluded_pks(exclude)
    if excluded:
        queryset = queryset.exclude(pk__in=excluded)
    scored = _scored(texts, queryset, "statement", threshold=threshold, limit=limit)
    pks = {pk for matches in scored for pk, _, _ in matches}
    claims: dict[int, Claim] = {}
    if pks:  # one query, with what the summary and the interfaces read
        related = Claim.objects.filter(pk__in=pks).select_related(
            "claimant", "verdict", "current_publication__verdict"
        )
        claims = {claim.pk: claim for claim in related}
    return [
        [DuplicateMatch(claims[pk], score, exact) for pk, score, exact in matches if pk in claims]
        for matches in scored
    ]


def claim_duplicates_find(
    *,
    text: str,
    exclude: Claim | int | Iterable[Claim | int] | None = None,
    limit: int = 5,
) -> list[DuplicateMatch]:
    """Existing claims that state the same thing as ``text`` (same normalized text, or
    similar enough by the intake engine), best first. Never blocks anything: callers show
    the matches. ``exclude`` leaves out a claim (or several), such as the one just saved."""
    return claim_duplicates_find_many(texts=[text], exclude=exclude, limit=limit)[0]


def published_claims_find(
    *, query: str, limit: int = 5, threshold: float = CHECKED_THRESHOLD
) -> list[PublishedMatch]:
    """The public "has this been checked?": the published claims closest to ``query``, scored
    against the statement of their public version (never the internal, possibly edited one)."""
    query = query.strip()
    if not query:
        raise InvalidInput("Say what you want to check.", field="query")
    visible = Claim.objects.publicly_visible()
    scored = _scored(
        [query], visible, "current_publication__statement", threshold=threshold, limit=limit
    )[0]
    if not scored:
        return []
    claims = {
        claim.pk: claim
        for claim in visible.filter(pk__in=[pk for pk, _, _ in scored]).select_related(
            "current_publication__verdict"
        )
    }
    return [
        PublishedMatch(str(claims[pk].code), claims[pk].current_publication, score, exact)  # type: ignore[arg-type]
        for pk, score, exact in scored
        if pk in claims
    ]


# --------------------------------------------------------------------------------------------
# Duplicate links and merges


def claim_mark_duplicate(*, claim: Claim, of: Claim, by: User) -> Claim:
    """Record that ``claim`` states the same thing as ``of``. Refuses a claim marked as its
    own duplicate and chains that would loop back to ``claim``."""
    _require(by, "claims.change_claim", "You may not edit claims.")
    if claim.pk == of.pk:
        raise GuardFailed("A claim cannot be a duplicate of itself.", code="duplicate_self")
    if claim.status == Claim.Status.WITHDRAWN:
        raise GuardFailed("A withdrawn claim cannot be edited; restore it first.")
    seen: set[int] = set()
    cursor: int | None = of.pk
    while cursor is not None and cursor not in seen:
        if cursor == claim.pk:
            raise GuardFailed(
                f"Claim {of.code} is already (through its own links) a duplicate of this one.",
                code="duplicate_cycle",
            )
        seen.add(cursor)
        cursor = Claim.objects.filter(pk=cursor).values_list("duplicate_of", flat=True).first()
    if claim.duplicate_of_id == of.pk:
        return claim
    previous = claim.duplicate_of
    with transaction.atomic():
        changed = Claim.objects.filter(pk=claim.pk, duplicate_of=claim.duplicate_of_id).update(
            duplicate_of=of, updated_at=timezone.now()
        )
        if changed != 1:
            raise Conflict("Someone else changed this claim a moment ago. Reload it and try again.")
        claim.refresh_from_db()
        event_record(
            claim=claim,
            actor=by,
            action="claim.marked_duplicate",
            details={"of": str(of.code), "previous": str(previous.code) if previous else None},
        )
    return claim


def claim_merge(*, claim: Claim, into: Claim, by: User) -> Claim:
    """Fold ``claim`` into ``into``: mark it a duplicate, copy its evidence onto ``into`` as new
    evidence (links, notes and files; never public until an editor says so), and withdraw it
    with the reason "Merged into <code>". ``claim`` keeps its own rows and audit trail; a
    published claim is not merged (reopen or withdraw it through the workflow instead).
    Returns ``into``."""
    _require(by, "claims.change_claim", "You may not edit claims.")
    _require(by, "claims.withdraw_claim", "You may not withdraw claims.")
    if claim.status not in UNPUBLISHED:
        raise GuardFailed(
            "Only a claim that is not published or withdrawn can be merged into another.",
            code="merge_closed",
        )
    if into.status == Claim.Status.WITHDRAWN:
        raise GuardFailed("A claim cannot be merged into a withdrawn claim.", code="merge_target")
    with transaction.atomic():
        claim_mark_duplicate(claim=claim, of=into, by=by)
        copied = [
            _evidence_copy(item, into=into, by=by)
            for item in claim.evidence.order_by("created_at", "id")
        ]
        transition_apply(
            claim=claim,
            action=Action.WITHDRAW,
            by=by,
            data=TransitionInput(
                reason=f"Merged into {into.code}", details={"merged_into": str(into.code)}
            ),
        )
        event_record(
            claim=into,
            actor=by,
            action="claim.merged",
            details={"from": str(claim.code), "evidence": [item.pk for item in copied]},
        )
    return into


def _evidence_copy(item: Evidence, *, into: Claim, by: User) -> Evidence:
    common: dict[str, Any] = {
        "claim": into,
        "by": by,
        "stance": item.stance,
        "title": item.title,
        "is_public": False,
    }
    if item.kind == Evidence.Kind.FILE:
        try:
            with item.file.open("rb") as handle:
                upload = File(handle, name=item.file_name or "evidence")
                return evidence_add(kind=Evidence.Kind.FILE, file=upload, **common)  # type: ignore[arg-type]
        except FileNotFoundError:
            note = f"The file {item.file_name!r} of a merged claim could not be copied."
            return evidence_add(kind=Evidence.Kind.NOTE, note=note, **common)
    return evidence_add(kind=item.kind, url=item.url, note=item.note, **common)

"""Claim intake in the newsroom: "new from article".

- ``intake_from_text`` analyses pasted text at once (the engine is fast); ``intake_from_url``
  creates a ``pending`` job and enqueues ``intake_fetch_task`` after commit, which fetches the
  page through the fetch guard (``intake_fetch``) and ends ``ready`` or ``failed`` with a
  reason; ``intake_jobs_sweep`` re-queues lost work.
- ``intake_claims_create`` turns the editor's selections into claims, all or nothing; a
  selection can be logged as a duplicate of an existing claim, or merged into it.

Duplicate detection itself is in ``claims.duplicate_services``. Nothing heavy is imported at
module level: the scorer and the fetching library (trafilatura) load where they are used.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from claims.duplicate_services import (
    DuplicateMatch,
    claim_duplicates_find,
    claim_duplicates_find_many,
    claim_mark_duplicate,
    claim_merge,
)
from claims.exceptions import DomainError, GuardFailed, InvalidInput, NotPermitted
from claims.intake.normalize import detect_script
from claims.models import Claim, Claimant, IntakeJob, Source, User
from claims.services import claim_create, source_get_or_create

# The duplicate services live in claims.duplicate_services; they are importable from here
# too, beside the intake flow that shows them.
__all__ = [
    "DuplicateMatch",
    "claim_duplicates_find",
    "claim_duplicates_find_many",
    "claimant_kinds_guess",
    "intake_candidates_duplicates",
    "intake_claims_create",
    "intake_fetch",
    "intake_from_text",
    "intake_from_url",
    "intake_jobs_sweep",
]

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS: Final = 200_000  # the fetch library's cap on extracted text
FETCH_MAX_ATTEMPTS: Final = 3
HEDGED_TAG: Final = "hedged"
# Candidates (best first) checked for duplicates on the job page and in the API; a very long
# text's weakest sentences are listed without the check.
DUPLICATE_CHECKS_MAX: Final = 60
_LANGUAGE_RE: Final = re.compile(r"^(?:auto|[a-z]{2,3})$")
_CLAIM_LANGUAGES: Final = frozenset({"en", "ar", "fa"})


def _require(user: User, perm: str, message: str) -> None:
    if not user.is_authenticated or not user.has_perm(perm):
        raise NotPermitted(message)


def _validate_url(url: str, *, field: str = "url") -> str:
    url = url.strip()
    if len(url) > 2048:
        raise InvalidInput("That link is too long (2,048 characters at most).", field=field)
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidInput("Enter a full http:// or https:// link.", field=field) from None
    return url


# --------------------------------------------------------------------------------------------
# Intake jobs


def _analyse(text: str, language: str) -> tuple[str, list[dict[str, Any]]]:
    """(resolved language, candidates as JSON-ready dicts, best first)."""
    from claims.intake.scoring import extract_candidates  # the scorer compiles many regexes

    resolved = detect_script(text) if language == "auto" else language
    candidates = extract_candidates(text, resolved)
    return resolved, [asdict(candidate) for candidate in candidates]


def _clean_text(text: str) -> str:
    # Browsers send textarea lines with CRLF; offsets are kept into the stored text.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _job_source(
    *,
    by: User,
    url: str,
    title: str,
    text: str,
    language: str,
    outlet: str = "",
    published_at: datetime | None = None,
) -> Source:
    """The source the job's claims cite. A source already known by its link is reused (and
    given the text when it had none); claims get offsets only where its text is the job's."""
    if url:
        existing = Source.objects.filter(url=url).first()
        if existing is not None:
            if not existing.text:
                existing.text, existing.language = text, existing.language or language
                existing.title = existing.title or title[:500]
                existing.save(update_fields=["text", "language", "title"])
            return existing
    try:
        with transaction.atomic():
            return source_get_or_create(
                by=by,
                url=url,
                title=title[:500],
                outlet=outlet[:200],
                text=text,
                language=language,
                published_at=published_at,
            )
    except IntegrityError:  # the same link saved a moment ago by another job
        return Source.objects.get(url=url)


def intake_from_text(
    *, by: User, text: str, title: str = "", url: str = "", language: str = "auto"
) -> IntakeJob:
    """Analyse pasted text now: the job is ``ready`` with its candidates, best first."""
    _require(by, "claims.add_claim", "You may not log claims.")
    text = _clean_text(text)
    if not text:
        raise InvalidInput("Paste the text of the article.", field="text")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"That text is too long ({MAX_TEXT_CHARS:,} characters at most).", field="text"
        )
    if not _LANGUAGE_RE.match(language):
        raise InvalidInput(
            "Choose a language code such as en, ar or fa, or auto.", field="language"
        )
    url = _validate_url(url) if url.strip() else ""
    resolved, candidates = _analyse(text, language)
    now = timezone.now()
    with transaction.atomic():
        source = _job_source(by=by, url=url, title=title.strip(), text=text, language=resolved)
        return IntakeJob.objects.create(
            created_by=by,
            source=source,
            url=url,
            title=title.strip()[:500],
            text=text,
            language=resolved,
            state=IntakeJob.State.READY,
            progress=100,
            candidates=candidates,
            created_at=now,
            updated_at=now,
            started_at=now,
            finished_at=now,
        )


def intake_from_url(*, by: User, url: str) -> IntakeJob:
    """Create a ``pending`` job for ``url``; a worker fetches it after commit."""
    _require(by, "claims.add_claim", "You may not log claims.")
    url = _validate_url(url)
    with transaction.atomic():
        job = IntakeJob.objects.create(
            created_by=by,
            url=url,
            state=IntakeJob.State.PENDING,
            progress_message="Waiting for a worker to fetch the page.",
        )
        _enqueue_fetch(job.pk)
    return job


def _enqueue_fetch(job_id: int) -> None:
    from claims.intake_tasks import intake_fetch_task

    transaction.on_commit(lambda: intake_fetch_task.delay(job_id))


def _job_update(job: IntakeJob, *, from_state: str, **values: Any) -> bool:
    """Compare-and-set on the job's state; False when someone else moved it first."""
    values.setdefault("updated_at", timezone.now())
    changed = IntakeJob.objects.filter(pk=job.pk, state=from_state).update(**values)
    if changed:
        job.refresh_from_db()
    return changed == 1


def _job_fail(job: IntakeJob, reason: str) -> None:
    now = timezone.now()
    _job_update(
        job,
        from_state=IntakeJob.State.FETCHING,
        state=IntakeJob.State.FAILED,
        error=reason,
        progress_message="",
        finished_at=now,
        updated_at=now,
    )


def _page_language(declared: str | None) -> str:
    primary = (declared or "").split("-")[0].lower()
    return primary if primary in _CLAIM_LANGUAGES else "auto"


def _page_published(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            return None
        moment = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - made aware below
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def intake_fetch(*, job: IntakeJob, final_attempt: bool = False) -> float | None:
    """Fetch a pending job's page through the fetch guard, extract the article and find its
    candidates. Returns the seconds to wait before retrying a transient failure (the job is
    ``pending`` again), or None once the job is settled or was taken by another worker."""
    now = timezone.now()
    if not _job_update(
        job,
        from_state=IntakeJob.State.PENDING,
        state=IntakeJob.State.FETCHING,
        attempts=F("attempts") + 1,
        started_at=now,
        updated_at=now,
        progress=10,
        progress_message="Fetching the page.",
        error="",
    ):
        return None
    try:
        return _fetch_and_analyse(job, final_attempt=final_attempt)
    except Exception:
        logger.exception("intake job %s failed unexpectedly", job.pk)
        _job_fail(job, "Something went wrong while reading the page. Try again, or paste the text.")
        raise


def _fetch_and_analyse(job: IntakeJob, *, final_attempt: bool) -> float | None:
    from claims.fetching.client import safe_fetch
    from claims.fetching.extract_pool import ExtractionFailed, extract_isolated
    from claims.fetching.guard import policy_from_settings

    result = safe_fetch(job.url, policy=policy_from_settings())
    if not result.ok:
        if result.transient and not final_attempt and job.attempts < FETCH_MAX_ATTEMPTS:
            delay = min(60, 5 * 2 ** (job.attempts - 1)) + secrets.randbelow(2000) / 1000
            _job_update(
                job,
                from_state=IntakeJob.State.FETCHING,
                state=IntakeJob.State.PENDING,
                progress=0,
                progress_message=f"{result.error} Trying again in {round(delay)} s.",
            )
            return delay
        _job_fail(job, result.error or "The page could not be fetched.")
        return None
    _job_update(
        job,
        from_state=IntakeJob.State.FETCHING,
        progress=50,
        progress_message="Reading the article.",
    )
    try:
        page = extract_isolated(result.body, result.content_type, result.final_url)
    except ExtractionFailed as exc:
        _job_fail(job, f"The page was fetched but could not be read: {exc} Paste the text instead.")
        return None
    text = _clean_text(page.text)[:MAX_TEXT_CHARS]
    if not text:
        _job_fail(
            job,
            f"The page was fetched but no article text was found in it ({result.media_type}). "
            "Paste the text instead.",
        )
        return None
    _job_update(
        job,
        from_state=IntakeJob.State.FETCHING,
        progress=80,
        progress_message="Finding check-worthy sentences.",
    )
    language, candidates = _analyse(text, _page_language(page.language))
    with transaction.atomic():
        source = _job_source(
            by=job.created_by,
            url=job.url,
            title=page.title or "",
            text=text,
            language=language,
            outlet=page.site_name or "",
            published_at=_page_published(page.published),
        )
        if not _job_update(
            job,
            from_state=IntakeJob.State.FETCHING,
            state=IntakeJob.State.READY,
            source=source,
            title=(page.title or "")[:500],
            text=text,
            language=language,
            candidates=candidates,
            progress=100,
            progress_message="",
            finished_at=timezone.now(),
        ):
            transaction.set_rollback(True)  # the sweeper gave up on this job meanwhile
    return None


STALE_PENDING: Final = timedelta(minutes=2)
STUCK_FETCHING: Final = timedelta(minutes=5)  # well past the fetch policy's total timeout


def intake_jobs_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Re-queue pending jobs whose message may have been lost; fail jobs stuck fetching (a
    worker died mid-fetch). Safe to run at any time."""
    now = now or timezone.now()
    stale = list(
        IntakeJob.objects.filter(
            state=IntakeJob.State.PENDING, updated_at__lt=now - STALE_PENDING
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for job_id in stale:
            IntakeJob.objects.filter(pk=job_id).update(updated_at=now)
            _enqueue_fetch(job_id)
    failed = IntakeJob.objects.filter(
        state=IntakeJob.State.FETCHING, updated_at__lt=now - STUCK_FETCHING
    ).update(
        state=IntakeJob.State.FAILED,
        error="The fetch did not finish (the worker may have stopped). Try again.",
        progress_message="",
        finished_at=now,
        updated_at=now,
    )
    return {"requeued": len(stale), "failed": failed}


def intake_candidates_duplicates(*, job: IntakeJob) -> list[list[DuplicateMatch]]:
    """Possible duplicates of each of the job's candidates, in candidate order (the first
    ``DUPLICATE_CHECKS_MAX`` only; the rest get an empty list). A constant number of queries."""
    checked = job.candidates[:DUPLICATE_CHECKS_MAX]
    found = claim_duplicates_find_many(texts=[candidate["text"] for candidate in checked])
    return found + [[] for _ in job.candidates[len(checked) :]]


# --------------------------------------------------------------------------------------------
# Claims from a job


@dataclass(frozen=True)
class _Row:
    number: int | str
    statement: str
    claimant: str
    claimant_kind: str
    attribution: list[tuple[str, str]]
    start: int
    end: int
    hedged: bool
    duplicate_of: Claim | None
    merge: bool


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _row_error(number: int | str, statement: str, message: str) -> str:
    label = f"Row {number}"
    if statement.strip():
        label += f" (“{_short(statement)}”)"
    return f"{label}: {message}"


def _as_int(value: Any, number: int | str, statement: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(_row_error(number, statement, f"{field} must be a number."), field=field)
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(
            _row_error(number, statement, f"{field} must be a number."), field=field
        ) from None


def _attribution_names(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"\s*[>›→]\s*", value)
    if not isinstance(value, list | tuple):
        return []
    return [" ".join(str(name).split()) for name in value if str(name).strip()]


def _rows(job: IntakeJob, selections: Sequence[dict[str, Any]]) -> list[_Row]:
    """Resolve and check every selection before anything is written."""
    codes = {
        str(s.get("duplicate_of")).strip()
        for s in selections
        if isinstance(s, dict) and s.get("duplicate_of")
    }
    targets: dict[str, Claim] = {}
    for code in codes:
        try:
            claim = Claim.objects.filter(code=code).first()
        except ValidationError:
            claim = None
        if claim is not None:
            targets[code] = claim
    rows = []
    for position, selection in enumerate(selections, start=1):
        if not isinstance(selection, dict):
            raise InvalidInput(f"Row {position}: not a selection.", field="selections")
        number = selection.get("row") or position  # the row number the editor sees
        candidate: dict[str, Any] = {}
        if selection.get("candidate") is not None:
            index = _as_int(selection["candidate"], number, "", "candidate")
            if not 0 <= index < len(job.candidates):
                raise InvalidInput(
                    f"Row {number}: there is no candidate {index} in this job.", field="candidate"
                )
            candidate = job.candidates[index]
        wording = selection.get("statement")
        label = str(wording or candidate.get("text") or "")  # for error messages
        start = selection.get("start", candidate.get("start"))
        end = selection.get("end", candidate.get("end"))
        if start is None or end is None:
            raise InvalidInput(
                _row_error(number, label, "choose a candidate or give start and end offsets."),
                field="start",
            )
        start = _as_int(start, number, label, "start")
        end = _as_int(end, number, label, "end")
        if not 0 <= start <= end <= len(job.text):
            raise InvalidInput(
                _row_error(number, label, "the excerpt offsets are outside the text."),
                field="start",
            )
        # The quoted excerpt never has surrounding spaces, so neither do its offsets.
        while start < end and job.text[start].isspace():
            start += 1
        while end > start and job.text[end - 1].isspace():
            end -= 1
        if start == end:
            raise InvalidInput(_row_error(number, label, "the excerpt is empty."), field="start")
        excerpt = job.text[start:end]
        if wording is None:  # the editor's wording, else the sentence as it stands
            wording = candidate.get("text") or excerpt
        statement = str(wording).strip()
        if not statement:
            raise InvalidInput(f"Row {number}: the claim needs a statement.", field="statement")
        claimant = " ".join(str(selection.get("claimant", candidate.get("claimant")) or "").split())
        kind = str(selection.get("claimant_kind") or Claimant.Kind.PERSON)
        if kind not in Claimant.Kind.values:
            raise InvalidInput(
                _row_error(
                    number,
                    statement,
                    "the claimant is a person, an organisation or a media outlet.",
                ),
                field="claimant_kind",
            )
        names = _attribution_names(
            selection.get("attribution", candidate.get("attribution_chain") or [])
        )
        duplicate_of = None
        code = str(selection.get("duplicate_of") or "").strip()
        if code:
            duplicate_of = targets.get(code)
            if duplicate_of is None:
                raise InvalidInput(
                    _row_error(number, statement, f"there is no claim {code}."),
                    field="duplicate_of",
                )
        rows.append(
            _Row(
                number=number,
                statement=statement,
                claimant=claimant,
                claimant_kind=kind,
                attribution=[(name, "") for name in names],
                start=start,
                end=end,
                hedged=bool(selection.get("hedged", candidate.get("hedged", False))),
                duplicate_of=duplicate_of,
                merge=bool(selection.get("merge", False)) and duplicate_of is not None,
            )
        )
    return rows


_MEDIA_WORDS: Final = frozenset(
    "media news agency agencies tv television channel broadcaster broadcasters radio "  # noqa: SIM905
    "newspaper newspapers press times post gazette outlet outlets reports wire".split()
)


def _context_words(name: str, sentence: str, width: int = 4) -> set[str]:
    """Words of ``name`` and the few around it in ``sentence``: "the state-run Al-Alam
    channel", "Iran International, a Persian-language broadcaster"."""
    at = sentence.find(name)
    before = sentence[:at].split()[-width:] if at >= 0 else []
    after = sentence[at + len(name) :].split()[:width] if at >= 0 else []
    return {word.casefold().strip(".,;:()\"'") for word in [*before, *name.split(), *after]}


def claimant_kinds_guess(mentions: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The claimant kind to pre-fill for each (name, sentence) mention: the existing
    claimant's kind, else a guess from the name and the words around it (a media outlet, an
    organisation, a person). One query."""
    from claims.intake.entities import find_entities

    contexts: dict[str, set[str]] = {}
    for name, sentence in mentions:
        if name:
            contexts.setdefault(name, set()).update(_context_words(name, sentence))
    if not contexts:
        return {}
    query = Q()
    for name in contexts:
        query |= Q(name__iexact=name)
    existing: dict[str, str] = {}
    for name, kind in Claimant.objects.filter(query).order_by("id").values_list("name", "kind"):
        existing.setdefault(name.casefold(), kind)
    guesses = {}
    for name, words in contexts.items():
        if name.casefold() in existing:
            guesses[name] = existing[name.casefold()]
        elif words & _MEDIA_WORDS:
            guesses[name] = Claimant.Kind.MEDIA
        elif any(entity.kind == "organisation" for entity in find_entities(name)):
            guesses[name] = Claimant.Kind.ORGANISATION
        else:
            guesses[name] = Claimant.Kind.PERSON
    return guesses


def _claimants_known(rows: Sequence[_Row]) -> dict[str, Claimant]:
    """Existing claimants by (case-insensitive) name, so "IRNA" is not created twice."""
    names = {row.claimant for row in rows if row.claimant}
    if not names:
        return {}
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    known: dict[str, Claimant] = {}
    for claimant in Claimant.objects.filter(query).order_by("id"):
        known.setdefault(claimant.name.casefold(), claimant)
    return known


def intake_claims_create(
    *, job: IntakeJob, by: User, selections: Sequence[dict[str, Any]]
) -> list[Claim]:
    """Create one claim per selection, all in one transaction: all of them or none.

    A selection is a dict: ``candidate`` (index into ``job.candidates``) and/or ``start`` and
    ``end`` (offsets into ``job.text``), optional ``statement`` (the editor's wording; the
    candidate's sentence by default), ``claimant``, ``claimant_kind``, ``attribution`` (names,
    nearest reporter first, or "A > B"), ``hedged`` (tags the claim "hedged"),
    ``duplicate_of`` (an existing claim's code: the new claim is marked its duplicate) and
    ``merge`` (with ``duplicate_of``: merged into it at once, see ``claim_merge``). The
    excerpt is always ``job.text[start:end]``; offsets are stored when the source's text is
    the job's text. Errors name the row (1-based) they come from.
    """
    _require(by, "claims.add_claim", "You may not log claims.")
    if job.state != IntakeJob.State.READY:
        raise GuardFailed("This intake job has no candidates yet.", code="job_not_ready")
    if not selections:
        raise InvalidInput("Tick at least one candidate.", field="selections")
    rows = _rows(job, selections)
    if any(row.merge for row in rows):
        _require(by, "claims.withdraw_claim", "You may not merge claims.")
    source = job.source
    offsets_hold = source is not None and source.text == job.text
    known = _claimants_known(rows)
    language = job.language if job.language in _CLAIM_LANGUAGES else "und"
    created: list[Claim] = []
    with transaction.atomic():
        for row in rows:
            try:
                claim = claim_create(
                    by=by,
                    statement=row.statement,
                    claimant=known.get(row.claimant.casefold()),
                    claimant_name=row.claimant,
                    claimant_kind=row.claimant_kind,
                    source=source,
                    excerpt=job.text[row.start : row.end],
                    excerpt_start=row.start if offsets_hold else None,
                    excerpt_end=row.end if offsets_hold else None,
                    language=language,
                    tags=[HEDGED_TAG] if row.hedged else [],
                    attribution=row.attribution,
                )
                if row.duplicate_of is not None and row.merge:
                    claim_merge(claim=claim, into=row.duplicate_of, by=by)
                    claim.refresh_from_db()
                elif row.duplicate_of is not None:
                    claim = claim_mark_duplicate(claim=claim, of=row.duplicate_of, by=by)
            except NotPermitted:
                raise
            except DomainError as exc:
                raise type(exc)(
                    _row_error(row.number, row.statement, exc.message),
                    code=exc.code,
                    field=exc.field,
                ) from exc
            created.append(claim)
    return created

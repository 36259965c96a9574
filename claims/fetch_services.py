"""The evidence fetch pipeline: the work behind the tasks in claims/tasks.py.

One run of ``evidence_fetch`` takes a pending link (or one whose worker died), fetches it
through the fetch guard, extracts what it can, freezes the result in an immutable
Snapshot, updates the evidence and writes one event; it then says whether the task should
run again (a transient failure, a busy site). Every step is a compare-and-set on the
evidence row, so a message delivered twice, or a row re-queued by the sweeper while its
message was only late, does the work once.

    pending --claim--> fetching --ok--> fetched
       ^                  |  --refused by the guard--> blocked (never retried)
       |                  |  --failed for good / out of attempts--> failed
       +---transient------+
    fetched, failed, blocked --re-fetch, monitoring--> pending

Writes editors trigger (adding a link, re-fetching) live in claims/services.py.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from claims.exceptions import GuardFailed
from claims.fetching.archive import ArchiveError, config_from_settings, spn_status, spn_submit
from claims.fetching.client import FetchResult, safe_fetch
from claims.fetching.compare import text_change
from claims.fetching.extract import EXTRACTOR_VERSION, Extracted
from claims.fetching.extract_pool import ExtractionFailed, extract_isolated
from claims.fetching.guard import Outcome, policy_from_settings
from claims.fetching.politeness import site_slots
from claims.models import Blob, ClaimFlag, Evidence, Snapshot, User
from claims.rows import Rows
from claims.services import (
    _require,
    evidence_fetch_batch,
    evidence_fetch_enqueue,
    evidence_pending_fields,
)
from claims.workflow import event_record

logger = logging.getLogger(__name__)

FetchState = Evidence.FetchState
TERMINAL_STATES = frozenset({FetchState.FETCHED, FetchState.FAILED, FetchState.BLOCKED})
CRASHED_TEXT = (
    "The fetch crashed or lost its worker {count} times in a row; the app stopped trying. "
    "Re-fetch it to try once more."
)


@dataclass(frozen=True)
class FetchStep:
    """What one run of the fetch task did. `retry_in`: run the task again after that many
    seconds (a transient failure, or the site was busy)."""

    state: str  # the link's fetch state afterwards; "" when there is no such link
    retry_in: float | None = None
    note: str = ""


# --------------------------------------------------------------------------------------------
# Fetching one link


# The statements every fetch runs, in plain SQL (claims/rows.py says why).
_EVIDENCE_ROWS = Rows(Evidence)
_SNAPSHOT_ROWS = Rows(Snapshot)
_BLOB_ROWS = Rows(Blob)

# What one fetch reads of the link: the claim's id, not the claim (events need only the id).
_FETCH_FIELDS = (
    "claim",
    "kind",
    "url",
    "fetch_state",
    "fetch_lease_until",
    "fetch_deliveries",
    "fetch_attempts",
    "latest_snapshot",
    "archive_url",
)


def evidence_fetch(*, evidence_id: int) -> FetchStep:
    """Fetch the link once if it is due; safe to call any number of times."""
    now = timezone.now()
    evidence = _claim(evidence_id, now)
    if evidence is None:
        return _not_claimed(evidence_id, now)
    claim = evidence.fetch_deliveries  # this run's claim on the row
    site = _site_of(evidence.url)
    slots = site_slots()
    token = slots.acquire(site)
    if token is None:
        return _site_busy(evidence, claim, site, now)
    try:
        try:
            result = safe_fetch(evidence.url, policy=policy_from_settings())
        except SoftTimeLimitExceeded:
            result = _past_time_limit(evidence.url)
    finally:
        slots.release(site, token)
    try:
        extracted = (
            extract_isolated(result.body, result.content_type, result.final_url)
            if result.ok
            else None
        )
    except ExtractionFailed as exc:
        # The page is kept as fetched; only its text and metadata are missing.
        result, extracted = dataclasses.replace(result, error=str(exc)), Extracted()
    except SoftTimeLimitExceeded:
        result, extracted = _past_time_limit(evidence.url), None
    return _record(evidence, claim, result, extracted)


def _site_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@functools.cache
def _claim_sql() -> str:
    """The claiming UPDATE, built once from the model's own column names."""
    rows = _EVIDENCE_ROWS
    state, deliveries, lease = (
        rows.column(name) for name in ("fetch_state", "fetch_deliveries", "fetch_lease_until")
    )
    return (
        f"UPDATE {rows.table} SET {state} = %s, {deliveries} = {deliveries} + 1, "  # noqa: S608 (column names)
        f"{lease} = %s WHERE {rows.column('id')} = %s AND {rows.column('kind')} = %s "
        f"AND {deliveries} < %s AND ({state} = %s OR ({state} = %s AND "
        f"({lease} IS NULL OR {lease} <= %s))) RETURNING {rows.columns(_FETCH_FIELDS)}"
    )


def _claim(evidence_id: int, now: datetime) -> Evidence | None:
    """Take the link if it is due, in one statement: a link pending, or fetching under a
    lease that ran out (its worker died), and not crashed too often, becomes fetching under
    a new lease with one more delivery counted. The new delivery count is this run's claim
    on the row. Returns the link as claimed; None when this run may not fetch it (the
    caller finds out why)."""
    rows = _EVIDENCE_ROWS
    params = [
        FetchState.FETCHING,
        rows.prep("fetch_lease_until", now + timedelta(seconds=settings.FETCH_LEASE_SECONDS)),
        evidence_id,
        Evidence.Kind.LINK,
        settings.FETCH_MAX_DELIVERIES,
        FetchState.PENDING,
        FetchState.FETCHING,
        rows.prep("fetch_lease_until", now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), params)
        row = cursor.fetchone()
    return None if row is None else rows.from_row(row, _FETCH_FIELDS)


def _not_claimed(evidence_id: int, now: datetime) -> FetchStep:
    """Why the link could not be claimed (the rare path: read it again)."""
    evidence = _EVIDENCE_ROWS.get(evidence_id, _FETCH_FIELDS, kind=Evidence.Kind.LINK)
    if evidence is None:
        return FetchStep("", note="no such link")
    state = evidence.fetch_state
    if state in TERMINAL_STATES:
        return FetchStep(state, note="already done")
    lease = evidence.fetch_lease_until
    if state == FetchState.FETCHING and lease is not None and lease > now:
        # Another worker is on it (a duplicate delivery). If that worker dies, the sweeper
        # re-queues the link once the lease runs out.
        return FetchStep(state, note="another worker holds the lease")
    if evidence.fetch_deliveries >= settings.FETCH_MAX_DELIVERIES:
        return _give_up_crashed(evidence)
    return FetchStep(state, note="another worker claimed it first")


def _site_busy(evidence: Evidence, claim: int, site: str, now: datetime) -> FetchStep:
    """The site has as many fetches under way as it may: give the claim back (the link
    is pending again, due after a short wait, the delivery not counted) and try later."""
    delay = settings.FETCH_SITE_BUSY_RETRY_SECONDS * random.uniform(1.0, 2.0)  # noqa: S311
    _EVIDENCE_ROWS.update(
        evidence.pk,
        {
            "fetch_state": FetchState.PENDING,
            "fetch_deliveries": claim - 1,
            "fetch_lease_until": None,
            "fetch_next_at": now + timedelta(seconds=delay),
        },
        fetch_state=FetchState.FETCHING,
        fetch_deliveries=claim,
    )
    return FetchStep(FetchState.PENDING, retry_in=delay, note=f"{site} is busy")


def _past_time_limit(url: str) -> FetchResult:
    return FetchResult(
        requested_url=url,
        final_url=url,
        hops=[],
        status=None,
        headers={},
        content_type="",
        body=b"",
        byte_count=0,
        sha256="",
        duration_ms=settings.FETCH_TASK_SOFT_TIME_LIMIT * 1000,
        outcome=Outcome.TIMEOUT,
        error="The fetch ran past the task's time limit.",
        retry_after=None,
    )


def _give_up_crashed(evidence: Evidence) -> FetchStep:
    error = CRASHED_TEXT.format(count=evidence.fetch_deliveries)
    with transaction.atomic():
        changed = Evidence.objects.filter(
            pk=evidence.pk,
            fetch_state=evidence.fetch_state,
            fetch_deliveries=evidence.fetch_deliveries,
        ).update(
            fetch_state=FetchState.FAILED,
            fetch_error=error,
            fetched_at=timezone.now(),
            fetch_lease_until=None,
            fetch_next_at=None,
        )
        if changed != 1:
            return FetchStep(evidence.fetch_state, note="changed while giving up")
        event_record(
            claim_id=evidence.claim_id,
            actor=None,
            action="evidence.fetch_failed",
            details={
                "evidence": evidence.pk,
                "outcome": "crashed",
                "deliveries": evidence.fetch_deliveries,
                "error": error,
            },
        )
    return FetchStep(FetchState.FAILED, note="crashed too often")


@dataclass(frozen=True)
class _Decision:
    state: str
    error: str = ""
    retry_in: float | None = None


def _decide(attempt: int, result: FetchResult) -> _Decision:
    """What this attempt's result means for the link. `attempt` counts from 1."""
    if result.ok:
        return _Decision(FetchState.FETCHED)
    if result.outcome == Outcome.BLOCKED:
        return _Decision(FetchState.BLOCKED, result.error)
    retryable = result.outcome in (Outcome.TIMEOUT, Outcome.CONNECTION) or (
        result.outcome == Outcome.HTTP_ERROR and result.status in settings.FETCH_RETRY_STATUSES
    )
    if not retryable:
        return _Decision(FetchState.FAILED, result.error)
    wait = result.retry_after
    if wait is not None and wait > settings.FETCH_RETRY_AFTER_MAX_SECONDS:
        return _Decision(
            FetchState.FAILED,
            f"{result.error} The site asked the app to wait {_duration(wait)}; "
            "re-fetch the link later.",
        )
    if attempt >= settings.FETCH_MAX_ATTEMPTS:
        return _Decision(FetchState.FAILED, f"{result.error} Gave up after {attempt} attempts.")
    delay = retry_delay(attempt, wait)
    return _Decision(
        FetchState.PENDING,
        f"{result.error} Trying again in {_duration(delay)} "
        f"(attempt {attempt} of {settings.FETCH_MAX_ATTEMPTS}).",
        retry_in=delay,
    )


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt` + 1: exponential backoff with "equal jitter" (half
    fixed, half random) under a cap, and never sooner than the site's Retry-After."""
    base = settings.FETCH_RETRY_BASE_SECONDS
    backoff = min(settings.FETCH_RETRY_MAX_SECONDS, base * 2 ** (attempt - 1))
    delay = backoff / 2 + random.uniform(0, backoff / 2)  # noqa: S311
    if retry_after is not None:
        delay = max(delay, retry_after + random.uniform(0, 1))  # noqa: S311
    return round(delay, 3)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _record(
    evidence: Evidence, claim: int, result: FetchResult, extracted: Extracted | None
) -> FetchStep:
    """Freeze the result in a snapshot and move the link on, if this run still holds it."""
    attempt = evidence.fetch_attempts + 1
    decision = _decide(attempt, result)
    # Files first (outside the transaction), rows with the snapshot.
    body_blob = Blob.write(result.body, result.media_type) if result.ok else None
    text_blob = (
        Blob.write(extracted.text.encode("utf-8"), "text/plain; charset=utf-8")
        if extracted is not None and extracted.text
        else None
    )
    now = timezone.now()
    with transaction.atomic():
        # Blob rows are content-addressed: the row already there for the same bytes stays.
        _BLOB_ROWS.insert_new([blob for blob in (body_blob, text_blob) if blob is not None])
        snapshot = Snapshot(
            evidence=evidence,
            requested_url=result.requested_url[:2048],
            final_url=result.final_url[:2048],
            redirect_chain=list(result.hops),
            http_status=result.status,
            headers=result.headers,
            content_type=result.content_type[:255],
            byte_count=result.byte_count,
            body_sha256=result.sha256,
            text_sha256=extracted.text_sha256 if extracted is not None else "",
            body_blob=body_blob,
            text_blob=text_blob,
            metadata=_metadata(extracted),
            fetched_at=now,
            duration_ms=result.duration_ms,
            outcome=result.outcome.value,
            error=result.error,
            extractor_version=EXTRACTOR_VERSION if extracted is not None else "",
        )
        _SNAPSHOT_ROWS.insert(snapshot)
        fields: dict[str, Any] = {
            "fetch_state": decision.state,
            "fetch_error": decision.error,
            "fetch_attempts": attempt,
            "fetch_deliveries": 0,
            "fetch_lease_until": None,
            "latest_snapshot": snapshot,
        }
        if decision.retry_in is not None:
            fields["fetch_next_at"] = now + timedelta(seconds=decision.retry_in)
        else:
            fields.update(fetch_next_at=None, fetched_at=now)
        if extracted is not None:
            fields.update(_page_fields(extracted))
        # Whether the link is public is read from the row this update locks: an editor
        # making it public now either went first (we read True) or waits for this commit.
        updated = _EVIDENCE_ROWS.update_returning(
            evidence.pk,
            fields,
            ("is_public",),
            fetch_state=FetchState.FETCHING,
            fetch_deliveries=claim,
        )
        if updated is None:  # the lease ran out and another run took the link over
            transaction.set_rollback(True)
            return FetchStep(FetchState.FETCHING, note="lost the lease; result discarded")
        _record_event(evidence, snapshot, decision, attempt, public=updated.is_public)
        if decision.state in TERMINAL_STATES and evidence.latest_snapshot_id is not None:
            _flag_changes(evidence, snapshot)
        if decision.state == FetchState.FETCHED and not evidence.archive_url:
            _archive_enqueue(evidence)
    return FetchStep(decision.state, retry_in=decision.retry_in)


def _metadata(extracted: Extracted | None) -> dict[str, Any]:
    if extracted is None:
        return {}
    data = dataclasses.asdict(extracted)
    for key in ("text", "text_sha256"):
        data.pop(key)
    return data


def _page_fields(extracted: Extracted) -> dict[str, Any]:
    language = extracted.language or ""
    if len(language) > 16:
        language = language.split("-")[0][:16]
    return {
        "page_title": extracted.title or "",
        "page_site_name": (extracted.site_name or "")[:200],
        "page_published_at": _aware(extracted.published),
        "page_excerpt": extracted.excerpt,
        "page_language": language,
    }


def _aware(value: str | None) -> datetime | None:
    """An ISO date or date-time from the extractor as an aware datetime (UTC if unzoned)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _record_event(
    evidence: Evidence, snapshot: Snapshot, decision: _Decision, attempt: int, *, public: bool
) -> None:
    # "public": whether the link is one of the claim's public sources, so the only kind
    # whose fetch can change the public record (claims/public_cache.py).
    details: dict[str, Any] = {"evidence": evidence.pk, "snapshot": snapshot.pk, "public": public}
    if decision.state == FetchState.FETCHED:
        action = "evidence.fetched"
        details.update(
            status=snapshot.http_status, final_url=snapshot.final_url, sha256=snapshot.body_sha256
        )
    elif decision.state == FetchState.BLOCKED:
        action = "evidence.blocked"
        details.update(reason=decision.error)
    elif decision.state == FetchState.PENDING:
        action = "evidence.fetch_retry"
        details.update(
            outcome=snapshot.outcome,
            status=snapshot.http_status,
            attempt=attempt,
            retry_in=decision.retry_in,
        )
    else:
        action = "evidence.fetch_failed"
        details.update(outcome=snapshot.outcome, status=snapshot.http_status, error=decision.error)
    event_record(claim_id=evidence.claim_id, actor=None, action=action, details=details)


# --------------------------------------------------------------------------------------------
# Monitoring: flags when a source that was fetched before is gone or has changed


def _is_gone(snapshot: Snapshot) -> bool:
    return snapshot.outcome == Snapshot.Outcome.DNS or (
        snapshot.outcome == Snapshot.Outcome.HTTP_ERROR
        and snapshot.http_status is not None
        and snapshot.http_status >= 400
    )


def _flag_changes(evidence: Evidence, snapshot: Snapshot) -> None:
    previous = (
        evidence.snapshots.ok().exclude(pk=snapshot.pk).order_by("-fetched_at", "-id").first()
    )
    if previous is None:
        return
    if _is_gone(snapshot):
        _flag(
            evidence,
            ClaimFlag.Kind.SOURCE_GONE,
            snapshot,
            previous,
            {"outcome": snapshot.outcome, "status": snapshot.http_status, "error": snapshot.error},
        )
    elif (
        snapshot.ok
        and previous.text_sha256
        and snapshot.text_sha256
        and previous.text_sha256 != snapshot.text_sha256
    ):
        change = text_change(previous.text(), snapshot.text())
        if change.change >= settings.LINK_MONITOR_CHANGE_THRESHOLD:
            _flag(
                evidence,
                ClaimFlag.Kind.TEXT_CHANGED,
                snapshot,
                previous,
                {"change": change.change, "removed": change.removed, "added": change.added},
            )


def _flag(
    evidence: Evidence,
    kind: str,
    snapshot: Snapshot,
    previous: Snapshot,
    details: dict[str, Any],
) -> None:
    """Open a flag unless one of this kind is open already for this link."""
    if ClaimFlag.objects.open().filter(evidence=evidence, kind=kind).exists():
        return
    try:
        with transaction.atomic():
            flag = ClaimFlag.objects.create(
                claim_id=evidence.claim_id,
                evidence=evidence,
                kind=kind,
                details=details,
                snapshot=snapshot,
                previous_snapshot=previous,
            )
    except IntegrityError:  # opened by a concurrent fetch of the same link
        return
    event_record(
        claim_id=evidence.claim_id,
        actor=None,
        action="evidence.flagged",
        details={
            "evidence": evidence.pk,
            "flag": flag.pk,
            "kind": kind,
            "snapshot": snapshot.pk,
            "previous_snapshot": previous.pk,
            **details,
        },
    )


def claim_flag_resolve(*, flag: ClaimFlag, by: User, note: str = "") -> ClaimFlag:
    """Close a monitoring flag (the desk has looked at the gone or changed source)."""
    _require(by, "claims.change_claimflag", "You may not resolve monitoring flags.")
    now = timezone.now()
    with transaction.atomic():
        changed = ClaimFlag.objects.filter(pk=flag.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=by
        )
        if changed != 1:
            raise GuardFailed("This flag is already resolved.", code="already_resolved")
        event_record(
            claim=flag.claim,
            actor=by,
            action="evidence.flag_resolved",
            details={
                "evidence": flag.evidence_id,
                "flag": flag.pk,
                "kind": flag.kind,
                "note": note,
            },
        )
    flag.refresh_from_db()
    return flag


def evidence_monitor(*, now: datetime | None = None) -> int:
    """Queue a fresh fetch of the links of published claims whose last fetch is older than
    LINK_MONITOR_INTERVAL_HOURS. Returns how many were queued."""
    now = now or timezone.now()
    due = (
        Evidence.objects.due_for_monitoring(
            now=now, interval_hours=settings.LINK_MONITOR_INTERVAL_HOURS
        )
        .order_by("fetched_at", "id")
        .only("pk", "fetch_state", "fetched_at")[: settings.LINK_MONITOR_BATCH]
    )
    queued = 0
    with evidence_fetch_batch():  # sent together when the loop ends
        for evidence in due:
            with transaction.atomic():
                changed = Evidence.objects.filter(
                    pk=evidence.pk,
                    fetch_state=evidence.fetch_state,
                    fetched_at=evidence.fetched_at,
                ).update(**evidence_pending_fields(now=now))
                if changed == 1:
                    evidence_fetch_enqueue(evidence)
                    queued += 1
    return queued


# --------------------------------------------------------------------------------------------
# The sweeper: the database is the source of truth, messages can be lost


def evidence_sweep(*, now: datetime | None = None) -> int:
    """Re-queue links whose fetch message was lost: pending well past their due time, or
    fetching past their lease. Returns how many were re-queued."""
    now = now or timezone.now()
    pending_after = settings.FETCH_SWEEP_PENDING_AFTER_SECONDS
    lost = (
        Evidence.objects.lost(now=now, pending_after=pending_after)
        .select_related("claim")
        .order_by("fetch_next_at", "id")[: settings.FETCH_SWEEP_BATCH]
    )
    requeued = 0
    with evidence_fetch_batch():  # sent together when the loop ends
        for evidence in lost:
            requeued += _sweep_one(evidence, now=now, pending_after=pending_after)
    if requeued:
        logger.info("sweeper re-queued %d evidence fetches", requeued)
    return requeued


def _sweep_one(evidence: Evidence, *, now: datetime, pending_after: float) -> int:
    """Re-queue one lost link: 1 if this run did, 0 if somebody else got there first."""
    with transaction.atomic():
        # Still lost, and unchanged since it was read: then nobody else re-queued it.
        changed = (
            Evidence.objects.lost(now=now, pending_after=pending_after)
            .filter(
                pk=evidence.pk,
                fetch_state=evidence.fetch_state,
                fetch_deliveries=evidence.fetch_deliveries,
            )
            .update(**evidence_pending_fields(now=now, reset=False))
        )
        if changed != 1:
            return 0
        event_record(
            claim=evidence.claim,
            actor=None,
            action="evidence.fetch_requeued",
            details={
                "evidence": evidence.pk,
                "previous_state": evidence.fetch_state,
                "deliveries": evidence.fetch_deliveries,
            },
        )
        evidence_fetch_enqueue(evidence)
    return 1


# --------------------------------------------------------------------------------------------
# Web archiving (Save Page Now), on its own queue


@dataclass(frozen=True)
class ArchiveStep:
    """`retry_in`: run the archive task again after that many seconds, with `job_id`."""

    retry_in: float | None = None
    job_id: str = ""
    note: str = ""


def _archive_enqueue(evidence: Evidence) -> None:
    if config_from_settings() is None:
        return
    evidence_id = evidence.pk

    def send() -> None:
        from claims.tasks import evidence_archive_task  # the tasks module imports this one

        try:
            evidence_archive_task.apply_async((evidence_id,), retry=False)
        except Exception as exc:  # archiving is best effort; the fetch is what matters
            logger.warning("evidence %s: archive not enqueued (%s)", evidence_id, exc)

    transaction.on_commit(send)


def evidence_archive(*, evidence_id: int, job_id: str = "", attempt: int = 0) -> ArchiveStep:
    """One step of archiving a fetched link: ask for a capture, or ask how it went."""
    config = config_from_settings()
    if config is None:
        return ArchiveStep(note="archiving is off")
    evidence = Evidence.objects.links().select_related("claim").filter(pk=evidence_id).first()
    if evidence is None or evidence.archive_url:
        return ArchiveStep(note="nothing to do")
    if attempt >= settings.ARCHIVE_MAX_POLLS:
        _archive_failed(evidence, "The archive did not finish the capture in time.", job_id)
        return ArchiveStep(note="gave up")
    poll = float(settings.ARCHIVE_POLL_SECONDS)
    try:
        if not job_id:
            return ArchiveStep(retry_in=poll, job_id=spn_submit(evidence.url, config))
        status = spn_status(job_id, config)
    except ArchiveError as exc:
        if not exc.transient:
            _archive_failed(evidence, exc.message, job_id)
            return ArchiveStep(note="refused")
        return ArchiveStep(retry_in=max(exc.retry_after or 0.0, poll * 2), job_id=job_id)
    if status.state == "pending":
        return ArchiveStep(retry_in=poll, job_id=job_id)
    if status.state == "error":
        _archive_failed(evidence, status.error, job_id)
        return ArchiveStep(note="capture failed")
    with transaction.atomic():
        changed = Evidence.objects.filter(pk=evidence.pk, archive_url="").update(
            archive_url=status.archive_url
        )
        if changed == 1:
            event_record(
                claim=evidence.claim,
                actor=None,
                action="evidence.archived",
                details={"evidence": evidence.pk, "archive_url": status.archive_url, "job": job_id},
            )
    return ArchiveStep(note="archived")


def _archive_failed(evidence: Evidence, error: str, job_id: str) -> None:
    event_record(
        claim=evidence.claim,
        actor=None,
        action="evidence.archive_failed",
        details={"evidence": evidence.pk, "error": error, "job": job_id},
    )

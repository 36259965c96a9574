"""Writes with side effects. Views, serializers, forms, admin actions and commands call these;
none of them writes ``status`` or enqueues a task directly."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.text import slugify
from kombu.exceptions import OperationalError

from claims.exceptions import Conflict, DomainError, GuardFailed, InvalidInput, NotPermitted
from claims.intake.normalize import normalize_text
from claims.models import (
    Assignment,
    AttributionLink,
    Claim,
    Claimant,
    Comment,
    Evidence,
    Source,
    Tag,
    User,
)
from claims.workflow import Action, TransitionInput, event_record, transition_apply

logger = logging.getLogger(__name__)

CLAIM_EDITABLE_FIELDS = (
    "statement",
    "source",
    "excerpt_start",
    "excerpt_end",
    "duplicate_of",
    "excerpt",
    "claim_date",
    "language",
    "priority",
    "due_date",
    "internal_notes",
)


def _require(user: User, perm: str, message: str) -> None:
    if not user.is_authenticated or not user.has_perm(perm):
        raise NotPermitted(message)


# --------------------------------------------------------------------------------------------
# Sources, claimants, tags


def source_get_or_create(
    *,
    by: User | None,
    url: str = "",
    outlet: str = "",
    title: str = "",
    text: str = "",
    language: str = "",
    published_at: Any = None,
) -> Source:
    url = url.strip()
    if url:
        _validate_url(url, field="source_url")
        existing = Source.objects.filter(url=url).first()
        if existing is not None:
            return existing
    return Source.objects.create(
        url=url,
        outlet=outlet.strip(),
        title=title.strip(),
        text=text,
        language=language,
        published_at=published_at,
        created_by=by,
    )


def claimant_get_or_create(*, name: str, kind: str = Claimant.Kind.PERSON) -> Claimant | None:
    name = " ".join(name.split())
    if not name:
        return None
    if kind not in Claimant.Kind.values:
        raise InvalidInput(f"Unknown claimant kind {kind!r}.", field="claimant_kind")
    claimant, _ = Claimant.objects.get_or_create(name=name, kind=kind)
    return claimant


def tags_get_or_create(*, names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = " ".join(raw.split())
        slug = slugify(name)
        if not slug:
            continue
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags


# --------------------------------------------------------------------------------------------
# Claims


def claim_create(
    *,
    by: User,
    statement: str,
    claimant_name: str = "",
    claimant_kind: str = Claimant.Kind.PERSON,
    claimant: Claimant | None = None,
    source: Source | None = None,
    excerpt: str = "",
    excerpt_start: int | None = None,
    excerpt_end: int | None = None,
    claim_date: date | None = None,
    language: str = "en",
    tags: Sequence[str] = (),
    priority: int = Claim.Priority.NORMAL,
    due_date: date | None = None,
    internal_notes: str = "",
    attribution: Sequence[tuple[str, str]] = (),
) -> Claim:
    """Log a new claim as a draft. ``attribution`` is ordered (name, relation) pairs."""
    _require(by, "claims.add_claim", "You may not log claims.")
    statement = statement.strip()
    if not statement:
        raise InvalidInput("The claim needs a statement.", field="statement")
    if priority not in Claim.Priority.values:
        raise InvalidInput("Unknown priority.", field="priority")
    if (excerpt_start is None) != (excerpt_end is None) or (
        excerpt_start is not None and excerpt_end is not None and excerpt_start > excerpt_end
    ):
        raise InvalidInput("Excerpt offsets must be a start and an end.", field="excerpt_start")
    with transaction.atomic():
        claim = Claim.objects.create(
            statement=statement,
            normalized_statement=normalize_text(statement),
            claimant=claimant or claimant_get_or_create(name=claimant_name, kind=claimant_kind),
            source=source,
            excerpt=excerpt.strip(),
            excerpt_start=excerpt_start,
            excerpt_end=excerpt_end,
            claim_date=claim_date,
            language=language or "en",
            priority=priority,
            due_date=due_date,
            internal_notes=internal_notes,
            author=by,
        )
        if tags:
            claim.tags.set(tags_get_or_create(names=tags))
        _attribution_set(claim, attribution)
        event_record(
            claim=claim,
            actor=by,
            action="claim.created",
            to_status=claim.status,
            details={"statement": statement},
        )
    return claim


def _attribution_set(claim: Claim, attribution: Sequence[tuple[str, str]]) -> None:
    claim.attribution.all().delete()
    links = [
        AttributionLink(claim=claim, position=i, name=name.strip(), relation=relation.strip())
        for i, (name, relation) in enumerate((n, r) for n, r in attribution if n and n.strip())
    ]
    AttributionLink.objects.bulk_create(links)


def claim_update(
    *,
    claim: Claim,
    by: User,
    fields: dict[str, Any],
    tags: Sequence[str] | None = None,
    attribution: Sequence[tuple[str, str]] | None = None,
    claimant: Claimant | tuple[str, str] | None = None,
) -> Claim:
    """Change a claim's editable fields (never its status) and record what changed."""
    _require(by, "claims.change_claim", "You may not edit claims.")
    if claim.status == Claim.Status.WITHDRAWN:
        raise GuardFailed("A withdrawn claim cannot be edited; restore it first.")
    unknown = set(fields) - set(CLAIM_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}.",
            field=sorted(unknown)[0],
        )
    if "statement" in fields and not str(fields["statement"]).strip():
        raise InvalidInput("The claim needs a statement.", field="statement")
    changed: list[str] = []
    with transaction.atomic():
        for name, value in fields.items():
            if getattr(claim, name) != value:
                setattr(claim, name, value)
                changed.append(name)
        if claimant is not None:
            new = (
                claimant
                if isinstance(claimant, Claimant)
                else claimant_get_or_create(name=claimant[0], kind=claimant[1])
            )
            if new != claim.claimant:
                claim.claimant = new
                changed.append("claimant")
        if changed:
            claim.updated_at = timezone.now()
            columns = [*changed, "updated_at"]
            if "statement" in changed:
                claim.statement_normalize()
                columns.append("normalized_statement")
            claim.save(update_fields=columns)
        if tags is not None:
            before = set(claim.tags.values_list("slug", flat=True))
            new_tags = tags_get_or_create(names=tags)
            if {t.slug for t in new_tags} != before:
                claim.tags.set(new_tags)
                changed.append("tags")
        if attribution is not None:
            current = [(a.name, a.relation) for a in claim.attribution.all()]
            wanted = [(n.strip(), r.strip()) for n, r in attribution if n.strip()]
            if current != wanted:
                _attribution_set(claim, wanted)
                changed.append("attribution")
        if changed:
            event_record(
                claim=claim,
                actor=by,
                action="claim.updated",
                details={"fields": sorted(changed)},
            )
    return claim


# --------------------------------------------------------------------------------------------
# Evidence

_FILE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _sniff_content_type(head: bytes) -> str | None:
    """The file's type from its first bytes; the uploader's claimed type is not trusted."""
    for signature, content_type in _FILE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A multi-byte character cut at the end of the sample is still text.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return "text/plain"
    return None


def _validate_url(url: str, *, field: str) -> None:
    if len(url) > 2048:
        raise InvalidInput("That link is too long (2,048 characters at most).", field=field)
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidInput("Enter a full http:// or https:// link.", field=field) from None


def evidence_add(
    *,
    claim: Claim,
    by: User,
    kind: str,
    stance: str = Evidence.Stance.CONTEXT,
    url: str = "",
    file: UploadedFile | None = None,
    note: str = "",
    title: str = "",
    is_public: bool = False,
) -> Evidence:
    """Attach evidence. A link starts in fetch state ``pending`` and its fetch is enqueued
    once the transaction commits. A file is checked for size and type before it is stored."""
    _require(by, "claims.add_evidence", "You may not add evidence.")
    if claim.status == Claim.Status.WITHDRAWN:
        raise GuardFailed("Evidence cannot be added to a withdrawn claim.")
    if stance not in Evidence.Stance.values:
        raise InvalidInput("Choose supports, refutes or context.", field="stance")
    evidence = Evidence(
        claim=claim,
        kind=kind,
        stance=stance,
        title=title.strip()[:500],
        is_public=is_public,
        added_by=by,
    )
    if kind == Evidence.Kind.LINK:
        url = url.strip()
        _validate_url(url, field="url")
        evidence.url = url
        evidence.fetch_state = Evidence.FetchState.PENDING
        evidence.fetch_requested_at = evidence.fetch_next_at = timezone.now()
    elif kind == Evidence.Kind.FILE:
        if file is None:
            raise InvalidInput("Choose a file to upload.", field="file")
        _check_upload(file)
        evidence.file_content_type = _sniff_content_type(_head(file)) or ""
        evidence.file_name = (file.name or "upload")[:255]
        evidence.file_size = file.size
    elif kind == Evidence.Kind.NOTE:
        note = note.strip()
        if not note:
            raise InvalidInput("Write the note.", field="note")
        evidence.note = note
    else:
        raise InvalidInput("Evidence is a link, a file or a note.", field="kind")
    with transaction.atomic():
        if kind == Evidence.Kind.FILE:
            assert file is not None
            evidence.file.save(evidence.file_name, file, save=False)
        evidence.save()
        event_record(
            claim=claim,
            actor=by,
            action="evidence.added",
            details={"evidence": evidence.pk, "kind": kind, "stance": stance},
        )
        if kind == Evidence.Kind.LINK:
            evidence_fetch_enqueue(evidence)
    return evidence


def evidence_fetch_enqueue(evidence: Evidence) -> None:
    """Send the link's fetch to a worker once the current transaction commits (inside
    `evidence_fetch_batch`, when the batch ends).

    No request fetches: the worker does. A broker that cannot be reached is logged, not
    raised: the row is pending in the database and the sweeper sends it again.
    """
    evidence_id = evidence.pk

    def send() -> None:
        held = _fetch_batch.get()
        if held is None:
            evidence_fetch_send([evidence_id])
        else:
            held.append(evidence_id)

    transaction.on_commit(send)


_fetch_batch: ContextVar[list[int] | None] = ContextVar("fetch_batch", default=None)
FETCH_SEND_BATCH = 50  # messages per round trip to the broker


@contextmanager
def evidence_fetch_batch() -> Iterator[None]:
    """Hold the fetches that commit inside the block and send them together when it ends:
    on Redis, one round trip per FETCH_SEND_BATCH links instead of one per link. For code
    that queues many links at once (the link monitor, the sweeper, an admin action on a
    selection): the sender is not held up link by link (500 sends took 2.4-2.9 s one by
    one on a busy 2-core machine, 0.2-0.5 s in batches).

    A fetch is held only once its transaction commits (a rolled-back link is never sent);
    one whose transaction commits after the block ends is sent on its own, as usual. Nested
    blocks join the outermost one. Held fetches are sent even if the block raises: their
    rows are committed.
    """
    if _fetch_batch.get() is not None:
        yield
        return
    held: list[int] = []
    token = _fetch_batch.set(held)
    try:
        yield
    finally:
        _fetch_batch.reset(token)
        if held:
            evidence_fetch_send(held)


def evidence_fetch_send(evidence_ids: Sequence[int]) -> None:
    """Publish one fetch task per link, through a kombu publish batch (kombu's Redis
    transport writes each FETCH_SEND_BATCH messages as one pipeline; other transports
    publish each message at once)."""
    from claims.tasks import evidence_fetch_task  # the tasks module imports the services
    from verify.celery import app

    try:
        if len(evidence_ids) == 1 or app.conf.task_always_eager:
            for evidence_id in evidence_ids:
                evidence_fetch_task.apply_async((evidence_id,), retry=False)
            return
        # Flushed every FETCH_SEND_BATCH messages: the first workers start on the first
        # links while the rest are still being built (a message takes ~0.5 ms to build).
        with app.producer_or_acquire() as producer, producer.batch(FETCH_SEND_BATCH):
            for evidence_id in evidence_ids:
                evidence_fetch_task.apply_async((evidence_id,), retry=False, producer=producer)
    except (OperationalError, OSError) as exc:
        shown = ", ".join(map(str, evidence_ids[:10])) + (" ..." if len(evidence_ids) > 10 else "")
        logger.warning("evidence %s: fetch not enqueued (%s); the sweeper will", shown, exc)


def evidence_pending_fields(*, now: Any, reset: bool = True) -> dict[str, Any]:
    """The fields that put a link back in the fetch queue, due now. ``reset`` starts a new
    round (attempts and crash count back to zero); without it the round continues."""
    fields: dict[str, Any] = {
        "fetch_state": Evidence.FetchState.PENDING,
        "fetch_next_at": now,
        "fetch_lease_until": None,
    }
    if reset:
        fields.update(fetch_attempts=0, fetch_deliveries=0, fetch_error="", fetch_requested_at=now)
    return fields


def evidence_refetch(*, evidence: Evidence, by: User) -> Evidence:
    """Fetch a link again now (a new snapshot; the old ones stay)."""
    _require(by, "claims.change_evidence", "You may not re-fetch evidence.")
    if evidence.kind != Evidence.Kind.LINK:
        raise GuardFailed("Only links are fetched.", code="not_a_link")
    if evidence.claim.status == Claim.Status.WITHDRAWN:
        raise GuardFailed("The evidence of a withdrawn claim is not fetched.")
    now = timezone.now()
    previous = evidence.fetch_state
    lease = evidence.fetch_lease_until
    if previous == Evidence.FetchState.FETCHING and lease is not None and lease > now:
        raise GuardFailed("This link is being fetched right now.", code="fetch_in_progress")
    with transaction.atomic():
        changed = Evidence.objects.filter(pk=evidence.pk, fetch_state=previous).update(
            **evidence_pending_fields(now=now)
        )
        if changed != 1:
            raise Conflict("The link's fetch state changed a moment ago. Reload and try again.")
        event_record(
            claim=evidence.claim,
            actor=by,
            action="evidence.refetch_requested",
            details={"evidence": evidence.pk, "previous_state": previous},
        )
        evidence_fetch_enqueue(evidence)
    evidence.refresh_from_db()
    return evidence


def evidence_update(
    *,
    evidence: Evidence,
    by: User,
    stance: str | None = None,
    title: str | None = None,
    is_public: bool | None = None,
) -> Evidence:
    """Change how evidence is described or shown; what it points at never changes."""
    _require(by, "claims.change_evidence", "You may not edit evidence.")
    changes: dict[str, Any] = {}
    if stance is not None and stance != evidence.stance:
        if stance not in Evidence.Stance.values:
            raise InvalidInput("Choose supports, refutes or context.", field="stance")
        changes["stance"] = stance
    if title is not None and title.strip()[:500] != evidence.title:
        changes["title"] = title.strip()[:500]
    if is_public is not None and is_public != evidence.is_public:
        changes["is_public"] = is_public
    if not changes:
        return evidence
    with transaction.atomic():
        for name, value in changes.items():
            setattr(evidence, name, value)
        evidence.save(update_fields=list(changes))
        event_record(
            claim=evidence.claim,
            actor=by,
            action="evidence.updated",
            details={"evidence": evidence.pk, "fields": sorted(changes)},
        )
    return evidence


def _head(file: UploadedFile) -> bytes:
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def _check_upload(file: UploadedFile) -> None:
    limit = settings.EVIDENCE_MAX_FILE_BYTES
    if file.size is None or file.size > limit:
        raise InvalidInput(
            f"That file is too large: the limit is {limit // (1024 * 1024)} MB.", field="file"
        )
    if file.size == 0:
        raise InvalidInput("That file is empty.", field="file")
    content_type = _sniff_content_type(_head(file))
    if content_type not in settings.EVIDENCE_ALLOWED_FILE_TYPES:
        raise InvalidInput(
            "That file type is not accepted: upload a PDF, an image (PNG, JPEG, GIF, WebP) "
            "or plain text.",
            field="file",
        )


# --------------------------------------------------------------------------------------------
# Assignments

_ROLE_PERMISSION: dict[str, str] = {
    Assignment.Role.REVIEWER: "claims.propose_verdict",
    Assignment.Role.APPROVER: "claims.approve_claim",
}


def assignment_create(
    *,
    claim: Claim,
    user: User,
    role: str,
    by: User,
    due_date: date | None = None,
) -> Assignment:
    _require(by, "claims.assign_claim", "You may not assign work.")
    if role not in _ROLE_PERMISSION:
        raise InvalidInput("The role is reviewer or approver.", field="role")
    if not user.is_active or not user.has_perm(_ROLE_PERMISSION[role]):
        raise InvalidInput(f"{user} cannot work as {role} on claims.", field="user")
    if claim.status in Claim.CLOSED_STATUSES:
        raise GuardFailed("Work cannot be assigned on a published or withdrawn claim.")
    if claim.assignments.filter(user=user, role=role, state=Assignment.State.OPEN).exists():
        raise GuardFailed(f"{user} already has this claim open as {role}.", code="duplicate")
    with transaction.atomic():
        assignment = Assignment.objects.create(
            claim=claim, user=user, role=role, due_date=due_date, assigned_by=by
        )
        event_record(
            claim=claim,
            actor=by,
            action="assignment.created",
            details={"assignment": assignment.pk, "user": user.username, "role": role},
        )
    return assignment


def assignment_decline(*, assignment: Assignment, by: User, reason: str) -> Assignment:
    if by.pk != assignment.user_id:
        raise NotPermitted("Only the assignee can decline an assignment.")
    reason = reason.strip()
    if not reason:
        raise GuardFailed("Say why you decline.", code="reason_required", field="reason")
    with transaction.atomic():
        changed = Assignment.objects.filter(pk=assignment.pk, state=Assignment.State.OPEN).update(
            state=Assignment.State.DECLINED, decline_reason=reason, closed_at=timezone.now()
        )
        if changed != 1:
            raise GuardFailed("This assignment is no longer open.", code="conflict")
        assignment.refresh_from_db()
        event_record(
            claim=assignment.claim,
            actor=by,
            action="assignment.declined",
            details={"assignment": assignment.pk, "reason": reason},
        )
    return assignment


# --------------------------------------------------------------------------------------------
# The reviewer queue


def _has_open_reviewer(claim: Claim) -> bool:
    return Assignment.objects.filter(
        claim=claim, role=Assignment.Role.REVIEWER, state=Assignment.State.OPEN
    ).exists()


def claim_take_next(*, by: User) -> Claim | None:
    """Give ``by`` the most urgent claim in verification that has no open reviewer, as an
    assignment. Atomic: two reviewers taking at once never get the same claim (on PostgreSQL
    the candidate row is locked with SELECT ... FOR UPDATE SKIP LOCKED)."""
    _require(by, "claims.take_claim", "You may not take claims from the queue.")
    open_reviewer = Assignment.objects.filter(
        claim=OuterRef("pk"), role=Assignment.Role.REVIEWER, state=Assignment.State.OPEN
    )
    with transaction.atomic():
        candidates = (
            Claim.objects.filter(status=Claim.Status.IN_VERIFICATION)
            .filter(~Exists(open_reviewer))
            .exclude(assignments__user=by, assignments__state=Assignment.State.DECLINED)
            .order_by("-priority", F("due_date").asc(nulls_last=True), "created_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        claim = candidates.first()
        # The lock is taken after the candidate query's snapshot: a taker who held it and
        # committed just before is invisible to that query. Ask again in a new statement,
        # which sees every committed assignment, and move on if the claim was just taken.
        while claim is not None and _has_open_reviewer(claim):
            candidates = candidates.exclude(pk=claim.pk)
            claim = candidates.first()
        if claim is None:
            return None
        assignment = Assignment.objects.create(
            claim=claim,
            user=by,
            role=Assignment.Role.REVIEWER,
            due_date=claim.due_date,
            assigned_by=by,
        )
        event_record(
            claim=claim,
            actor=by,
            action="assignment.taken",
            details={"assignment": assignment.pk, "user": by.username, "role": "reviewer"},
        )
    return claim


# --------------------------------------------------------------------------------------------
# Comments

_MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")
COMMENT_MAX_CHARS = 10_000


def comment_add(*, claim: Claim, by: User, body: str) -> Comment:
    """Add an internal comment; @username mentions of newsroom users are recorded (and
    notified by the receivers of the ``comment.added`` event)."""
    _require(by, "claims.add_comment", "You may not comment on claims.")
    body = body.strip()
    if not body:
        raise InvalidInput("Write the comment.", field="body")
    if len(body) > COMMENT_MAX_CHARS:
        raise InvalidInput(
            f"Comments are limited to {COMMENT_MAX_CHARS:,} characters.", field="body"
        )
    names = {match.rstrip(".") for match in _MENTION.findall(body)}
    mentioned = [
        user
        for user in User.objects.filter(username__in=names, is_active=True).order_by("username")
        if user.has_perm("claims.view_claim") and user.pk != by.pk
    ]
    with transaction.atomic():
        comment = Comment.objects.create(claim=claim, author=by, body=body)
        comment.mentions.set(mentioned)
        event_record(
            claim=claim,
            actor=by,
            action="comment.added",
            details={"comment": comment.pk, "mentions": [u.username for u in mentioned]},
        )
    return comment


# --------------------------------------------------------------------------------------------
# Tags


def claim_tags_add(*, claim: Claim, by: User, names: Sequence[str]) -> Claim:
    """Add tags to a claim (bulk tagging calls this per claim)."""
    current = list(claim.tags.values_list("name", flat=True))
    return claim_update(claim=claim, by=by, fields={}, tags=[*current, *names])


# --------------------------------------------------------------------------------------------
# Bulk actions from the claims list: all or nothing


def _bulk_failed(claim: Claim, exc: DomainError) -> DomainError:
    quoted = str(claim) if len(str(claim)) <= 60 else str(claim)[:57] + "..."
    return type(exc)(f"Nothing was changed. “{quoted}”: {exc.message}", code=exc.code)


def claims_assign(
    *, claims: Sequence[Claim], user: User, by: User, role: str = Assignment.Role.REVIEWER
) -> int:
    """Assign ``user`` on every claim that does not have them already; returns how many were
    assigned. If any claim refuses, none is assigned."""
    _require(by, "claims.assign_claim", "You may not assign work.")
    count = 0
    with transaction.atomic():
        for claim in claims:
            if claim.assignments.filter(user=user, role=role, state=Assignment.State.OPEN).exists():
                continue
            try:
                assignment_create(claim=claim, user=user, role=role, by=by)
            except DomainError as exc:
                raise _bulk_failed(claim, exc) from exc
            count += 1
    return count


def claims_tag(*, claims: Sequence[Claim], names: Sequence[str], by: User) -> int:
    """Add tags to every claim; all or nothing."""
    _require(by, "claims.change_claim", "You may not edit claims.")
    with transaction.atomic():
        for claim in claims:
            try:
                claim_tags_add(claim=claim, by=by, names=names)
            except DomainError as exc:
                raise _bulk_failed(claim, exc) from exc
    return len(claims)


def claims_withdraw(*, claims: Sequence[Claim], reason: str, by: User) -> int:
    """Withdraw every claim through the workflow; all or nothing."""
    _require(by, "claims.withdraw_claim", "You may not withdraw claims.")
    with transaction.atomic():
        for claim in claims:
            try:
                transition_apply(
                    claim=claim,
                    action=Action.WITHDRAW,
                    by=by,
                    data=TransitionInput(reason=reason),
                )
            except DomainError as exc:
                raise _bulk_failed(claim, exc) from exc
    return len(claims)

"""The domain model: sources, claims, the rating scale, evidence, assignments, proposals,
publications and the append-only event log."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import uuid
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from claims.intake.normalize import normalize_text

# --------------------------------------------------------------------------------------------
# People


class User(AbstractUser):
    """A newsroom user. Roles are groups (editor, reviewer, approver, admin)."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: str) -> bool:
        if self.is_superuser:
            return True
        return self.groups.filter(name=role).exists()


# --------------------------------------------------------------------------------------------
# Where claims come from


class Source(models.Model):
    """Where a claim appeared: an article, a broadcast, a post, a speech."""

    url = models.URLField(max_length=2048, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True, help_text="Optional full text of the source.")
    language = models.CharField(max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("url",), condition=~Q(url=""), name="source_url_unique_when_set"
            ),
        )

    def __str__(self) -> str:
        return self.title or self.url or self.outlet or f"Source {self.pk}"


class Claimant(models.Model):
    """Who made a claim: a person, an organisation or a media outlet."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"
        MEDIA = "media", "Media outlet"

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PERSON)
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("name", "id")
        constraints = (
            models.UniqueConstraint(fields=("name", "kind"), name="claimant_name_kind_unique"),
        )

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class IntakeJob(models.Model):
    """One "new from article" run: pasted text (ready at once) or a URL fetched in the
    background through the fetch guard. ``candidates`` holds what
    ``claims.intake.scoring.extract_candidates`` found in ``text``, best first; their
    offsets point into ``text``, which is also the text of ``source`` when the job made it.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to fetch"
        FETCHING = "fetching", "Fetching"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    SETTLED_STATES: ClassVar[tuple[str, ...]] = (State.READY, State.FAILED)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_jobs"
    )
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="intake_jobs"
    )
    url = models.URLField(max_length=2048, blank=True)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True, help_text="The text the candidates were found in.")
    language = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True, help_text="Why the job failed, for the editor.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    progress_message = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    candidates = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("state", "updated_at"), name="intakejob_state_updated"),)
        constraints = (
            models.CheckConstraint(
                condition=Q(state__in=["pending", "fetching", "ready", "failed"]),
                name="intakejob_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(error=""), name="intakejob_failed_has_error"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="intakejob_progress_pct"),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(text=""), name="intakejob_has_url_or_text"
            ),
        )

    def __str__(self) -> str:
        what = self.title or self.url or (self.text[:60] + ("..." if len(self.text) > 60 else ""))
        return f"Intake {what} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("intake:job", args=[self.code])

    @property
    def is_settled(self) -> bool:
        return self.state in self.SETTLED_STATES


# --------------------------------------------------------------------------------------------
# The rating scale


class RatingLabel(models.Model):
    """One verdict on the admin-editable rating scale.

    ``value`` is the ordinal ClaimReview ``ratingValue``; labels outside the true-false axis
    (normalized OTHER, such as Unproven) may leave it empty. A label in use cannot be deleted:
    claims and proposals point at it with PROTECT.
    """

    class Normalized(models.TextChoices):
        TRUE = "TRUE", "True"
        FALSE = "FALSE", "False"
        MIXTURE = "MIXTURE", "Mixture"
        OTHER = "OTHER", "Other"

    label = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    colour = models.CharField(
        max_length=7, default="#6b7280", help_text="Hex colour such as #15803d."
    )
    value = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Ordinal value: ClaimReview ratingValue."
    )
    normalized = models.CharField(max_length=8, choices=Normalized.choices)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the scale.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("position", "id")
        constraints = (
            models.CheckConstraint(
                condition=Q(normalized="OTHER") | Q(value__isnull=False),
                name="rating_value_required_unless_other",
            ),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="rating_colour_hex"
            ),
        )

    def __str__(self) -> str:
        return self.label

    @classmethod
    def scale_bounds(cls) -> tuple[int, int]:
        """(worst, best) ratingValue over the scale's valued labels."""
        agg = cls.objects.filter(value__isnull=False).aggregate(
            worst=models.Min("value"), best=models.Max("value")
        )
        return int(agg["worst"] or 1), int(agg["best"] or 5)


# --------------------------------------------------------------------------------------------
# Claims


class _AnyOf(models.Lookup):
    """``id = ANY(ARRAY(subquery))`` (PostgreSQL): the planner collects the subquery once
    and fetches its rows through the primary key."""

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


class ClaimQuerySet(models.QuerySet["Claim"]):
    def published(self) -> ClaimQuerySet:
        return self.filter(status=Claim.Status.PUBLISHED)

    def publicly_visible(self) -> ClaimQuerySet:
        """Claims with a public version: published, or reopened for a correction."""
        return self.filter(current_publication__isnull=False).exclude(status=Claim.Status.WITHDRAWN)

    def overdue(self, *, today: date | None = None) -> ClaimQuerySet:
        today = today or timezone.localdate()
        return self.filter(due_date__lt=today).exclude(status__in=Claim.CLOSED_STATUSES)

    def awaiting(self, reviewer: Any) -> ClaimQuerySet:
        """Claims with an open reviewer assignment for this user."""
        return self.filter(
            assignments__user=reviewer,
            assignments__role=Assignment.Role.REVIEWER,
            assignments__state=Assignment.State.OPEN,
        ).distinct()

    def with_list_relations(self) -> ClaimQuerySet:
        return self.select_related("claimant", "verdict", "author", "source").prefetch_related(
            "tags"
        )

    def search(self, text: str) -> ClaimQuerySet:
        """Claims of this queryset whose statement or claimant name matches ``text``:
        PostgreSQL full-text search (through the GIN indexes of migration 0005), else each
        word with icontains. Call it after the other filters and before ordering."""
        text = text.strip()
        if not text:
            return self
        if connections[self.db].vendor != "postgresql":
            # Every word must appear in the statement or the claimant's name.
            claims = self
            for word in text.split()[:10]:
                claims = claims.filter(
                    Q(statement__icontains=word) | Q(claimant__name__icontains=word)
                )
            return claims
        query = SearchQuery(text, config="english", search_type="websearch")
        # Two index-friendly halves joined by UNION, each narrowed by the filters already on
        # this queryset: statements through the GIN index (the expression below is exactly
        # the indexed one) and claims of matching claimants through the claimant_id index.
        # An OR of the two would force a sequential scan. Apply other filters first.
        claimants = (
            Claimant.objects.order_by()
            .alias(document=SearchVector("name", config="english"))
            .filter(document=query)
            .values("pk")
        )
        by_statement = (
            self.order_by()
            .alias(document=SearchVector("statement", config="english"))
            .filter(document=query)
            .values("pk")
        )
        by_claimant = self.order_by().filter(claimant__in=claimants).values("pk")
        # id = ANY(ARRAY(...)): the matches are collected once, then fetched through the
        # primary key (an IN (subquery) would hash-join them against the whole table).
        return Claim.objects.filter(id__any_of=ArraySubquery(by_statement.union(by_claimant)))


class Claim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_VERIFICATION = "in_verification", "In verification"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Priority(models.IntegerChoices):
        LOW = 0, "Low"
        NORMAL = 1, "Normal"
        HIGH = 2, "High"
        URGENT = 3, "Urgent"

    CLOSED_STATUSES: ClassVar[tuple[str, ...]] = (Status.PUBLISHED, Status.WITHDRAWN)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    statement = models.TextField(help_text="The checkable statement, as the claimant made it.")
    # The duplicate-matching key (claims.intake.normalize.normalize_text of the statement),
    # kept in step by claim_create and claim_update. On PostgreSQL it has a pg_trgm GIN index
    # (migration 0006_intake).
    normalized_statement = models.TextField(blank=True, default="", editable=False)
    claimant = models.ForeignKey(
        Claimant, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    # Appearance: where the claim was seen and the quoted excerpt (with character offsets
    # into the source text when the claim came from intake).
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    excerpt = models.TextField(blank=True)
    excerpt_start = models.PositiveIntegerField(null=True, blank=True)
    excerpt_end = models.PositiveIntegerField(null=True, blank=True)
    claim_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=16, default="en")
    tags = models.ManyToManyField(Tag, blank=True, related_name="claims")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    verdict = models.ForeignKey(
        RatingLabel, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    verdict_explanation = models.TextField(blank=True, help_text="Public explanation.")
    internal_notes = models.TextField(blank=True, help_text="Never shown to the public.")
    withdrawn_reason = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    current_publication = models.ForeignKey(
        "Publication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version the public sees; kept while the claim is being corrected.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_claims"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        permissions = (
            ("submit_claim", "Can submit a claim for verification"),
            ("propose_verdict", "Can propose a verdict"),
            ("approve_claim", "Can approve (publish) or send back a claim"),
            ("withdraw_claim", "Can withdraw or restore a claim"),
            ("reopen_claim", "Can reopen a published claim for correction"),
            ("assign_claim", "Can assign reviewers and approvers"),
            ("take_claim", "Can take the next claim from the queue"),
        )
        indexes = (
            models.Index(fields=("status", "-created_at"), name="claim_status_created"),
            models.Index(fields=("due_date",), name="claim_due_date"),
            # The claims list's default order: page N is an index range, not a sort.
            models.Index(fields=("-created_at", "-id"), name="claim_created"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "in_verification",
                        "awaiting_approval",
                        "published",
                        "withdrawn",
                    ]
                ),
                name="claim_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(verdict__isnull=False),
                name="claim_published_has_verdict",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(current_publication__isnull=False),
                name="claim_published_has_publication",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawn_reason=""),
                name="claim_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(excerpt_start__isnull=True)
                | Q(excerpt_end__isnull=True)
                | Q(excerpt_start__lte=models.F("excerpt_end")),
                name="claim_excerpt_offsets_ordered",
            ),
        )

    def __str__(self) -> str:
        text = self.statement if len(self.statement) <= 80 else self.statement[:77] + "..."
        return text

    def get_absolute_url(self) -> str:
        return reverse("admin:claims_claim_change", args=[self.pk])

    def statement_normalize(self) -> str:
        """Set and return the duplicate-matching key of the current statement."""
        self.normalized_statement = normalize_text(self.statement)
        return self.normalized_statement

    def is_overdue(self, *, today: date | None = None) -> bool:
        if self.due_date is None or self.status in self.CLOSED_STATUSES:
            return False
        return self.due_date < (today or timezone.localdate())

    def latest_proposal(self) -> VerdictProposal | None:
        return self.proposals.filter(state=VerdictProposal.State.PENDING).order_by("-id").first()


Claim._meta.get_field("id").register_lookup(_AnyOf)


class AttributionLink(models.Model):
    """One link of a claim's attribution chain, ordered from who the desk heard it from
    back to the original source: "Iran International reported it" (0), "sourcing Iran's
    state-run Al-Alam" (1)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="attribution")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    relation = models.CharField(
        max_length=80, blank=True, help_text='How this link passed it on: "reported", "sourcing".'
    )

    class Meta:
        ordering = ("claim", "position")
        constraints = (
            models.UniqueConstraint(
                fields=("claim", "position"), name="attribution_position_unique"
            ),
        )

    def __str__(self) -> str:
        return f"{self.relation} {self.name}".strip()


# --------------------------------------------------------------------------------------------
# Evidence


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The stored name never comes from the user: a random name with the checked extension.
    suffix = settings.EVIDENCE_ALLOWED_FILE_TYPES.get(instance.file_content_type, ".bin")
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def links(self) -> EvidenceQuerySet:
        return self.filter(kind=Evidence.Kind.LINK)

    def lost(self, *, now: datetime, pending_after: float) -> EvidenceQuerySet:
        """Links whose fetch message may be gone: pending well past their due time, or
        fetching past their lease (the worker died)."""
        F = Evidence.FetchState
        overdue = now - timedelta(seconds=pending_after)
        return self.links().filter(
            Q(fetch_state=F.PENDING, fetch_next_at__lt=overdue)
            | Q(fetch_state=F.PENDING, fetch_next_at__isnull=True)
            | Q(fetch_state=F.FETCHING, fetch_lease_until__lt=now)
            | Q(fetch_state=F.FETCHING, fetch_lease_until__isnull=True)
        )

    def due_for_monitoring(self, *, now: datetime, interval_hours: float) -> EvidenceQuerySet:
        """Links of publicly visible claims whose last fetch ended long enough ago.
        Blocked links are never fetched again on their own."""
        F = Evidence.FetchState
        return (
            self.links()
            .filter(
                claim__current_publication__isnull=False,
                fetch_state__in=(F.FETCHED, F.FAILED),
                fetched_at__lt=now - timedelta(hours=interval_hours),
            )
            .exclude(claim__status=Claim.Status.WITHDRAWN)
        )


class Evidence(models.Model):
    class Kind(models.TextChoices):
        LINK = "link", "Link"
        FILE = "file", "File"
        NOTE = "note", "Note"

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        REFUTES = "refutes", "Refutes"
        CONTEXT = "context", "Context"

    class FetchState(models.TextChoices):
        PENDING = "pending", "Pending"
        FETCHING = "fetching", "Fetching"
        FETCHED = "fetched", "Fetched"
        FAILED = "failed", "Failed"
        BLOCKED = "blocked", "Blocked"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.CONTEXT)
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2048, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=300)
    file_name = models.CharField(max_length=255, blank=True, help_text="Name as uploaded.")
    file_size = models.PositiveIntegerField(null=True, blank=True)
    file_content_type = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Filled by the fetch pipeline (links only).
    fetch_state = models.CharField(
        max_length=10, choices=FetchState.choices, blank=True, default=""
    )
    fetch_error = models.TextField(blank=True)
    fetch_attempts = models.PositiveIntegerField(default=0)
    fetch_requested_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    # What the latest successful fetch found (untrusted text: always escaped when shown).
    page_title = models.CharField(max_length=500, blank=True)
    page_site_name = models.CharField(max_length=200, blank=True)
    page_published_at = models.DateTimeField(null=True, blank=True)
    page_excerpt = models.TextField(blank=True)
    page_language = models.CharField(max_length=16, blank=True)
    archive_url = models.URLField(max_length=2048, blank=True)
    # Bookkeeping of the fetch pipeline. fetch_attempts counts fetches made since the link
    # was added or last re-fetched; fetch_deliveries counts fetches that started and never
    # finished (a crashed or killed worker), reset whenever one finishes.
    fetch_deliveries = models.PositiveIntegerField(default=0)
    fetch_next_at = models.DateTimeField(
        null=True, blank=True, help_text="When the pending fetch is due (after a retry delay)."
    )
    fetch_lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A fetch still running after this was abandoned."
    )
    latest_snapshot = models.ForeignKey(
        "Snapshot", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        verbose_name_plural = "evidence"
        constraints = (
            models.CheckConstraint(
                condition=~Q(kind="link") | (~Q(url="") & ~Q(fetch_state="")),
                name="evidence_link_has_url_and_state",
            ),
            models.CheckConstraint(
                condition=Q(kind="link") | Q(fetch_state=""),
                name="evidence_only_links_fetch",
            ),
            models.CheckConstraint(
                condition=~Q(kind="file") | ~Q(file=""), name="evidence_file_has_file"
            ),
            models.CheckConstraint(
                condition=~Q(kind="note") | ~Q(note=""), name="evidence_note_has_text"
            ),
        )
        indexes = (models.Index(fields=("fetch_state",), name="evidence_fetch_state"),)

    def __str__(self) -> str:
        return self.title or self.url or self.file_name or self.note[:60]


# --------------------------------------------------------------------------------------------
# What the fetcher saw: content-addressed blobs, immutable snapshots, monitoring flags


class ImmutableError(Exception):
    """Raised on any attempt to change or delete a snapshot or a stored blob."""


class _ImmutableQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError(f"{self.model.__name__} rows never change.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError(f"{self.model.__name__} rows are never deleted.")


class _ImmutableModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError(f"{type(self).__name__} rows never change.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError(f"{type(self).__name__} rows are never deleted.")


def blob_path(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _store_once(name: str, data: bytes) -> None:
    """Put the bytes in the default storage under ``name`` unless a file is there already
    (a blob's name is its SHA-256, so that file holds the same bytes).

    On the local file system (the default) the file is written whole under a name of its
    own, then linked into place: no reader ever opens it half-written. With Django's save,
    a second worker storing the same new bytes could see the file exist while the first
    was still writing it, and commit a snapshot pointing at a partial file. It is also
    half the system calls (six against about twelve: Django's save, made for uploads,
    checks the name twice and locks the file), though the file system's own work is most
    of the cost (about 0.15 ms of kernel time per new file either way). Other storages,
    and folders given permissions of their own (FILE_UPLOAD_DIRECTORY_PERMISSIONS), go
    through Django's save."""
    storage = default_storage
    if not isinstance(storage, FileSystemStorage) or storage.directory_permissions_mode is not None:
        if not storage.exists(name):
            saved = storage.save(name, ContentFile(data))
            if saved != name:  # another worker stored the same bytes a moment ago
                storage.delete(saved)
        return
    final = storage.path(name)
    if os.path.exists(final):
        return
    # One file being written per thread at a time: the process and thread make it unique.
    partial = f"{final}.{os.getpid()}-{threading.get_ident()}.partial"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(partial, flags, 0o666)
    except FileNotFoundError:  # the first blob in this folder
        os.makedirs(os.path.dirname(final), exist_ok=True)
        descriptor = os.open(partial, flags, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            if storage.file_permissions_mode is not None:
                os.fchmod(descriptor, storage.file_permissions_mode)
        finally:
            os.close(descriptor)
        os.link(partial, final)
    except FileExistsError:
        pass  # linked by another worker in the meantime: the same bytes
    finally:
        os.unlink(partial)


class Blob(_ImmutableModel):
    """Bytes stored once under their SHA-256 (default storage, blobs/ab/cd/<sha256>)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=255, blank=True)
    file = models.FileField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    objects = _ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "sha256")
        constraints = (
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="blob_sha256_hex"
            ),
        )

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size:,} bytes, {self.content_type or 'unknown type'})"

    @classmethod
    def write(cls, data: bytes, content_type: str = "") -> Blob:
        """The file for these bytes, written unless it exists, and its row, not saved yet:
        save rows with ``Blob.objects.bulk_create(blobs, ignore_conflicts=True)``, which
        keeps the row already there for the same bytes.

        The file is written before the row, so a row always has its file; two workers
        writing the same new bytes at once end up with the one file.
        """
        sha256 = hashlib.sha256(data).hexdigest()
        path = blob_path(sha256)
        _store_once(path, data)
        return cls(sha256=sha256, size=len(data), content_type=content_type[:255], file=path)

    @classmethod
    def store(cls, data: bytes, content_type: str = "") -> Blob:
        """The blob holding exactly these bytes, stored now if no blob holds them yet."""
        blob = cls.write(data, content_type)
        cls.objects.bulk_create([blob], ignore_conflicts=True)
        return cls.objects.get(pk=blob.pk)  # the stored row (its first content type)

    def read(self) -> bytes:
        with default_storage.open(self.file.name, "rb") as handle:
            data: bytes = handle.read()
        return data


class SnapshotQuerySet(_ImmutableQuerySet):
    def ok(self) -> SnapshotQuerySet:
        return self.filter(outcome=Snapshot.Outcome.OK)

    def latest_ok_for(self, evidence: Any) -> SnapshotQuerySet:
        """The newest successful snapshot of each of these evidence items (links without
        one contribute nothing)."""
        newest = (
            Snapshot.objects.filter(evidence=models.OuterRef("evidence"), outcome="ok")
            .order_by("-fetched_at", "-id")
            .values("pk")[:1]
        )
        return self.ok().filter(evidence__in=evidence, pk=models.Subquery(newest))


class Snapshot(_ImmutableModel):
    """One fetch of an evidence link, frozen: what came back, from where, and what the
    extractor made of it. Written once by the fetch pipeline, never changed."""

    class Outcome(models.TextChoices):
        # The values of claims.fetching.guard.Outcome.
        OK = "ok", "OK"
        BLOCKED = "blocked", "Blocked by the fetch guard"
        DNS = "dns", "Name did not resolve"
        TIMEOUT = "timeout", "Timed out"
        TOO_LARGE = "too_large", "Too large"
        WRONG_TYPE = "wrong_type", "Wrong content type"
        HTTP_ERROR = "http_error", "HTTP error"
        TLS = "tls", "TLS error"
        TOO_MANY_REDIRECTS = "too_many_redirects", "Too many redirects"
        CONNECTION = "connection", "Connection failed"

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="snapshots")
    requested_url = models.URLField(max_length=2048)
    final_url = models.URLField(max_length=2048)
    redirect_chain = models.JSONField(
        default=list, blank=True, help_text="Every hop: url, HTTP status, IP address."
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    content_type = models.CharField(max_length=255, blank=True)
    byte_count = models.PositiveBigIntegerField(default=0)
    body_sha256 = models.CharField(max_length=64, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    body_blob = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text_blob = models.ForeignKey(
        Blob,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The extracted main text (UTF-8).",
    )
    metadata = models.JSONField(
        default=dict, blank=True, help_text="Title, site, authors, dates, language, excerpt."
    )
    fetched_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    error = models.TextField(blank=True)
    extractor_version = models.CharField(max_length=16, blank=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ("-fetched_at", "-id")
        indexes = (
            models.Index(fields=("evidence", "-fetched_at"), name="snapshot_evidence_fetched"),
        )
        constraints = (
            models.CheckConstraint(
                condition=~Q(outcome="ok") | ~Q(body_sha256=""), name="snapshot_ok_has_hash"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.final_url} at {self.fetched_at:%Y-%m-%d %H:%M}"

    @property
    def ok(self) -> bool:
        return self.outcome == self.Outcome.OK

    def text(self) -> str:
        return self.text_blob.read().decode("utf-8") if self.text_blob is not None else ""


class ClaimFlagQuerySet(models.QuerySet["ClaimFlag"]):
    def open(self) -> ClaimFlagQuerySet:
        return self.filter(resolved_at__isnull=True)


class ClaimFlag(models.Model):
    """Link monitoring found a cited source gone or changed. Open until someone resolves it;
    one open flag per evidence item and kind."""

    class Kind(models.TextChoices):
        SOURCE_GONE = "source_gone", "Source gone"
        TEXT_CHANGED = "text_changed", "Text changed"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="flags")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    details = models.JSONField(default=dict, blank=True)
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, related_name="+", help_text="The fetch that found it."
    )
    previous_snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The last good fetch it was compared with.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ClaimFlagQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("evidence", "kind"),
                condition=Q(resolved_at__isnull=True),
                name="claimflag_one_open_per_evidence_kind",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_by__isnull=False),
                name="claimflag_resolved_has_who",
            ),
        )

    def __str__(self) -> str:
        state = "resolved" if self.resolved_at else "open"
        return f"{self.get_kind_display()} on claim {self.claim_id} ({state})"


# --------------------------------------------------------------------------------------------
# Work: assignments and verdict proposals


class Assignment(models.Model):
    class Role(models.TextChoices):
        REVIEWER = "reviewer", "Reviewer"
        APPROVER = "approver", "Approver"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DECLINED = "declined", "Declined"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    due_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decline_reason = models.TextField(blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("claim", "user", "role"),
                condition=Q(state="open"),
                name="assignment_one_open_per_user_role",
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""),
                name="assignment_declined_has_reason",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.user} on {self.claim_id} ({self.state})"


class VerdictProposal(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SENT_BACK = "sent_back", "Sent back"
        WITHDRAWN = "withdrawn", "Withdrawn"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="proposals")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    rating = models.ForeignKey(RatingLabel, on_delete=models.PROTECT, related_name="proposals")
    reasoning = models.TextField(help_text="The proposed public explanation and its reasoning.")
    evidence = models.ManyToManyField(Evidence, related_name="proposals")
    snapshots = models.ManyToManyField(
        Snapshot,
        blank=True,
        related_name="proposals",
        help_text="What the reviewer saw: the latest good snapshot of each cited link.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("claim",),
                condition=Q(state="pending"),
                name="proposal_one_pending_per_claim",
            ),
        )

    def __str__(self) -> str:
        return f"{self.rating} by {self.reviewer} ({self.state})"


class PublicationQuerySet(models.QuerySet["Publication"]):
    def current_public(self) -> PublicationQuerySet:
        """The version the public sees of each publicly visible claim: its current
        publication, also while it is reopened for a correction; never a withdrawn one."""
        return self.filter(claim__current_publication=models.F("pk")).exclude(
            claim__status=Claim.Status.WITHDRAWN
        )


class Publication(models.Model):
    """An immutable public version of a claim's verdict. The first is the publication;
    each later one is a public correction.

    Everything the public API shows about a claim is copied here at approval, so edits to
    the claim's working fields during a correction stay private until re-publication."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveIntegerField()
    statement = models.TextField()
    claimant_name = models.CharField(max_length=300, blank=True)
    verdict = models.ForeignKey(RatingLabel, on_delete=models.PROTECT, related_name="+")
    explanation = models.TextField()
    correction_note = models.TextField(blank=True)
    proposal = models.ForeignKey(
        VerdictProposal, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    # The public snapshot of the claim's appearance, copied from the claim at approval.
    first_published_at = models.DateTimeField(
        default=timezone.now, help_text="When the claim's first version went public."
    )
    claim_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=16, default="en")
    claimant_kind = models.CharField(max_length=16, blank=True)
    appearances = models.JSONField(
        default=list,
        blank=True,
        help_text="Where the claim appeared, first appearance first: "
        "[{url, title, outlet, published_at}].",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="+")

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ("claim", "number")
        constraints = (
            models.UniqueConstraint(fields=("claim", "number"), name="publication_number_unique"),
        )
        indexes = (
            models.Index(
                fields=("-first_published_at", "-claim"), name="publication_first_published"
            ),
        )

    def __str__(self) -> str:
        return f"Publication {self.number} of claim {self.claim_id}: {self.verdict}"

    @property
    def is_correction(self) -> bool:
        return self.number > 1

    @staticmethod
    def snapshot_of(claim: Claim) -> dict[str, Any]:
        """The claim's public fields as they are now (tags are set separately)."""
        first = claim.publications.filter(number=1).values_list("published_at", flat=True).first()
        now = timezone.now()
        appearances = []
        source = claim.source
        if source is not None and (source.url or source.title or source.outlet):
            appearances.append(
                {
                    "url": source.url,
                    "title": source.title,
                    "outlet": source.outlet,
                    "published_at": source.published_at.isoformat()
                    if source.published_at
                    else None,
                }
            )
        return {
            "statement": claim.statement,
            "claimant_name": claim.claimant.name if claim.claimant else "",
            "claimant_kind": claim.claimant.kind if claim.claimant else "",
            "claim_date": claim.claim_date,
            "language": claim.language,
            "appearances": appearances,
            "published_at": now,
            "first_published_at": first or now,
        }


# --------------------------------------------------------------------------------------------
# Discussion and notifications


class Comment(models.Model):
    """An internal comment on a claim. Never public."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"Comment by {self.author} on claim {self.claim_id}"


# --------------------------------------------------------------------------------------------
# The audit log


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Events are append-only.")


class Event(models.Model):
    """Append-only audit row. ``actor`` is empty when the system acted."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events", null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        indexes = (
            models.Index(fields=("claim", "created_at"), name="event_claim_created"),
            models.Index(fields=("action",), name="event_action"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(action__regex=r"^[a-z_]+(\.[a-z_]+)+$"), name="event_action_dotted"
            ),
        )

    def __str__(self) -> str:
        who = self.actor or "system"
        return f"{self.action} by {who} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Events are append-only.")


# --------------------------------------------------------------------------------------------
# Webhooks: outside systems told when the public record changes


def webhook_secret_new() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscriber(models.Model):
    """An outside system that receives signed POSTs when a check is published, corrected or
    withdrawn. Registered in the back office."""

    EVENTS: ClassVar[tuple[str, ...]] = ("claim.published", "claim.corrected", "claim.withdrawn")

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2048, help_text="Where the signed POSTs go.")
    secret = models.CharField(
        max_length=200,
        default=webhook_secret_new,
        help_text="Shared secret: X-Verify-Signature is the HMAC-SHA256 of "
        "'<timestamp>.<body>' with it.",
    )
    events = models.JSONField(default=list, help_text="Event names this subscriber receives.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    def wants(self, action: str) -> bool:
        return self.active and action in self.events


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one subscriber: the delivery log."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscriber = models.ForeignKey(
        WebhookSubscriber, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(help_text="The body sent on every attempt.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "webhook deliveries"
        constraints = (
            models.UniqueConstraint(
                fields=("subscriber", "event"), name="webhook_delivery_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(last_error=""),
                name="webhook_delivery_failed_has_error",
            ),
        )
        indexes = (models.Index(fields=("state", "created_at"), name="webhook_delivery_state"),)

    def __str__(self) -> str:
        return f"{self.event.action} to {self.subscriber} ({self.state})"


# --------------------------------------------------------------------------------------------
# Notifications


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing a newsroom user should know about, fanned out from an audit event."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        MENTIONED = "mentioned", "Mentioned"
        SENT_BACK = "sent_back", "Sent back"
        PUBLISHED = "published", "Published"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    message = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("recipient", "read_at"), name="notification_unread"),)
        constraints = (
            models.UniqueConstraint(
                fields=("recipient", "event"), name="notification_once_per_event"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}: {self.message}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

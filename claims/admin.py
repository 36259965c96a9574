"""The back office. Writes go through the services and the workflow; status is never edited
here, and the event log is read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from claims import services
from claims.duplicate_services import claim_duplicates_find
from claims.exceptions import DomainError
from claims.fetching.guard import GuardError, check_url, policy_from_settings
from claims.models import (
    Assignment,
    AttributionLink,
    Claim,
    Claimant,
    ClaimFlag,
    Comment,
    Event,
    Evidence,
    Publication,
    RatingLabel,
    Snapshot,
    Source,
    Tag,
    User,
    VerdictProposal,
    WebhookDelivery,
    WebhookSubscriber,
)
from claims.workflow import TRANSITIONS, Action, TransitionInput, transition_apply

admin.site.site_header = "Verify: fact-check back office"
admin.site.site_title = "Verify back office"
admin.site.index_title = "Back office"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")


class ReadOnlyAdminMixin:
    """Rows written only by services: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --------------------------------------------------------------------------------------------
# Claims


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        users = User.objects.filter(assignments__state=Assignment.State.OPEN).distinct()
        return [(str(u.pk), str(u)) for u in users.order_by("username")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(
                assignments__user_id=self.value(), assignments__state=Assignment.State.OPEN
            ).distinct()
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overdue")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.overdue()  # type: ignore[attr-defined]
        return queryset


class AttributionInline(admin.TabularInline):
    model = AttributionLink
    extra = 0
    fields = ("position", "relation", "name")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    """New evidence is added through ``evidence_add`` (which enqueues link fetches)."""

    model = Evidence
    extra = 1
    fields = ("kind", "stance", "url", "file", "note", "title", "is_public", "fetch_status")
    readonly_fields = ("fetch_status",)
    show_change_link = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields

    @admin.display(description="Fetch state")
    def fetch_status(self, obj: Evidence) -> str:
        if obj.pk is None or obj.kind != Evidence.Kind.LINK:
            return "-"
        text = obj.get_fetch_state_display()
        if obj.fetch_error:
            text += f": {obj.fetch_error}"
        return text


class OpenFlagsFilter(admin.SimpleListFilter):
    title = "monitoring flags"
    parameter_name = "flags"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open flags")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "open":
            return queryset.filter(pk__in=ClaimFlag.objects.open().values("claim"))
        return queryset


class _ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class ClaimFlagInline(_ReadOnlyInline):
    """Link monitoring's findings: a cited source gone or changed."""

    model = ClaimFlag
    fk_name = "claim"
    fields = ("created_at", "kind", "evidence", "details", "resolved_at", "resolved_by")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    verbose_name_plural = "monitoring flags"


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "claim"
    extra = 1
    fields = ("user", "role", "due_date", "state", "decline_reason", "assigned_by")
    readonly_fields = ("state", "decline_reason", "assigned_by")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ("created_at", "actor", "action", "from_status", "to_status", "details")
    readonly_fields = fields
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReasonForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 70}), required=True)


def _apply_to_selected(
    request: HttpRequest,
    queryset: QuerySet[Claim],
    action: Action,
    make_input: Callable[[], TransitionInput],
    modeladmin: admin.ModelAdmin,
) -> None:
    done, refused = 0, []
    user: User = request.user  # type: ignore[assignment]
    for claim in queryset:
        try:
            transition_apply(claim=claim, action=action, by=user, data=make_input())
            done += 1
        except DomainError as exc:
            refused.append(f"{claim}: {exc.message}")
    label = TRANSITIONS[action].label
    if done:
        modeladmin.message_user(request, f"{label}: {done} claim(s) done.", messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, f"{label} refused for {line}", messages.ERROR)


def _simple_action(action: Action) -> Callable[..., None]:
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        _apply_to_selected(request, queryset, action, TransitionInput, modeladmin)

    run.__name__ = f"action_{action.value}"
    return admin.action(description=TRANSITIONS[action].label + " (selected)")(run)


def _text_action(action: Action, field: str, prompt: str) -> Callable[..., HttpResponse | None]:
    """An action that asks for a comment or reason on an intermediate page first."""

    def run(
        modeladmin: Any, request: HttpRequest, queryset: QuerySet[Claim]
    ) -> HttpResponse | None:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            text = form.cleaned_data["text"]
            _apply_to_selected(
                request, queryset, action, lambda: TransitionInput(**{field: text}), modeladmin
            )
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": TRANSITIONS[action].label,
            "prompt": prompt,
            "claims": queryset,
            "form": form,
            "action_name": run.__name__,
            "opts": modeladmin.model._meta,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/claims/claim/action_text.html", context)

    run.__name__ = f"action_{action.value}"
    return admin.action(description=TRANSITIONS[action].label + " (selected)…")(run)


class ClaimAdminForm(ModelForm):
    class Meta:
        model = Claim
        fields = (
            "statement",
            "claimant",
            "source",
            "excerpt",
            "claim_date",
            "language",
            "tags",
            "priority",
            "due_date",
            "internal_notes",
            "duplicate_of",
        )


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    form = ClaimAdminForm
    list_display = (
        "short_statement",
        "status_badge",
        "verdict",
        "priority",
        "due_date",
        "claimant",
        "updated_at",
    )
    list_filter = (
        "status",
        "verdict",
        "priority",
        AssigneeFilter,
        OverdueFilter,
        "tags",
        "language",
        OpenFlagsFilter,
    )
    search_fields = ("statement", "claimant__name", "excerpt", "source__url", "source__title")
    list_select_related = ("verdict", "claimant")
    date_hierarchy = "created_at"
    readonly_fields = (
        "code",
        "status",
        "verdict",
        "verdict_explanation",
        "withdrawn_reason",
        "current_publication",
        "author",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("statement", "claimant", "language", "tags", "duplicate_of")}),
        ("Appearance", {"fields": ("source", "excerpt", "claim_date")}),
        ("Work", {"fields": ("priority", "due_date", "internal_notes")}),
        (
            "Workflow (changed only by actions)",
            {
                "fields": (
                    "code",
                    "status",
                    "verdict",
                    "verdict_explanation",
                    "withdrawn_reason",
                    "current_publication",
                    "author",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    inlines = (AttributionInline, EvidenceInline, ClaimFlagInline, AssignmentInline, EventInline)
    actions = (
        _simple_action(Action.SUBMIT),
        _simple_action(Action.APPROVE),
        _text_action(Action.SEND_BACK, "comment", "What should the reviewer change?"),
        _text_action(Action.REOPEN, "reason", "What needs correcting?"),
        _text_action(Action.WITHDRAW, "reason", "Why is this claim withdrawn?"),
        _simple_action(Action.RESTORE),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # claims are withdrawn, never deleted: their audit trail stays

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        if obj is None:  # a new claim has no flags, and its form needs no formset for them
            return tuple(inline for inline in self.inlines if inline is not ClaimFlagInline)
        return self.inlines

    @admin.display(description="Statement", ordering="statement")
    def short_statement(self, obj: Claim) -> str:
        return str(obj)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Claim) -> str:
        overdue = " (overdue)" if obj.is_overdue() else ""
        return format_html("{}{}", obj.get_status_display(), overdue)

    def save_model(self, request: HttpRequest, obj: Claim, form: Any, change: bool) -> None:
        user: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        try:
            if not change:
                created = services.claim_create(
                    by=user,
                    statement=data["statement"],
                    claimant=data.get("claimant"),
                    source=data.get("source"),
                    excerpt=data.get("excerpt", ""),
                    claim_date=data.get("claim_date"),
                    language=data.get("language") or "en",
                    priority=data.get("priority", Claim.Priority.NORMAL),
                    due_date=data.get("due_date"),
                    internal_notes=data.get("internal_notes", ""),
                    tags=[t.name for t in data.get("tags", [])],
                )
                obj.pk, obj.code, obj.author = created.pk, created.code, created.author
                obj._state.adding = False
                obj._state.db = created._state.db
                self._warn_duplicates(request, created)
            else:
                fields = {
                    name: data[name]
                    for name in form.changed_data
                    if name in services.CLAIM_EDITABLE_FIELDS
                }
                claimant = data.get("claimant") if "claimant" in form.changed_data else None
                original = Claim.objects.get(pk=obj.pk)
                services.claim_update(
                    claim=original,
                    by=user,
                    fields=fields,
                    tags=[t.name for t in data["tags"]] if "tags" in form.changed_data else None,
                    claimant=claimant,
                )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def _warn_duplicates(self, request: HttpRequest, claim: Claim) -> None:
        matches = claim_duplicates_find(text=claim.statement, exclude=claim)
        if matches:
            listed = "; ".join(f"claim {m.short_code} “{m.claim}”, {m.summary}" for m in matches)
            self.message_user(
                request,
                f"Saved, but this looks like an existing claim: {listed}. Link it with "
                "“Duplicate of” if it is the same claim.",
                messages.WARNING,
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Tags were saved by the service; inline rows go through services below.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        user: User = request.user  # type: ignore[assignment]
        # The admin's change message reads these; rows are written by the services below.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        claim = Claim.objects.get(pk=form.instance.pk)
        if formset.model is Evidence:
            self._save_evidence(request, claim, formset, user)
        elif formset.model is Assignment:
            self._save_assignments(request, claim, formset, user)

    def _save_evidence(
        self, request: HttpRequest, claim: Claim, formset: BaseInlineFormSet, user: User
    ) -> None:
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            instance: Evidence = inline_form.instance
            try:
                if instance.pk is None:
                    services.evidence_add(
                        claim=claim,
                        by=user,
                        kind=data.get("kind", ""),
                        stance=data.get("stance", Evidence.Stance.CONTEXT),
                        url=data.get("url", ""),
                        file=data.get("file") or None,
                        note=data.get("note", ""),
                        title=data.get("title", ""),
                        is_public=bool(data.get("is_public")),
                    )
                else:
                    services.evidence_update(
                        evidence=Evidence.objects.get(pk=instance.pk),
                        by=user,
                        stance=data.get("stance"),
                        title=data.get("title"),
                        is_public=data.get("is_public"),
                    )
            except DomainError as exc:
                self.message_user(request, f"Evidence: {exc.message}", messages.ERROR)

    def _save_assignments(
        self, request: HttpRequest, claim: Claim, formset: BaseInlineFormSet, user: User
    ) -> None:
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            if inline_form.instance.pk is not None:
                continue  # existing assignments change through their own actions
            data = inline_form.cleaned_data
            try:
                services.assignment_create(
                    claim=claim,
                    user=data["user"],
                    role=data["role"],
                    due_date=data.get("due_date"),
                    by=user,
                )
            except DomainError as exc:
                self.message_user(request, f"Assignment: {exc.message}", messages.ERROR)


# --------------------------------------------------------------------------------------------
# The rest of the back office


@admin.register(RatingLabel)
class RatingLabelAdmin(admin.ModelAdmin):
    list_display = ("label", "swatch", "value", "normalized", "position", "is_active")
    list_editable = ("position", "is_active")
    prepopulated_fields = {"slug": ("label",)}

    @admin.display(description="Colour")
    def swatch(self, obj: RatingLabel) -> str:
        return format_html(
            '<span style="display:inline-block;width:1.2em;height:1.2em;'
            'background:{};border-radius:3px"></span> {}',
            obj.colour,
            obj.colour,
        )


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "outlet", "published_at", "created_at")
    search_fields = ("url", "title", "outlet")


@admin.register(Claimant)
class ClaimantAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class SnapshotInline(_ReadOnlyInline):
    model = Snapshot
    fields = ("fetched_at", "outcome", "http_status", "final_url", "byte_count", "body_sha256")
    readonly_fields = fields
    ordering = ("-fetched_at", "-id")
    show_change_link = True


class EvidenceFlagInline(ClaimFlagInline):
    fk_name = "evidence"
    fields = ("created_at", "kind", "details", "snapshot", "resolved_at", "resolved_by")
    readonly_fields = fields


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: evidence changes through the claim page and the actions here."""

    list_display = (
        "__str__",
        "claim",
        "kind",
        "stance",
        "fetch_state",
        "fetched_at",
        "is_public",
        "created_at",
    )
    list_filter = ("kind", "stance", "fetch_state", "is_public")
    search_fields = ("url", "title", "note", "page_title")
    list_select_related = ("claim",)
    actions = ("refetch",)
    inlines = (SnapshotInline, EvidenceFlagInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "claim",
                    "kind",
                    "stance",
                    "title",
                    "url",
                    "file",
                    "note",
                    "is_public",
                    "added_by",
                    "created_at",
                )
            },
        ),
        (
            "Fetch",
            {
                "fields": (
                    "fetch_state",
                    "fetch_error",
                    "fetch_attempts",
                    "fetch_deliveries",
                    "fetch_requested_at",
                    "fetch_next_at",
                    "fetch_lease_until",
                    "fetched_at",
                    "latest_snapshot",
                    "archive_url",
                )
            },
        ),
        (
            "What the page says (from the latest good fetch; untrusted text)",
            {
                "fields": (
                    "page_title",
                    "page_site_name",
                    "page_published_at",
                    "page_language",
                    "page_excerpt",
                )
            },
        ),
    )

    def has_refetch_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("claims.change_evidence"))

    @admin.action(description="Re-fetch selected evidence", permissions=["refetch"])
    def refetch(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> None:
        user: User = request.user  # type: ignore[assignment]
        done, refused = 0, []
        with services.evidence_fetch_batch():  # the selection reaches the broker at once
            for evidence in queryset.select_related("claim"):
                try:
                    services.evidence_refetch(evidence=evidence, by=user)
                    done += 1
                except DomainError as exc:
                    refused.append(f"{evidence}: {exc.message}")
        if done:
            self.message_user(request, f"Re-fetch queued for {done} link(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"Re-fetch refused for {line}", messages.ERROR)


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Frozen fetches. The body is offered as a download only: fetched HTML never renders
    on the app's own origin."""

    list_display = ("fetched_at", "evidence", "outcome", "http_status", "final_url", "byte_count")
    list_filter = ("outcome",)
    search_fields = ("requested_url", "final_url", "body_sha256", "text_sha256")
    list_select_related = ("evidence",)
    date_hierarchy = "fetched_at"
    fields = (
        "evidence",
        "fetched_at",
        "outcome",
        "error",
        "requested_url",
        "final_url",
        "redirect_chain",
        "http_status",
        "headers",
        "content_type",
        "byte_count",
        "duration_ms",
        "body_sha256",
        "body_download",
        "text_sha256",
        "extractor_version",
        "metadata",
        "extracted_text",
    )
    readonly_fields = ("body_download", "extracted_text")

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.body_view)
        return [
            path("<int:pk>/body/", view, name="claims_snapshot_body"),
            *super().get_urls(),
        ]

    def body_view(self, request: HttpRequest, pk: int) -> FileResponse:
        snapshot = get_object_or_404(Snapshot.objects.select_related("body_blob"), pk=pk)
        if not self.has_view_permission(request, snapshot):
            raise PermissionDenied
        if snapshot.body_blob is None:
            raise Http404("This fetch stored no body.")
        response = FileResponse(
            snapshot.body_blob.file.open("rb"),
            as_attachment=True,
            filename=f"snapshot-{snapshot.pk}-{snapshot.body_sha256[:12]}.bin",
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = "sandbox"
        return response

    @admin.display(description="Body")
    def body_download(self, obj: Snapshot) -> str:
        if obj.body_blob_id is None:
            return "-"
        url = reverse("admin:claims_snapshot_body", args=[obj.pk])
        return format_html(
            '<a href="{}">Download ({} bytes, {})</a>', url, obj.byte_count, obj.content_type
        )

    @admin.display(description="Extracted text")
    def extracted_text(self, obj: Snapshot) -> str:
        text = obj.text()
        return (
            format_html('<div style="white-space:pre-wrap;max-width:60em">{}</div>', text)
            if text
            else "-"
        )


@admin.register(ClaimFlag)
class ClaimFlagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "claim", "evidence", "resolved_at", "resolved_by")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("claim", "evidence", "resolved_by")
    actions = ("resolve",)

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("claims.change_claimflag"))

    @admin.action(description="Mark selected flags resolved", permissions=["resolve"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[ClaimFlag]) -> None:
        user: User = request.user  # type: ignore[assignment]
        done = 0
        for flag in queryset.select_related("claim").filter(resolved_at__isnull=True):
            try:
                # Imported here: the fetch pipeline (trafilatura, lxml) loads in workers, not at web start.
                from claims import fetch_services

                fetch_services.claim_flag_resolve(flag=flag, by=user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{flag}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} flag(s) resolved.", messages.SUCCESS)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("claim", "user", "role", "state", "due_date", "created_at")
    list_filter = ("role", "state")
    list_select_related = ("claim", "user")


@admin.register(VerdictProposal)
class VerdictProposalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("claim", "reviewer", "rating", "state", "created_at")
    list_filter = ("state", "rating")
    list_select_related = ("claim", "reviewer", "rating")


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("claim", "number", "verdict", "approved_by", "published_at")
    list_select_related = ("claim", "verdict", "approved_by")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("claim", "author", "created_at")
    list_select_related = ("claim", "author")


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: read-only for everyone, the superuser included."""

    list_display = ("created_at", "action", "claim", "actor", "from_status", "to_status")
    list_filter = ("action",)
    search_fields = ("action", "claim__statement")
    list_select_related = ("claim", "actor")
    readonly_fields = (
        "claim",
        "actor",
        "action",
        "from_status",
        "to_status",
        "details",
        "created_at",
    )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.has_perm("claims.view_event"))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}  # no bulk delete


# --------------------------------------------------------------------------------------------
# Webhooks: subscribers are edited here; deliveries are the read-only log


class WebhookSubscriberForm(ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in WebhookSubscriber.EVENTS],
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )

    class Meta:
        model = WebhookSubscriber
        fields = ("name", "url", "events", "secret", "active")

    def clean_url(self) -> str:
        """The same guard as every delivery: refuse internal addresses up front."""
        url = str(self.cleaned_data["url"])
        try:
            check_url(url, policy_from_settings())
        except GuardError as exc:
            raise forms.ValidationError(exc.reason) from None
        return url


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    form = WebhookSubscriberForm
    list_display = ("name", "url", "event_list", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url")

    @admin.display(description="Events")
    def event_list(self, obj: WebhookSubscriber) -> str:
        return ", ".join(obj.events)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "subscriber",
        "event_action",
        "state",
        "attempts",
        "last_status_code",
        "last_attempt_at",
    )
    list_filter = ("state", "subscriber")
    list_select_related = ("subscriber", "event")
    readonly_fields = (
        "code",
        "subscriber",
        "event",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "response_excerpt",
        "payload",
        "created_at",
        "last_attempt_at",
        "finished_at",
    )

    @admin.display(description="Event", ordering="event__action")
    def event_action(self, obj: WebhookDelivery) -> str:
        return obj.event.action

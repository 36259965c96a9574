"""HTML forms. They parse and validate input; the services and the workflow decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from claims.models import Assignment, Claim, Claimant, Evidence, RatingLabel, Tag, User
from claims.roles import ADMIN, APPROVER, EDITOR, REVIEWER

LANGUAGES = (
    ("en", "English"),
    ("ar", "Arabic"),
    ("fa", "Persian"),
    ("he", "Hebrew"),
    ("tr", "Turkish"),
    ("ru", "Russian"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("de", "German"),
    ("uk", "Ukrainian"),
)
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv"})

TEXT = {"dir": "auto"}


class FastSelect(forms.Select):
    """A <select> built in Python. Django renders a template per <option>, which costs the
    claims list tens of milliseconds for its tag, person and verdict menus."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            "<option value=\"{}\"{}>{}</option>",
            (
                (option["value"] if option["value"] is not None else "",
                 " selected" if option["selected"] else "",
                 option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )  # fmt: skip
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class _PlainChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads the options with one ordinary query. (Django's iterator() would open a
    server-side cursor on PostgreSQL: three more round trips per menu.)"""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class MenuChoiceField(forms.ModelChoiceField):
    iterator = _PlainChoiceIterator


def newsroom_users() -> QuerySet[User]:
    return (
        User.objects.filter(
            Q(groups__name__in=[EDITOR, REVIEWER, APPROVER, ADMIN]) | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def _tag_names(raw: str) -> list[str]:
    return [name.strip() for name in raw.split(",") if name.strip()]


# --------------------------------------------------------------------------------------------
# Claims


class ClaimForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        max_length=5000,
        help_text="The checkable statement, in the claimant's words and language.",
    )
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    claimant_name = forms.CharField(
        label="Claimant", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    claimant_kind = forms.ChoiceField(
        label="Claimant is a", choices=Claimant.Kind.choices, initial=Claimant.Kind.PERSON
    )
    source_url = forms.URLField(
        label="Source link", max_length=2048, required=False, assume_scheme="https"
    )
    source_outlet = forms.CharField(
        label="Outlet", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    source_title = forms.CharField(
        label="Source title", max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    claim_date = forms.DateField(
        label="Claim made on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    excerpt = forms.CharField(
        label="Quoted excerpt",
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    tags = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. iran, syria."
    )
    priority = forms.TypedChoiceField(
        choices=Claim.Priority.choices, coerce=int, initial=Claim.Priority.NORMAL
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    internal_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text="Never shown to the public.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.initial.get("language") or self.data.get("language")
        if current and current not in dict(LANGUAGES):
            field = self.fields["language"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*LANGUAGES, (current, current)]

    @classmethod
    def initial_for(cls, claim: Claim) -> dict[str, Any]:
        source = claim.source
        return {
            "statement": claim.statement,
            "language": claim.language,
            "claimant_name": claim.claimant.name if claim.claimant else "",
            "claimant_kind": claim.claimant.kind if claim.claimant else Claimant.Kind.PERSON,
            "source_url": source.url if source else "",
            "source_outlet": source.outlet if source else "",
            "source_title": source.title if source else "",
            "claim_date": claim.claim_date,
            "excerpt": claim.excerpt,
            "tags": ", ".join(tag.name for tag in claim.tags.all()),
            "priority": claim.priority,
            "due_date": claim.due_date,
            "internal_notes": claim.internal_notes,
        }

    def tag_names(self) -> list[str]:
        return _tag_names(self.cleaned_data["tags"])

    def has_source(self) -> bool:
        data = self.cleaned_data
        return bool(data["source_url"] or data["source_outlet"] or data["source_title"])


class AttributionLinkForm(forms.Form):
    relation = forms.CharField(
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    name = forms.CharField(
        label="Who",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )


AttributionFormSet = forms.formset_factory(AttributionLinkForm, extra=2, max_num=10)


def attribution_from(formset: forms.BaseFormSet) -> list[tuple[str, str]]:
    return [
        (form.cleaned_data.get("name", ""), form.cleaned_data.get("relation", ""))
        for form in formset.forms
        if form.cleaned_data.get("name", "").strip()
    ]


# --------------------------------------------------------------------------------------------
# Evidence


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Evidence.Kind.choices, initial=Evidence.Kind.LINK, widget=forms.RadioSelect
    )
    stance = forms.ChoiceField(
        choices=Evidence.Stance.choices, initial=Evidence.Stance.CONTEXT, widget=forms.RadioSelect
    )
    url = forms.CharField(
        label="Web address",
        max_length=2048,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    file = forms.FileField(
        required=False,
        help_text="PDF, PNG, JPEG, GIF, WebP or plain text, up to 10 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,application/pdf,image/*"}
        ),
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    title = forms.CharField(
        label="Title (optional)",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )


# --------------------------------------------------------------------------------------------
# Workflow


class ProposalForm(forms.Form):
    rating = MenuChoiceField(
        label="Verdict",
        queryset=RatingLabel.objects.filter(is_active=True),
        empty_label="Choose a verdict",
        widget=FastSelect,
    )
    reasoning = forms.CharField(
        widget=forms.Textarea(attrs={**TEXT, "rows": 5}),
        help_text="The public explanation: what the evidence shows and why.",
    )
    evidence = forms.ModelMultipleChoiceField(
        label="Evidence relied on",
        queryset=Evidence.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = claim.evidence.order_by("created_at", "id")
        field.label_from_instance = _evidence_label  # type: ignore[assignment]


def _evidence_label(item: Evidence) -> str:
    text = item.title or item.page_title or item.url or item.file_name or item.note
    return f"{item.get_stance_display()}: {text[:120]}"


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )


class ApproveForm(forms.Form):
    explanation = forms.CharField(
        label="Public explanation (optional)",
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text="Leave empty to publish the reviewer's reasoning as it stands.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


class AssignmentForm(forms.Form):
    user = MenuChoiceField(label="Person", queryset=User.objects.none(), widget=FastSelect)
    role = forms.ChoiceField(
        choices=Assignment.Role.choices, initial=Assignment.Role.REVIEWER, widget=FastSelect
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = newsroom_users()


class DeclineForm(forms.Form):
    role = forms.ChoiceField(choices=Assignment.Role.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why you decline", widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=10_000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text="Internal only. Mention a colleague with @username to notify them.",
    )


# --------------------------------------------------------------------------------------------
# The claims list

SORTS = {
    "-created_at": ("Newest first", ("-created_at", "-id")),
    "created_at": ("Oldest first", ("created_at", "id")),
    "-priority": ("Priority", ("-priority", "due_date", "-created_at", "-id")),
    "due_date": ("Due date", ("due_date", "-priority", "-id")),
    "-updated_at": ("Recently updated", ("-updated_at", "-id")),
}


class ClaimFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Claim.Status.choices], required=False, widget=FastSelect
    )
    verdict = MenuChoiceField(
        queryset=RatingLabel.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any verdict",
        widget=FastSelect,
    )
    priority = forms.TypedChoiceField(
        choices=[("", "Any priority"), *Claim.Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=FastSelect,
    )
    assignee = MenuChoiceField(
        queryset=User.objects.none(),
        to_field_name="username",
        required=False,
        empty_label="Anyone",
        widget=FastSelect,
    )
    tag = MenuChoiceField(
        queryset=Tag.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any tag",
        widget=FastSelect,
    )
    source = forms.CharField(
        required=False, max_length=200, help_text="Outlet, title or link of the source."
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        required=False,
        widget=FastSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = newsroom_users()

    def searching(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data.get("q", "").strip())

    def apply(self, claims: QuerySet[Claim]) -> QuerySet[Claim]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            claims = claims.filter(status=data["status"])
        if data.get("verdict"):
            claims = claims.filter(verdict=data["verdict"])
        if data.get("priority") is not None:
            claims = claims.filter(priority=data["priority"])
        if data.get("assignee"):
            claims = claims.filter(
                pk__in=Assignment.objects.filter(
                    user=data["assignee"], state=Assignment.State.OPEN
                ).values("claim_id")
            )
        if data.get("tag"):
            claims = claims.filter(tags=data["tag"])
        if data.get("source"):
            text = data["source"]
            claims = claims.filter(
                Q(source__outlet__icontains=text)
                | Q(source__title__icontains=text)
                | Q(source__url__icontains=text)
            )
        if data.get("overdue"):
            claims = claims.overdue()  # type: ignore[attr-defined]
        if data.get("q"):  # last: the search narrows each of its halves with the filters
            claims = claims.search(data["q"])  # type: ignore[attr-defined]
        return claims.order_by(*SORTS[data.get("sort") or "-created_at"][1])


class BulkForm(forms.Form):
    ACTIONS = (("assign", "Assign reviewer"), ("tag", "Add tags"), ("withdraw", "Withdraw"))

    action = forms.ChoiceField(choices=ACTIONS)
    claims = forms.ModelMultipleChoiceField(
        queryset=Claim.objects.all(), to_field_name="code", error_messages={"required": ""}
    )
    user = MenuChoiceField(
        label="Reviewer",
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose",
        widget=FastSelect,
    )
    tags = forms.CharField(required=False, max_length=500)
    reason = forms.CharField(label="Reason", required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = newsroom_users()
        claims = self.fields["claims"]
        claims.error_messages["required"] = "Select at least one claim."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "assign" and not data.get("user"):
            self.add_error("user", "Choose the reviewer to assign.")
        if action == "tag" and not _tag_names(data.get("tags", "")):
            self.add_error("tags", "Name at least one tag.")
        if action == "withdraw" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why these claims are withdrawn.")
        claims = data.get("claims")
        if claims is not None and len(claims) > 100:
            self.add_error("claims", "Select at most 100 claims at a time.")
        return data

    def tag_names(self) -> list[str]:
        return _tag_names(self.cleaned_data.get("tags", ""))

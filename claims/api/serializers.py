"""Newsroom API serializers. Output serializers read; input serializers only validate the
shape of a request: every write goes through ``claims.services`` or
``claims.workflow.transition_apply``, which check permissions and rules again."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from claims.models import (
    Assignment,
    Claim,
    Claimant,
    Comment,
    Event,
    Evidence,
    RatingLabel,
    User,
    VerdictProposal,
)
from claims.services import COMMENT_MAX_CHARS
from claims.workflow import allowed_actions

TAG_LIST_MAX = 50
NAME_MAX = 300


def _related_by(slug_field: str, **kwargs: Any) -> Any:
    """A read-only reference to a related row by one of its fields."""
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **kwargs)


def _by_username(**kwargs: Any) -> Any:
    return _related_by("username", **kwargs)


# --------------------------------------------------------------------------------------------
# Output


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingLabel
        fields = ("slug", "label", "description", "value", "normalized", "colour", "position")


class _VerdictRef(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # named like Field.label
    normalized = serializers.ChoiceField(choices=RatingLabel.Normalized.choices)


class _ClaimantOut(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Claimant.Kind.choices)


class _SourceOut(serializers.Serializer):
    url = serializers.CharField()
    outlet = serializers.CharField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class _AttributionOut(serializers.Serializer):
    name = serializers.CharField()
    relation = serializers.CharField()


class _PublicationRef(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()


class ClaimSerializer(serializers.ModelSerializer):
    claimant = _ClaimantOut(allow_null=True)
    source = _SourceOut(allow_null=True)  # type: ignore[assignment]  # named like Field.source
    tags = serializers.SerializerMethodField()
    attribution = _AttributionOut(many=True)
    verdict = _VerdictRef(allow_null=True)
    author = _by_username()
    current_publication = _PublicationRef(allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = (
            "code",
            "statement",
            "claimant",
            "source",
            "excerpt",
            "excerpt_start",
            "excerpt_end",
            "claim_date",
            "language",
            "tags",
            "attribution",
            "priority",
            "due_date",
            "status",
            "verdict",
            "verdict_explanation",
            "internal_notes",
            "withdrawn_reason",
            "current_publication",
            "author",
            "created_at",
            "updated_at",
            "is_overdue",
            "allowed_actions",
        )
        read_only_fields = fields

    def get_tags(self, claim: Claim) -> list[str]:
        return sorted(tag.slug for tag in claim.tags.all())

    def get_is_overdue(self, claim: Claim) -> bool:
        return claim.is_overdue()

    def get_allowed_actions(self, claim: Claim) -> list[str]:
        """Actions the workflow table and your permissions allow now (guards are checked
        when you POST them)."""
        request = self.context.get("request")
        if request is None:
            return []
        return [str(action) for action in allowed_actions(claim, request.user)]


class EvidenceSerializer(serializers.ModelSerializer):
    added_by = _by_username()

    class Meta:
        model = Evidence
        fields = (
            "code",
            "kind",
            "stance",
            "title",
            "url",
            "file_name",
            "file_size",
            "file_content_type",
            "note",
            "is_public",
            "added_by",
            "created_at",
            "fetch_state",
            "fetch_error",
            "fetch_attempts",
            "fetch_requested_at",
            "fetched_at",
            "page_title",
            "page_site_name",
            "page_published_at",
            "page_language",
            "archive_url",
        )
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    user = _by_username()
    assigned_by = _by_username()

    class Meta:
        model = Assignment
        fields = (
            "id",
            "user",
            "role",
            "state",
            "due_date",
            "decline_reason",
            "assigned_by",
            "created_at",
            "closed_at",
        )
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    reviewer = _by_username()
    rating = _VerdictRef()
    evidence = _related_by("code", many=True)

    class Meta:
        model = VerdictProposal
        fields = ("id", "reviewer", "rating", "reasoning", "evidence", "state", "created_at")
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = _by_username()
    details = serializers.JSONField()

    class Meta:
        model = Event
        fields = ("id", "action", "actor", "from_status", "to_status", "details", "created_at")
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    author = _by_username()
    mentions = _by_username(many=True)

    class Meta:
        model = Comment
        fields = ("id", "author", "body", "mentions", "created_at")
        read_only_fields = fields


# --------------------------------------------------------------------------------------------
# Input


# Character offsets into a source text: PositiveIntegerField's range, far beyond any article.
OFFSET_MAX = 2_147_483_647


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, naming them, instead of silently ignoring them, and
    NUL characters anywhere in a value (PostgreSQL text cannot hold them; lookups by a
    related field's slug would otherwise reach the database with one)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_unknown_field_message(name)] for name in unknown}
                )
            with_nul = sorted(name for name, value in data.items() if _has_nul(value))
            if with_nul:
                raise serializers.ValidationError(
                    {name: ["Null characters are not allowed."] for name in with_nul}
                )
        return super().to_internal_value(data)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) or _has_nul(k) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _unknown_field_message(name: str) -> str:
    if name in {"status", "verdict", "current_publication", "withdrawn_reason"}:
        return (
            "The workflow changes this: POST an action such as "
            "/claims/{code}/submit/ or /claims/{code}/approve/ instead."
        )
    return "Unknown field."


class AttributionIn(StrictSerializer):
    name = serializers.CharField(max_length=NAME_MAX)
    relation = serializers.CharField(max_length=80, allow_blank=True, required=False, default="")


class _ClaimFieldsIn(StrictSerializer):
    statement = serializers.CharField(max_length=10_000)
    claimant_name = serializers.CharField(max_length=NAME_MAX, allow_blank=True, required=False)
    claimant_kind = serializers.ChoiceField(choices=Claimant.Kind.choices, required=False)
    source_url = serializers.URLField(max_length=2048, allow_blank=True, required=False)
    source_title = serializers.CharField(max_length=500, allow_blank=True, required=False)
    source_outlet = serializers.CharField(max_length=200, allow_blank=True, required=False)
    excerpt = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    excerpt_start = serializers.IntegerField(
        min_value=0, max_value=OFFSET_MAX, allow_null=True, required=False
    )
    excerpt_end = serializers.IntegerField(
        min_value=0, max_value=OFFSET_MAX, allow_null=True, required=False
    )
    claim_date = serializers.DateField(allow_null=True, required=False)
    language = serializers.RegexField(
        r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", max_length=16, required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=TAG_LIST_MAX, required=False
    )
    attribution = AttributionIn(many=True, required=False)
    priority = serializers.ChoiceField(choices=Claim.Priority.choices, required=False)
    due_date = serializers.DateField(allow_null=True, required=False)
    internal_notes = serializers.CharField(max_length=20_000, allow_blank=True, required=False)


class ClaimCreateIn(_ClaimFieldsIn):
    pass


class ClaimUpdateIn(_ClaimFieldsIn):
    statement = serializers.CharField(max_length=10_000, required=False)


class RatingRefField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", queryset=RatingLabel.objects.all(), **kwargs)


class ProposeIn(StrictSerializer):
    rating = RatingRefField()
    reasoning = serializers.CharField(max_length=20_000)
    evidence = serializers.ListField(child=serializers.UUIDField(), max_length=100)


class SendBackIn(StrictSerializer):
    comment = serializers.CharField(max_length=COMMENT_MAX_CHARS)


class ApproveIn(StrictSerializer):
    explanation = serializers.CharField(
        max_length=20_000,
        allow_blank=True,
        required=False,
        default="",
        help_text="Public explanation; the proposal's reasoning when left empty.",
    )


class ReasonIn(StrictSerializer):
    reason = serializers.CharField(max_length=5_000)


class EmptyIn(StrictSerializer):
    pass


class EvidenceAddIn(StrictSerializer):
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices, required=False)
    url = serializers.CharField(max_length=2048, allow_blank=True, required=False, default="")
    file = serializers.FileField(required=False, allow_null=True)
    note = serializers.CharField(max_length=20_000, allow_blank=True, required=False, default="")
    title = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    is_public = serializers.BooleanField(required=False, default=False)


class EvidenceUpdateIn(StrictSerializer):
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices, required=False)
    title = serializers.CharField(max_length=500, allow_blank=True, required=False)
    is_public = serializers.BooleanField(required=False)


class AssignmentCreateIn(StrictSerializer):
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    role = serializers.ChoiceField(choices=Assignment.Role.choices)
    due_date = serializers.DateField(allow_null=True, required=False)


class CommentIn(StrictSerializer):
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS)


class TagsIn(StrictSerializer):
    names = serializers.ListField(
        child=serializers.CharField(max_length=80), min_length=1, max_length=TAG_LIST_MAX
    )


class ClaimFilters(serializers.Serializer):
    """The public filters, plus the newsroom's own."""

    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)
    verdict = serializers.SlugField(required=False)
    normalized = serializers.ChoiceField(choices=RatingLabel.Normalized.choices, required=False)
    language = serializers.RegexField(
        r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", max_length=35, required=False
    )
    claimant = serializers.CharField(max_length=NAME_MAX, required=False)
    tag = serializers.SlugField(required=False)
    updated_since = serializers.DateTimeField(required=False)
    assignee = serializers.CharField(max_length=150, required=False, help_text="Username.")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(max_length=200, required=False, help_text="Text in the statement.")

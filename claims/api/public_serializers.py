"""The public API's request filters and the documented shape of its responses.

Responses are built by plain functions (``claims.api.public``, ``claims.api.claimreview``)
for speed; the serializers below describe them for the OpenAPI schema, and the schemathesis
test checks that every response matches.
"""

from __future__ import annotations

from rest_framework import serializers

from claims.models import Evidence, RatingLabel

# --------------------------------------------------------------------------------------------
# Requests


class PublicClaimFilters(serializers.Serializer):
    verdict = serializers.SlugField(
        required=False, help_text="Verdict label slug, such as `false` or `mostly-true`."
    )
    normalized = serializers.ChoiceField(
        choices=RatingLabel.Normalized.choices,
        required=False,
        help_text="Normalized rating class.",
    )
    language = serializers.RegexField(
        r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        max_length=35,
        required=False,
        help_text="BCP-47 language code; the region is ignored (`en-GB` matches `en`).",
    )
    claimant = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="Claimant name (case-insensitive); empty means any.",
    )
    tag = serializers.SlugField(required=False, help_text="Tag slug.")
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Only checks published or corrected at or after this time (ISO 8601).",
    )


class FactCheckSearchRequest(serializers.Serializer):
    """The query parameters of Google Fact Check Tools `claims:search`."""

    query = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Words to look for in the claim and the claimant (all must match). "
        "Google's API requires it unless reviewPublisherSiteFilter is given; here, "
        "leaving both out lists every check.",
    )
    languageCode = serializers.RegexField(  # Google's parameter names
        r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        max_length=35,
        required=False,
        help_text='BCP-47 language code such as "en-US"; the region is ignored.',
    )
    reviewPublisherSiteFilter = serializers.CharField(
        max_length=253,
        required=False,
        allow_blank=True,
        help_text="Only reviews by this publisher site.",
    )
    maxAgeDays = serializers.IntegerField(
        min_value=1,
        max_value=36500,
        required=False,
        help_text="Maximum age in days, by claim date or review date, whichever is newer.",
    )
    pageSize = serializers.IntegerField(
        min_value=1, max_value=100, required=False, help_text="Defaults to 10."
    )
    pageToken = serializers.CharField(
        max_length=500, required=False, help_text="nextPageToken of the previous response."
    )
    offset = serializers.IntegerField(
        min_value=0,
        max_value=10_000,
        required=False,
        help_text="Start position; used only without pageToken.",
    )


# --------------------------------------------------------------------------------------------
# Responses: the public claim


class _Appearance(serializers.Serializer):
    url = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    outlet = serializers.CharField(allow_blank=True)
    published_at = serializers.CharField(allow_null=True)


class _Verdict(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # named like Field.label
    slug = serializers.CharField()
    value = serializers.IntegerField(allow_null=True, help_text="ClaimReview ratingValue.")
    best = serializers.IntegerField(help_text="bestRating of the scale.")
    worst = serializers.IntegerField(help_text="worstRating of the scale.")
    normalized = serializers.ChoiceField(choices=RatingLabel.Normalized.choices)
    colour = serializers.CharField()
    explanation = serializers.CharField(allow_blank=True)


class _Source(serializers.Serializer):
    code = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices)
    title = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    site_name = serializers.CharField(allow_blank=True)
    snapshot_at = serializers.DateTimeField(
        allow_null=True, help_text="When the page was last fetched and snapshotted."
    )
    sha256 = serializers.CharField(
        allow_null=True, help_text="SHA-256 of the body of that snapshot, as fetched."
    )
    archive_url = serializers.CharField(allow_blank=True)


class _Version(serializers.Serializer):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    verdict = serializers.CharField()
    normalized = serializers.ChoiceField(choices=RatingLabel.Normalized.choices)
    correction_note = serializers.CharField(allow_blank=True)


class PublicClaimSerializer(serializers.Serializer):
    code = serializers.UUIDField()
    text = serializers.CharField()
    claimant = serializers.CharField(allow_blank=True)
    claimant_kind = serializers.CharField(allow_blank=True)
    claim_date = serializers.DateField(allow_null=True)
    language = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    appearances = _Appearance(many=True)
    verdict = _Verdict()
    published_at = serializers.DateTimeField(help_text="First publication.")
    updated_at = serializers.DateTimeField(help_text="Latest publication or correction.")
    version = serializers.IntegerField(help_text="1, then 2 and up after corrections.")
    sources = _Source(many=True)
    history = _Version(many=True, help_text="Every published version, oldest first.")
    url = serializers.URLField(help_text="The public page of this check.")
    claimreview_url = serializers.URLField()


class PublicClaimPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicClaimSerializer(many=True)


# --------------------------------------------------------------------------------------------
# Responses: ClaimReview and Fact Check Tools


class _JsonLD(serializers.Serializer):
    """JSON-LD keywords (``@type``, ``@context``) cannot be attribute names: declare them
    as ``at_type`` and ``at_context``."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name.replace("at_", "@", 1) if name.startswith("at_") else name: field
            for name, field in super().get_fields().items()
        }


class _Thing(_JsonLD):
    at_type = serializers.CharField()
    name = serializers.CharField()


class _Organization(_Thing):
    url = serializers.URLField()


class _Rating(_JsonLD):
    at_type = serializers.CharField()
    alternateName = serializers.CharField()
    name = serializers.CharField()
    ratingValue = serializers.IntegerField(required=False)
    bestRating = serializers.IntegerField(required=False)
    worstRating = serializers.IntegerField(required=False)
    ratingExplanation = serializers.CharField(required=False)


class _CreativeWork(_JsonLD):
    at_type = serializers.CharField()
    url = serializers.CharField(required=False)
    headline = serializers.CharField(required=False)
    datePublished = serializers.CharField(required=False)
    publisher = _Thing(required=False)


class _ClaimItem(_JsonLD):
    at_type = serializers.CharField()
    author = _Thing(required=False)
    datePublished = serializers.CharField(required=False)
    appearance = _CreativeWork(many=True, required=False)
    firstAppearance = _CreativeWork(required=False)


class ClaimReviewSerializer(_JsonLD):
    at_context = serializers.CharField()
    at_type = serializers.CharField()
    url = serializers.URLField()
    name = serializers.CharField()
    claimReviewed = serializers.CharField()
    reviewRating = _Rating()
    itemReviewed = _ClaimItem()
    author = _Organization()
    datePublished = serializers.CharField()
    dateModified = serializers.CharField()
    inLanguage = serializers.CharField()


class _FactCheckPublisher(serializers.Serializer):
    name = serializers.CharField()
    site = serializers.CharField()


class _FactCheckReview(serializers.Serializer):
    publisher = _FactCheckPublisher()
    url = serializers.URLField()
    title = serializers.CharField()
    reviewDate = serializers.CharField()
    textualRating = serializers.CharField()
    languageCode = serializers.CharField()


class _FactCheckClaim(serializers.Serializer):
    text = serializers.CharField()
    claimant = serializers.CharField(required=False)
    claimDate = serializers.CharField(required=False)
    claimReview = _FactCheckReview(many=True)


class FactCheckSearchResponse(serializers.Serializer):
    claims = _FactCheckClaim(many=True)
    nextPageToken = serializers.CharField(required=False, help_text="Absent on the last page.")

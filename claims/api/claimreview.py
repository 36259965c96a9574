"""The field's standard shapes, built from a Publication: schema.org ClaimReview (as Google's
fact-check markup guidelines ask for it) and the claim object of Google's Fact Check Tools
``claims:search`` response.

Pure functions: they read only the publication (and its prefetched verdict and tags) and
the values passed in; no queries, no settings, no request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from claims.models import Claimant, Publication

TITLE_MAX_CHARS = 120


@dataclass(frozen=True)
class Publisher:
    """The publishing organisation: ClaimReview ``author`` and Fact Check Tools ``publisher``."""

    name: str
    url: str

    @property
    def site(self) -> str:
        """The host name, as Fact Check Tools reports it (``publisher.site``)."""
        return urlsplit(self.url).hostname or ""

    def check_url(self, code: str) -> str:
        """The public page of one check."""
        return f"{self.url.rstrip('/')}/checks/{code}/"


@dataclass(frozen=True)
class Scale:
    """The rating scale's numeric bounds: ``worstRating`` and ``bestRating``."""

    worst: int
    best: int


def title(publication: Publication) -> str:
    """The headline of a check: the claim, shortened."""
    text = " ".join(publication.statement.split())
    if len(text) > TITLE_MAX_CHARS:
        text = text[: TITLE_MAX_CHARS - 1].rstrip() + "…"
    return f"Fact check: {text}"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _rfc3339_date(value: date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def _claim_author(publication: Publication) -> dict[str, Any] | None:
    if not publication.claimant_name:
        return None
    kind = "Person" if publication.claimant_kind == Claimant.Kind.PERSON else "Organization"
    return {"@type": kind, "name": publication.claimant_name}


def _creative_work(appearance: dict[str, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if appearance.get("url"):
        work["url"] = appearance["url"]
    if appearance.get("title"):
        work["headline"] = appearance["title"]
    if appearance.get("published_at"):
        work["datePublished"] = appearance["published_at"]
    if appearance.get("outlet"):
        work["publisher"] = {"@type": "Organization", "name": appearance["outlet"]}
    return work


def _claim_date(publication: Publication) -> str | None:
    if publication.claim_date is not None:
        return publication.claim_date.isoformat()
    for appearance in publication.appearances:
        if appearance.get("published_at"):
            return str(appearance["published_at"])
    return None


def claimreview(
    publication: Publication, *, code: str, publisher: Publisher, scale: Scale
) -> dict[str, Any]:
    """schema.org ClaimReview with every property Google requires or recommends.

    Required: claimReviewed, reviewRating (with alternateName), url. Recommended: author,
    datePublished, itemReviewed (a Claim with author, datePublished, appearance,
    firstAppearance), and on the rating name, ratingValue, bestRating, worstRating (left
    out for a label off the numeric scale, such as "Unproven").
    """
    verdict = publication.verdict
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": verdict.label,
        "name": verdict.label,
    }
    if verdict.value is not None:
        rating["ratingValue"] = verdict.value
        rating["bestRating"] = scale.best
        rating["worstRating"] = scale.worst
    if publication.explanation:
        rating["ratingExplanation"] = publication.explanation

    item: dict[str, Any] = {"@type": "Claim"}
    author = _claim_author(publication)
    if author:
        item["author"] = author
    claim_date = _claim_date(publication)
    if claim_date:
        item["datePublished"] = claim_date
    works = [_creative_work(a) for a in publication.appearances]
    if works:
        item["appearance"] = works
        item["firstAppearance"] = works[0]

    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": publisher.check_url(code),
        "name": title(publication),
        "claimReviewed": publication.statement,
        "reviewRating": rating,
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": publisher.name, "url": publisher.url},
        "datePublished": _iso(publication.first_published_at),
        "dateModified": _iso(publication.published_at),
        "inLanguage": publication.language,
    }


def factcheck_claim(publication: Publication, *, code: str, publisher: Publisher) -> dict[str, Any]:
    """One ``claims[]`` entry of a Fact Check Tools ``claims:search`` response. As in
    Google's API, fields without a value are left out."""
    review: dict[str, Any] = {
        "publisher": {"name": publisher.name, "site": publisher.site},
        "url": publisher.check_url(code),
        "title": title(publication),
        "reviewDate": _iso(publication.published_at),
        "textualRating": publication.verdict.label,
        "languageCode": publication.language,
    }
    claim: dict[str, Any] = {"text": publication.statement}
    if publication.claimant_name:
        claim["claimant"] = publication.claimant_name
    if publication.claim_date is not None:
        claim["claimDate"] = _rfc3339_date(publication.claim_date)
    claim["claimReview"] = [review]
    return claim

"""The public page of each published check (``/checks/<code>/``, with its ClaimReview
JSON-LD) and its embeddable SVG status badge. Both read only the published version, and are
served from the public cache with the same validators as the public API."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from claims import public_cache
from claims.api.claimreview import claimreview, title
from claims.api.public import public_items, publication_for, publisher, scale
from claims.models import Publication
from claims.public_cache import Rendered

HTML = "text/html; charset=utf-8"
SVG = "image/svg+xml"
# An SVG opened on its own must not run anything, even if a label ever held markup.
SVG_HEADERS = (("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),)

# The escaping of Django's json_script: "<", ">" and "&" as \u escapes, so text such as
# "</script>" inside the data cannot end the script element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: object) -> SafeString:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Safe: the three characters that could end the element or start markup are escaped.
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308


@require_safe
def check_page(request: HttpRequest, code: str) -> HttpResponse:
    return public_cache.serve(request, lambda: _render_page(code))


def _render_page(code: str) -> Rendered:
    found = publication_for(code)
    if not isinstance(found, Publication):
        message = json.loads(found.body)["error"]["message"]
        page = render_to_string("public/missing.html", {"status": found.status, "message": message})
        return Rendered(found.status, HTML, page.encode(), found.last_modified)
    (item,) = public_items([found])
    review = claimreview(found, code=item["code"], publisher=publisher(), scale=scale())
    page = render_to_string(
        "public/check.html",
        {
            "check": item,
            "title": title(found),
            "publisher": publisher(),
            "json_ld": json_ld(review),
            "badge_url": item["url"] + "badge.svg",
        },
    )
    return Rendered(
        200, HTML, page.encode(), public_cache.last_public_change(claim_id=found.claim_id)
    )


@require_safe
def check_badge(request: HttpRequest, code: str) -> HttpResponse:
    return public_cache.serve(request, lambda: _render_badge(code))


def _render_badge(code: str) -> Rendered:
    found = publication_for(code)
    if not isinstance(found, Publication):
        text, colour = ("withdrawn", "#6b7280") if found.status == 410 else ("not found", "#6b7280")
        return Rendered(found.status, SVG, badge_svg(text, colour).encode(), headers=SVG_HEADERS)
    return Rendered(
        200,
        SVG,
        badge_svg(found.verdict.label, found.verdict.colour).encode(),
        public_cache.last_public_change(claim_id=found.claim_id),
        headers=SVG_HEADERS,
    )


def badge_svg(value: str, colour: str, *, label: str = "fact check") -> str:
    """A flat two-part badge, "fact check | False", sized from the text length."""
    left, right = 8 + 6 * len(label) + 8, 8 + 7 * len(value) + 8
    width = left + right
    label_e, value_e, colour_e = escape(label), escape(value), escape(colour)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{label_e}: {value_e}">'
        f"<title>{label_e}: {value_e}</title>"
        f'<rect width="{left}" height="20" fill="#374151"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour_e}"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="14" text-anchor="middle">{label_e}</text>'
        f'<text x="{left + right / 2}" y="14" text-anchor="middle">{value_e}</text>'
        "</g></svg>"
    )

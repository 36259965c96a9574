"""Template helpers for the newsroom pages. Everything they return is escaped first."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from claims.forms import RTL_LANGUAGES
from claims.models import Event

register = template.Library()

_MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")

EVENT_LABELS = {
    "claim.created": "logged the claim",
    "claim.updated": "edited the claim",
    "claim.submitted": "submitted it for verification",
    "claim.verdict_proposed": "proposed a verdict",
    "claim.sent_back": "sent it back to the reviewer",
    "claim.published": "approved and published it",
    "claim.corrected": "published a correction",
    "claim.reopened": "reopened it for a correction",
    "claim.withdrawn": "withdrew it",
    "claim.restored": "restored it to draft",
    "evidence.added": "added evidence",
    "evidence.updated": "edited evidence",
    "assignment.created": "assigned work",
    "assignment.taken": "took it from the queue",
    "assignment.declined": "declined an assignment",
    "comment.added": "commented",
}


@register.filter
def mentions(text: str) -> SafeString:
    """Escape ``text`` and mark @mentions; line breaks become <br>."""
    escaped = str(conditional_escape(text))
    marked = _MENTION.sub(r'<span class="mention">@\1</span>', escaped)
    return mark_safe(marked.replace("\n", "<br>"))  # noqa: S308 - escaped above


@register.filter
def event_label(event: Event) -> str:
    label = EVENT_LABELS.get(event.action)
    if label:
        return label
    return event.action.replace(".", " ").replace("_", " ")


@register.filter
def event_detail(event: Event) -> str:
    """The one detail worth showing under a timeline entry (plain text, escaped by the
    template)."""
    details: dict[str, Any] = event.details or {}
    if event.action == "claim.verdict_proposed":
        return f"Verdict: {details.get('rating', '')}"
    if event.action in ("claim.published", "claim.corrected"):
        return f"Verdict: {details.get('verdict', '')}"
    if event.action == "assignment.created":
        return f"{details.get('user', '')} as {details.get('role', '')}"
    if event.action == "claim.updated":
        return "Changed: " + ", ".join(str(f).replace("_", " ") for f in details.get("fields", []))
    if event.action == "comment.added":
        mentioned = details.get("mentions") or []
        return "Mentioned " + ", ".join(f"@{name}" for name in mentioned) if mentioned else ""
    if event.action == "evidence.added":
        return f"{details.get('kind', '')}, {details.get('stance', '')}"
    for key in ("comment", "reason"):
        if details.get(key):
            return str(details[key])
    return ""


@register.filter
def text_dir(language: str) -> str:
    """``rtl`` for right-to-left languages, else ``auto`` (let the browser decide)."""
    return "rtl" if (language or "").split("-")[0].lower() in RTL_LANGUAGES else "auto"


@register.simple_tag
def status_badge(claim: Any) -> SafeString:
    return format_html(
        '<span class="badge status status-{}">{}</span>',
        claim.status,
        claim.get_status_display(),
    )


@register.filter
def http_url(value: str) -> str:
    """``value`` if it is an http(s) link, else empty: never a javascript: or data: href."""
    text = (value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""

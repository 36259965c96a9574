"""Forms of the intake pages: the start form (paste text or give a link) and the reading of
the candidate form (one row of fields per candidate) into ``intake_claims_create``
selections."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from claims.intake_services import MAX_TEXT_CHARS
from claims.models import Claimant

LANGUAGE_CHOICES = (
    ("auto", "Detect"),
    ("en", "English"),
    ("ar", "Arabic"),
    ("fa", "Persian"),
)


class IntakeStartForm(forms.Form):
    text = forms.CharField(
        required=False,
        max_length=MAX_TEXT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "dir": "auto"}),
        help_text="Paste the article, the speech or the wire story.",
    )
    url = forms.CharField(
        label="Link",
        required=False,
        max_length=2048,
        widget=forms.URLInput(attrs={"dir": "ltr", "placeholder": "https://"}),
        help_text="Without pasted text, the page at this link is fetched and read. With "
        "pasted text, it is recorded as the text's source.",
    )
    title = forms.CharField(
        required=False, max_length=500, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="auto")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text", "").strip() and not data.get("url", "").strip():
            raise forms.ValidationError("Paste the text of the article, or give its link.")
        return data


def selections_from_post(data: QueryDict) -> list[dict[str, Any]]:
    """The ticked rows of the candidate form as selections. Field names carry the candidate
    index: ``pick`` (the ticked indexes), ``statement-3``, ``claimant-3``,
    ``claimant_kind-3``, ``attribution-3`` ("A > B"), ``hedged-3`` and ``link-3`` ("",
    "duplicate:<code>" or "merge:<code>"). Bad values are passed on for the service to
    refuse with the row's number."""
    selections = []
    for raw in data.getlist("pick"):
        index = raw.strip()
        link_kind, _, code = data.get(f"link-{index}", "").partition(":")
        selection: dict[str, Any] = {
            "row": int(index) + 1 if index.isdigit() else index,
            "candidate": index,
            "statement": data.get(f"statement-{index}", ""),
            "claimant": data.get(f"claimant-{index}", ""),
            "claimant_kind": data.get(f"claimant_kind-{index}", Claimant.Kind.PERSON),
            "attribution": data.get(f"attribution-{index}", ""),
            "hedged": data.get(f"hedged-{index}") == "on",
        }
        if link_kind in {"duplicate", "merge"} and code:
            selection["duplicate_of"] = code
            selection["merge"] = link_kind == "merge"
        selections.append(selection)
    return selections

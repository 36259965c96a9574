"""The default rating scale, seeded by a data migration. Admins may edit it afterwards."""

from __future__ import annotations

from typing import Any

DEFAULT_SCALE: tuple[tuple[str, str, int | None, str, str, str], ...] = (
    # label, slug, value, normalized, colour, description
    ("True", "true", 5, "TRUE", "#15803d", "The claim is accurate and nothing significant is missing."),
    ("Mostly true", "mostly-true", 4, "TRUE", "#65a30d", "Accurate, but needs clarification or context."),
    ("Half true", "half-true", 3, "MIXTURE", "#ca8a04", "Partly accurate; leaves out important details or takes things out of context."),
    ("Mostly false", "mostly-false", 2, "FALSE", "#ea580c", "Contains an element of truth but ignores facts that would give a different impression."),
    ("False", "false", 1, "FALSE", "#b91c1c", "The claim is not accurate."),
    ("Unproven", "unproven", None, "OTHER", "#6b7280", "Unconfirmed: the available evidence neither confirms nor refutes the claim."),
)  # fmt: skip


def rating_scale_ensure(rating_label_model: Any) -> int:
    """Create the default labels that are missing (by slug); returns how many were created.
    Takes the model so the data migration can pass its historical version."""
    created = 0
    for position, (label, slug, value, normalized, colour, description) in enumerate(DEFAULT_SCALE):
        _, was_created = rating_label_model.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "value": value,
                "normalized": normalized,
                "colour": colour,
                "description": description,
                "position": position,
            },
        )
        created += int(was_created)
    return created

"""Seed the default rating scale. Admins may edit it afterwards."""

from django.db import migrations

DEFAULT_SCALE = [
    # label, slug, value, normalized, colour, description
    (
        "True",
        "true",
        5,
        "TRUE",
        "#15803d",
        "The claim is accurate and nothing significant is missing.",
    ),
    (
        "Mostly true",
        "mostly-true",
        4,
        "TRUE",
        "#65a30d",
        "Accurate, but needs clarification or context.",
    ),
    (
        "Half true",
        "half-true",
        3,
        "MIXTURE",
        "#ca8a04",
        "Partly accurate; leaves out important details or takes things out of context.",
    ),
    (
        "Mostly false",
        "mostly-false",
        2,
        "FALSE",
        "#ea580c",
        "Contains an element of truth but ignores facts that would give a different impression.",
    ),
    ("False", "false", 1, "FALSE", "#b91c1c", "The claim is not accurate."),
    (
        "Unproven",
        "unproven",
        None,
        "OTHER",
        "#6b7280",
        "Unconfirmed: the available evidence neither confirms nor refutes the claim.",
    ),
]


def seed(apps, schema_editor):
    RatingLabel = apps.get_model("claims", "RatingLabel")
    for position, (label, slug, value, normalized, colour, description) in enumerate(DEFAULT_SCALE):
        RatingLabel.objects.get_or_create(
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


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

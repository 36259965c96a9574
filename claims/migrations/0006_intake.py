"""Claim intake: the normalized statement every duplicate check reads (backfilled here), its
pg_trgm GIN index on PostgreSQL, and the IntakeJob table for "new from article".

The extension and the index are created only on PostgreSQL (SQLite has neither), so they
are not in the model state; ``claim_duplicates_find`` uses them through ``%`` lookups.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from claims.intake.normalize import normalize_text

TRIGRAM_INDEX = "claim_normalized_trgm"


def backfill_normalized_statement(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    batch = []
    for claim in Claim.objects.only("pk", "statement").iterator(chunk_size=500):
        claim.normalized_statement = normalize_text(claim.statement)
        batch.append(claim)
        if len(batch) >= 500:
            Claim.objects.bulk_update(batch, ["normalized_statement"])
            batch = []
    if batch:
        Claim.objects.bulk_update(batch, ["normalized_statement"])


def trigram_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON claims_claim "
        "USING gin (normalized_statement gin_trgm_ops)"
    )


def trigram_index_drop(apps, schema_editor):
    # The extension stays: other apps of the same database may use it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="normalized_statement",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(backfill_normalized_statement, migrations.RunPython.noop),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
        migrations.CreateModel(
            name="IntakeJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("url", models.URLField(blank=True, max_length=2048)),
                ("title", models.CharField(blank=True, max_length=500)),
                (
                    "text",
                    models.TextField(
                        blank=True, help_text="The text the candidates were found in."
                    ),
                ),
                ("language", models.CharField(blank=True, max_length=16)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to fetch"),
                            ("fetching", "Fetching"),
                            ("ready", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                (
                    "error",
                    models.TextField(blank=True, help_text="Why the job failed, for the editor."),
                ),
                (
                    "progress",
                    models.PositiveSmallIntegerField(default=0, help_text="Percent done."),
                ),
                ("progress_message", models.CharField(blank=True, max_length=200)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("candidates", models.JSONField(blank=True, default=list)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="intake_jobs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="intake_jobs",
                        to="claims.source",
                    ),
                ),
            ],
            options={
                "ordering": ("-created_at", "-id"),
                "indexes": [
                    models.Index(fields=["state", "updated_at"], name="intakejob_state_updated")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("state__in", ["pending", "fetching", "ready", "failed"])
                        ),
                        name="intakejob_state_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "failed"), _negated=True),
                            models.Q(("error", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="intakejob_failed_has_error",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("progress__lte", 100)), name="intakejob_progress_pct"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("url", ""), _negated=True),
                            models.Q(("text", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="intakejob_has_url_or_text",
                    ),
                ],
            },
        ),
    ]

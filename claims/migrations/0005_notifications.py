"""Notifications; the claims list's default-order index; and on PostgreSQL the GIN indexes
behind the claims list search.

The index expressions are exactly what ``SearchVector("statement", config="english")`` and
``SearchVector("name", config="english")`` compile to (``ClaimQuerySet.search``), so the
planner can use them; SQLite searches with icontains.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATEMENT_FTS_CREATE = """
CREATE INDEX IF NOT EXISTS claim_statement_fts ON claims_claim
USING gin (to_tsvector('english'::regconfig, COALESCE(statement, '')));
CREATE INDEX IF NOT EXISTS claimant_name_fts ON claims_claimant
USING gin (to_tsvector('english'::regconfig, COALESCE(name, '')::text));
"""
STATEMENT_FTS_DROP = """
DROP INDEX IF EXISTS claim_statement_fts;
DROP INDEX IF EXISTS claimant_name_fts;
"""


def statement_fts_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STATEMENT_FTS_CREATE)


def statement_fts_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STATEMENT_FTS_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_evidence_page_fields"),
    ]

    operations = [
        migrations.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("assigned", "Assigned"),
                            ("mentioned", "Mentioned"),
                            ("sent_back", "Sent back"),
                            ("published", "Published"),
                        ],
                        max_length=12,
                    ),
                ),
                ("message", models.CharField(max_length=300)),
                ("read_at", models.DateTimeField(blank=True, null=True)),
                ("emailed_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ("-created_at", "-id"),
            },
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["-created_at", "-id"], name="claim_created"),
        ),
        migrations.AddField(
            model_name="notification",
            name="event",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notifications",
                to="claims.event",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="recipient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("recipient", "event"), name="notification_once_per_event"
            ),
        ),
        migrations.RunPython(statement_fts_create, statement_fts_drop),
    ]

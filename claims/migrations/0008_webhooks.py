# Webhook subscribers and their delivery log.

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import claims.models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_snapshots"),
    ]

    operations = [
        migrations.CreateModel(
            name="WebhookSubscriber",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("url", models.URLField(help_text="Where the signed POSTs go.", max_length=2048)),
                (
                    "secret",
                    models.CharField(
                        default=claims.models.webhook_secret_new,
                        help_text="Shared secret: X-Verify-Signature is the HMAC-SHA256 of '<timestamp>.<body>' with it.",
                        max_length=200,
                    ),
                ),
                (
                    "events",
                    models.JSONField(
                        default=list, help_text="Event names this subscriber receives."
                    ),
                ),
                ("active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ("name", "id")},
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("payload", models.JSONField(help_text="The body sent on every attempt.")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("delivered", "Delivered"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("response_excerpt", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="claims.event",
                    ),
                ),
                (
                    "subscriber",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="claims.webhooksubscriber",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "webhook deliveries",
                "ordering": ("-created_at", "-id"),
                "indexes": [
                    models.Index(fields=["state", "created_at"], name="webhook_delivery_state")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("subscriber", "event"), name="webhook_delivery_once_per_event"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["pending", "delivered", "failed"])),
                        name="webhook_delivery_state_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "failed"), _negated=True),
                            models.Q(("last_error", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="webhook_delivery_failed_has_error",
                    ),
                ],
            },
        ),
    ]

# Publications carry the whole public snapshot of a claim (claim date, language, claimant
# kind, appearances, tags, first publication time), so the public API never reads the
# claim's working fields. Existing publications are filled from their claim.

import django.utils.timezone
from django.db import migrations, models


def backfill(apps, schema_editor):
    Publication = apps.get_model("claims", "Publication")
    first_by_claim = {}
    for pub in Publication.objects.order_by("claim_id", "number").only("claim_id", "published_at"):
        first_by_claim.setdefault(pub.claim_id, pub.published_at)
    for pub in Publication.objects.select_related("claim__claimant", "claim__source"):
        claim = pub.claim
        source = claim.source
        appearances = []
        if source is not None and (source.url or source.title or source.outlet):
            appearances.append(
                {
                    "url": source.url,
                    "title": source.title,
                    "outlet": source.outlet,
                    "published_at": source.published_at.isoformat()
                    if source.published_at
                    else None,
                }
            )
        pub.first_published_at = first_by_claim[pub.claim_id]
        pub.claim_date = claim.claim_date
        pub.language = claim.language
        pub.claimant_kind = claim.claimant.kind if claim.claimant else ""
        pub.appearances = appearances
        pub.save(
            update_fields=[
                "first_published_at",
                "claim_date",
                "language",
                "claimant_kind",
                "appearances",
            ]
        )
        pub.tags.set(claim.tags.all())


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_webhooks"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="first_published_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When the claim's first version went public.",
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="claim_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="publication",
            name="language",
            field=models.CharField(default="en", max_length=16),
        ),
        migrations.AddField(
            model_name="publication",
            name="claimant_kind",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="publication",
            name="appearances",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Where the claim appeared, first appearance first: [{url, title, outlet, published_at}].",
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="tags",
            field=models.ManyToManyField(blank=True, related_name="+", to="claims.tag"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["-first_published_at", "-claim"], name="publication_first_published"
            ),
        ),
    ]

# Joins the API branch (0006_webhooks, 0007_publication_public_snapshot, which start from
# 0004) with main's 0005_notifications and 0006_intake. Drop it if the API migrations are
# re-chained after main's at merge.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_intake"),
        ("claims", "0007_publication_public_snapshot"),
    ]

    operations = []

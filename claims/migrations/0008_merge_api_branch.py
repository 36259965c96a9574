# Joins the API branch (0006_webhooks and 0007_publication_public_snapshot, which start
# from 0004 as planned) with main's line (0005_notifications, 0006_intake, 0007_snapshots).
# Drop it if the API migrations are re-chained after main's at merge.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_publication_public_snapshot"),
        ("claims", "0007_snapshots"),
    ]

    operations = []

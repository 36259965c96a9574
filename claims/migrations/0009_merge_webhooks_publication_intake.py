# Joins the branches of the API work (webhooks, publication snapshot) and of intake. Re-chain at merge as needed.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_publication_public_snapshot"),
        ("claims", "0008_intake"),
    ]

    operations = []

"""Seed the default rating scale (claims/rating_scale.py). Admins may edit it afterwards."""

from django.db import migrations

from claims.rating_scale import rating_scale_ensure


def seed(apps, schema_editor):
    rating_scale_ensure(apps.get_model("claims", "RatingLabel"))


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

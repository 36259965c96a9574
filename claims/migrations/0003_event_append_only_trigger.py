"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the event log.

(On SQLite the model and queryset guards apply; test flushes there use DELETE, which a
trigger would block.) TRUNCATE, used by test flushes on PostgreSQL, is not a row event.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION claims_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'claims_event is append-only: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER claims_event_append_only
    BEFORE UPDATE OR DELETE ON claims_event
    FOR EACH ROW EXECUTE FUNCTION claims_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS claims_event_append_only ON claims_event;
DROP FUNCTION IF EXISTS claims_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_default_rating_scale")]
    operations = [migrations.RunPython(forwards, backwards)]

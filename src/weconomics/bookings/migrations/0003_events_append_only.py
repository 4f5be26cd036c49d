"""Make the database itself refuse to change a booking event once written.

Deletes stay possible at the database level (a test database is flushed); nothing in the
code deletes events, and a booking, which is never deleted, protects its events.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER booking_event_no_update BEFORE UPDATE ON bookings_bookingevent
BEGIN SELECT RAISE(ABORT, 'booking events are append-only'); END;
"""
SQLITE_DOWN = """
DROP TRIGGER IF EXISTS booking_event_no_update;
"""
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION booking_event_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'booking events are append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER booking_event_no_change BEFORE UPDATE ON bookings_bookingevent
FOR EACH ROW EXECUTE FUNCTION booking_event_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS booking_event_no_change ON bookings_bookingevent;
DROP FUNCTION IF EXISTS booking_event_append_only();
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

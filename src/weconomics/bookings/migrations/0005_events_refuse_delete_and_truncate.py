"""Make the database refuse to remove booking events too, not only to change them.

The same rule and bypass as the audit log (audit 0004, `weconomics.audit.append_only`).
"""

from django.db import migrations

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS booking_event_no_update",
    """CREATE TRIGGER booking_event_no_update BEFORE UPDATE ON bookings_bookingevent
    WHEN NOT EXISTS (SELECT 1 FROM audit_append_only_bypass)
    BEGIN SELECT RAISE(ABORT, 'booking events are append-only'); END""",
    """CREATE TRIGGER booking_event_no_delete BEFORE DELETE ON bookings_bookingevent
    WHEN NOT EXISTS (SELECT 1 FROM audit_append_only_bypass)
    BEGIN SELECT RAISE(ABORT, 'booking events are append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS booking_event_no_delete",
    "DROP TRIGGER IF EXISTS booking_event_no_update",
    """CREATE TRIGGER booking_event_no_update BEFORE UPDATE ON bookings_bookingevent
    BEGIN SELECT RAISE(ABORT, 'booking events are append-only'); END""",
]
POSTGRES_UP = [
    "DROP TRIGGER IF EXISTS booking_event_no_change ON bookings_bookingevent",
    "DROP FUNCTION IF EXISTS booking_event_append_only()",
    """CREATE TRIGGER booking_event_append_only BEFORE UPDATE OR DELETE
    ON bookings_bookingevent
    FOR EACH ROW EXECUTE FUNCTION weconomics_append_only('booking events')""",
    """CREATE TRIGGER booking_event_no_truncate BEFORE TRUNCATE ON bookings_bookingevent
    FOR EACH STATEMENT EXECUTE FUNCTION weconomics_append_only('booking events')""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS booking_event_no_truncate ON bookings_bookingevent",
    "DROP TRIGGER IF EXISTS booking_event_append_only ON bookings_bookingevent",
    """CREATE OR REPLACE FUNCTION booking_event_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'booking events are append-only'; END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER booking_event_no_change BEFORE UPDATE ON bookings_bookingevent
    FOR EACH ROW EXECUTE FUNCTION booking_event_append_only()""",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(vendor, []))


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(vendor, []))


class Migration(migrations.Migration):
    dependencies = [("bookings", "0004_voucher_help_text"),
                    ("audit", "0004_refuse_delete_and_truncate")]
    operations = [migrations.RunPython(forwards, backwards)]

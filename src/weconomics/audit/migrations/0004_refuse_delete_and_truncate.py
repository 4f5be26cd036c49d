"""Make the database refuse to remove audit records too, not only to change them.

UPDATE and DELETE (and on PostgreSQL TRUNCATE) of audit_auditrecord are refused unless the
narrow bypass of `weconomics.audit.append_only` is raised in the same transaction. The
bookings app's events use the same function and flag table (bookings 0005).
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE TABLE IF NOT EXISTS audit_append_only_bypass (raised integer NOT NULL)",
    "DROP TRIGGER IF EXISTS audit_record_no_update",
    """CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
    WHEN NOT EXISTS (SELECT 1 FROM audit_append_only_bypass)
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    """CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_auditrecord
    WHEN NOT EXISTS (SELECT 1 FROM audit_append_only_bypass)
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_record_no_delete",
    "DROP TRIGGER IF EXISTS audit_record_no_update",
    """CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    "DROP TABLE IF EXISTS audit_append_only_bypass",
]
# One function for every append-only table; its argument names the rows in the message.
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION weconomics_append_only() RETURNS trigger AS $$
    BEGIN
      IF coalesce(current_setting('weconomics.append_only_bypass', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
        RETURN NEW;
      END IF;
      RAISE EXCEPTION USING MESSAGE = TG_ARGV[0] || ' are append-only';
    END;
    $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_record_no_update ON audit_auditrecord",
    "DROP FUNCTION IF EXISTS audit_record_no_update()",
    """CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_auditrecord
    FOR EACH ROW EXECUTE FUNCTION weconomics_append_only('audit records')""",
    """CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION weconomics_append_only('audit records')""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_record_no_truncate ON audit_auditrecord",
    "DROP TRIGGER IF EXISTS audit_record_append_only ON audit_auditrecord",
    "DROP FUNCTION IF EXISTS weconomics_append_only()",
    """CREATE OR REPLACE FUNCTION audit_record_no_update() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit records are append-only'; END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
    FOR EACH ROW EXECUTE FUNCTION audit_record_no_update()""",
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
    dependencies = [("audit", "0003_append_only_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]

"""Make the database itself refuse to change an audit record once written."""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_record_no_update;"
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION audit_record_no_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit records are append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
FOR EACH ROW EXECUTE FUNCTION audit_record_no_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_record_no_update ON audit_auditrecord;
DROP FUNCTION IF EXISTS audit_record_no_update();
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
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

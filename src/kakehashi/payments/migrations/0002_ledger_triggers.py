"""The database itself refuses to change a ledger entry.

PostgreSQL: row triggers refuse UPDATE and DELETE. TRUNCATE, a whole-table operation
that only an administrator (or the test runner's reset) issues, is left alone.

SQLite: a trigger refuses UPDATE. DELETE is refused by the model and its queryset but not
by a trigger, because Django resets SQLite databases (``flush``, the test runner between
transactional tests) with plain DELETE statements and SQLite has no session setting a
trigger could consult to tell that reset from a stray delete. A row deleted by hand is
still found: ``payments.services.verify_ledger`` compares the ledger with the audit chain.
"""

from typing import Any

from django.db import migrations

MESSAGE = "ledger entries are never changed or deleted; record a new entry instead"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION payments_entry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_entry_immutable
    BEFORE UPDATE OR DELETE ON payments_entry
    FOR EACH ROW EXECUTE FUNCTION payments_entry_refuse_change();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS payments_entry_immutable ON payments_entry;
DROP FUNCTION IF EXISTS payments_entry_refuse_change();
"""
SQLITE_CREATE = f"""
CREATE TRIGGER payments_entry_no_update BEFORE UPDATE ON payments_entry
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS payments_entry_no_update;"


def create(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def drop(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

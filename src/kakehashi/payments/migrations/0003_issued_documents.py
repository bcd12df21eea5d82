"""Issued documents (the stored PDFs of invoices, receipts and refund notes), refused any
change by the database as the ledger entries are (see 0002), and the cancellation kind."""

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MESSAGE = "issued documents are never changed or deleted"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION payments_issueddocument_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_issueddocument_immutable
    BEFORE UPDATE OR DELETE ON payments_issueddocument
    FOR EACH ROW EXECUTE FUNCTION payments_issueddocument_refuse_change();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS payments_issueddocument_immutable ON payments_issueddocument;
DROP FUNCTION IF EXISTS payments_issueddocument_refuse_change();
"""
SQLITE_CREATE = f"""
CREATE TRIGGER payments_issueddocument_no_update BEFORE UPDATE ON payments_issueddocument
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS payments_issueddocument_no_update;"


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
    dependencies = [
        ("payments", "0002_ledger_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="IssuedDocument",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="issued_document",
                        serialize=False,
                        to="payments.entry",
                        verbose_name="ledger entry",
                    ),
                ),
                ("language", models.CharField(max_length=8, verbose_name="language")),
                ("pdf", models.BinaryField(verbose_name="PDF")),
                (
                    "rendered_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="rendered at",
                    ),
                ),
            ],
            options={
                "verbose_name": "issued document",
                "verbose_name_plural": "issued documents",
                "base_manager_name": "objects",
            },
        ),
        migrations.AlterField(
            model_name="entry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("charge", "Amount due"),
                    ("discount", "Scholarship or discount"),
                    ("payment", "Payment"),
                    ("refund", "Refund"),
                    ("cancellation", "Amount due cancelled"),
                ],
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(create, drop),
    ]

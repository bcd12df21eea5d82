"""Ledger entries are never changed or deleted: not by the model, the ORM, or raw SQL."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from kakehashi.core.actors import StaffActor
from kakehashi.payments import services
from kakehashi.payments.models import Entry, ImmutableEntry
from tests.payments.conftest import paid_account, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(center) -> Entry:
    return paid_account(center, "14000", "RUB")


def test_saving_an_entry_again_is_refused(payment):
    payment.amount = Decimal("1")
    with pytest.raises(ImmutableEntry):
        payment.save()
    with pytest.raises(ImmutableEntry):
        payment.save(update_fields=["amount"])
    payment.refresh_from_db()
    assert payment.amount == Decimal("14000")


def test_deleting_an_entry_is_refused(payment):
    with pytest.raises(ImmutableEntry):
        payment.delete()
    with pytest.raises(ImmutableEntry):
        Entry.objects.filter(pk=payment.pk).delete()
    assert Entry.objects.filter(pk=payment.pk).exists()


def test_bulk_changes_through_the_orm_are_refused(payment):
    before = snapshot()
    with pytest.raises(ImmutableEntry):
        Entry.objects.filter(pk=payment.pk).update(amount=Decimal("1"))
    with pytest.raises(ImmutableEntry):
        Entry.objects.all().update(reason="edited")
    payment.amount = Decimal("2")
    with pytest.raises(ImmutableEntry):
        Entry.objects.bulk_update([payment], ["amount"])
    with pytest.raises(ImmutableEntry):
        Entry.objects.update_or_create(pk=payment.pk, defaults={"amount": 3})
    assert snapshot() == before


def test_the_database_refuses_an_update_in_raw_sql(payment):
    before = snapshot()
    with (
        pytest.raises(DatabaseError, match="never changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE payments_entry SET amount = 1 WHERE id = %s", [payment.pk])
    assert snapshot() == before


def test_a_raw_delete_is_refused_by_postgresql_and_caught_by_the_audit_check_on_sqlite(
    payment,
):
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
                cursor.execute("DELETE FROM payments_entry WHERE id = %s", [payment.pk])
            assert Entry.objects.filter(pk=payment.pk).exists()
            assert services.verify_ledger() == []
        else:
            cursor.execute("DELETE FROM payments_entry WHERE id = %s", [payment.pk])
            assert services.verify_ledger() == [
                f"entry {payment.pk} (payments.entry.payment) is missing from the ledger"
            ]
            transaction.set_rollback(True)


def test_services_only_ever_append(center, registrar):
    payment = paid_account(center, "100", "USD")
    before = snapshot()
    services.refund(actor=StaffActor(registrar), payment=payment, amount="30", reason="Partial")
    services.refund(actor=StaffActor(registrar), payment=payment, reason="The rest")
    after = snapshot()
    assert after[: len(before)] == before
    assert len(after) == len(before) + 2


def test_no_service_offers_to_change_or_delete_an_entry():
    names = [name for name in dir(services) if not name.startswith("_")]
    assert not [
        name
        for name in names
        if any(word in name for word in ("edit", "update", "delete", "void", "change"))
    ]

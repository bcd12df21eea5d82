"""The ledger's use cases: amounts due, discounts, payments and refunds, derived balances."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from kakehashi.admissions import services as admissions
from kakehashi.core import audit
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import InvalidInput, NotFound, PermissionDenied
from kakehashi.core.models import AuditEvent
from kakehashi.network import services as network_services
from kakehashi.network.models import CenterStatus
from kakehashi.payments import services
from kakehashi.payments.models import Account, Entry, Kind, Method
from tests import factories
from tests.factories import SYSTEM, by_link
from tests.payments.conftest import open_account, snapshot

pytestmark = pytest.mark.django_db


# --- amounts due on enrollment --------------------------------------------------------------


def test_enrolling_in_a_paid_cohort_records_the_fee_as_due(center):
    cohort = factories.make_cohort(center, fee=Decimal("14000"), currency="RUB")

    enrollment = factories.apply(cohort, "anna")

    account = Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")
    assert account.group == f"catalog.cohort:{cohort.pk}"
    assert (account.payer_email, account.currency) == ("personanna@example.org", "RUB")
    assert account.starts_on == cohort.starts_on
    balance = services.balance_of(account)
    assert (balance.charged, balance.due, balance.state) == (Decimal("14000"), 14000, "owes")
    [charge] = account.entries.all()
    assert charge.document_number == f"{center.slug.upper()}-INV-000001"


def test_confirming_an_offer_records_the_fee_once(center, registrar):
    cohort = factories.make_cohort(center, admission="review", fee=Decimal("500"), currency="USD")
    enrollment = factories.apply(cohort, "boris", motivation="To learn")
    assert not Account.objects.exists()  # an application owes nothing yet
    admissions.accept(actor=StaffActor(registrar), enrollment=enrollment)
    assert not Account.objects.exists()  # nor does an offer

    admissions.confirm(actor=by_link(enrollment), enrollment=enrollment)

    account = Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")
    assert services.balance_of(account).due == Decimal("500.00")


def test_a_free_cohort_opens_no_account(center):
    cohort = factories.make_cohort(center)
    factories.apply(cohort)
    assert not Account.objects.exists()


def test_an_enrollment_that_rolls_back_leaves_no_amount_due(center):
    cohort = factories.make_cohort(center, fee=Decimal("100"), currency="JPY")
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.apply(cohort)
        raise RuntimeError("the request failed after enrolling")
    assert not Entry.objects.exists()
    assert not Account.objects.exists()


def test_recording_the_same_amount_due_twice_with_a_key_records_it_once(center):
    def due() -> Entry:
        return services.record_amount_due(
            actor=SYSTEM,
            center=center,
            subject="giving.pledge:1",
            amount="25",
            currency="USD",
            description="Gift",
            payer=services.Payer(name="Supporter", email="s@example.org"),
            key="2027-01",
        )

    assert due().pk == due().pk
    assert Entry.objects.count() == 1


# --- discounts, payments, refunds ----------------------------------------------------------


def test_staff_grant_a_scholarship_with_a_reason(rub_account, registrar):
    entry = services.grant_discount(
        actor=StaffActor(registrar),
        account=rub_account,
        amount="4000",
        reason="Scholarship of the city",
    )
    assert (entry.kind, entry.reason, entry.number) == (
        Kind.DISCOUNT,
        "Scholarship of the city",
        None,
    )
    assert services.balance_of(rub_account).due == Decimal("10000")


def test_a_discount_needs_a_reason(rub_account, registrar):
    with pytest.raises(InvalidInput) as caught:
        services.grant_discount(
            actor=StaffActor(registrar), account=rub_account, amount="100", reason=" "
        )
    assert "reason" in caught.value.fields


def test_a_discount_cannot_exceed_what_is_due(rub_account, registrar):
    with pytest.raises(InvalidInput) as caught:
        services.grant_discount(
            actor=StaffActor(registrar),
            account=rub_account,
            amount="14000.01",
            reason="Too generous",
        )
    assert "amount" in caught.value.fields
    assert services.balance_of(rub_account).due == Decimal("14000")


def test_staff_record_a_bank_transfer_against_the_reference(rub_account, finance):
    payment = services.record_payment(
        actor=StaffActor(finance),
        account=rub_account,
        amount="14000",
        method=Method.BANK_TRANSFER,
        external_reference="p/p 1234",
    )
    balance = services.balance_of(rub_account)
    assert (balance.paid, balance.due, balance.state) == (Decimal("14000"), 0, "paid")
    assert payment.document_number.endswith("-REC-000001")
    assert payment.recorded_by == finance


def test_a_payment_larger_than_what_is_due_is_refused(rub_account, registrar):
    services.record_payment(
        actor=StaffActor(registrar), account=rub_account, amount="10000", method="cash"
    )
    with pytest.raises(InvalidInput) as caught:
        services.record_payment(actor=StaffActor(registrar), account=rub_account, amount="4000.01")
    assert "amount" in caught.value.fields
    assert "4 000,00" in caught.value.message or "4,000.00" in caught.value.message


def test_staff_cannot_record_a_card_payment_by_hand(rub_account, registrar):
    with pytest.raises(InvalidInput) as caught:
        services.record_payment(
            actor=StaffActor(registrar), account=rub_account, amount="1", method="card"
        )
    assert "method" in caught.value.fields


def test_a_partial_refund_then_the_rest(center, registrar):
    account = open_account(center, "12.50", "USD")
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="12.50")

    first = services.refund(
        actor=StaffActor(registrar), payment=payment, amount="2.50", reason="Missed day"
    )
    rest = services.refund(actor=StaffActor(registrar), payment=payment, reason="Withdrew")

    assert (first.amount, rest.amount) == (Decimal("2.50"), Decimal("10.00"))
    assert first.refund_of == payment and rest.refund_of == payment
    balance = services.balance_of(account)
    assert (balance.net_paid, balance.due) == (Decimal(0), Decimal("12.50"))
    with pytest.raises(services.RefundTooLarge):
        services.refund(actor=StaffActor(registrar), payment=payment, reason="Again")


def test_a_refund_larger_than_the_payment_is_refused(center, registrar):
    payment = services.record_payment(
        actor=StaffActor(registrar), account=open_account(center, "3000", "JPY"), amount="3000"
    )
    before = snapshot()
    with pytest.raises(services.RefundTooLarge) as caught:
        services.refund(
            actor=StaffActor(registrar), payment=payment, amount="3001", reason="Too much"
        )
    assert "amount" in caught.value.fields
    assert snapshot() == before


def test_only_a_payment_can_be_refunded(rub_account, registrar):
    [charge] = rub_account.entries.all()
    with pytest.raises(NotFound):
        services.refund(actor=StaffActor(registrar), payment=charge, reason="Not a payment")


# --- exact money ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "amount", "stored"),
    [
        ("JPY", "30000", Decimal("30000")),
        ("RUB", "14000.50", Decimal("14000.50")),
        ("USD", "0.01", Decimal("0.01")),
        ("USD", "9999999999.99", Decimal("9999999999.99")),
        ("JPY", "1500.00", Decimal("1500")),
    ],
)
def test_amounts_are_exact_in_the_currencys_minor_units(center, currency, amount, stored):
    account = open_account(center, amount, currency)
    [charge] = account.entries.all()
    assert charge.amount == stored
    assert services.balance_of(account).due == stored


@pytest.mark.parametrize(
    ("currency", "amount"),
    [
        ("RUB", "-1"),
        ("RUB", "0"),
        ("JPY", "1.5"),
        ("USD", "0.001"),
        ("RUB", "NaN"),
        ("RUB", "Infinity"),
        ("RUB", "1e20"),
        ("RUB", "10000000000"),
        ("RUB", "twelve"),
        ("RUB", ""),
    ],
)
def test_bad_amounts_are_refused_naming_the_field_and_change_nothing(
    center, registrar, currency, amount
):
    account = open_account(center, "100", currency)
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="100")
    before, events = snapshot(), AuditEvent.objects.count()

    for attempt in (
        lambda: services.record_payment(
            actor=StaffActor(registrar), account=account, amount=amount
        ),
        lambda: services.grant_discount(
            actor=StaffActor(registrar), account=account, amount=amount, reason="x"
        ),
        lambda: services.refund(
            actor=StaffActor(registrar), payment=payment, amount=amount or "x", reason="x"
        ),
        lambda: open_account(center, amount, currency, n="other"),
    ):
        with pytest.raises(InvalidInput) as caught:
            attempt()
        assert "amount" in caught.value.fields, caught.value.message

    assert snapshot() == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("currency", ["XYZ", "", "rubles", "KWD"])
def test_an_unknown_currency_is_refused_naming_the_field(center, currency):
    with pytest.raises(InvalidInput) as caught:
        open_account(center, "100", currency)
    assert "currency" in caught.value.fields
    assert not Account.objects.exists()


def test_an_account_keeps_one_currency(center):
    open_account(center, "100", "USD", subject="s:1")
    with pytest.raises(InvalidInput) as caught:
        open_account(center, "100", "RUB", subject="s:1")
    assert "currency" in caught.value.fields


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["viewer", "other_registrar", "outsider"])
def test_only_staff_who_take_payments_at_the_center_may_record_them(request, rub_account, persona):
    actor = request.getfixturevalue(persona)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.record_payment(actor=actor, account=rub_account, amount="1")
    with pytest.raises(PermissionDenied):
        services.grant_discount(actor=actor, account=rub_account, amount="1", reason="x")
    assert snapshot() == before


def test_a_closed_centers_ledger_is_read_only(center, registrar, office):
    account = open_account(center, "100", "RUB")
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="100")
    network_services.change_center_status(
        actor=SYSTEM, center=center, to_status=CenterStatus.CLOSING
    )
    network_services.change_center_status(
        actor=SYSTEM, center=center, to_status=CenterStatus.CLOSED
    )
    with pytest.raises(network_services.CenterClosed):
        services.refund(actor=StaffActor(office), payment=payment, reason="After closing")


# --- numbering and the audit chain ---------------------------------------------------------


def test_document_numbers_run_per_center_and_series_without_gaps(center, other_center):
    for n in range(3):
        account = open_account(center, "10", "RUB", n=n)
        services.record_payment(actor=SYSTEM, account=account, amount="10")
    elsewhere = open_account(other_center, "10", "RUB", n="v")

    numbers = list(
        Entry.objects.filter(center=center).order_by("pk").values_list("series", "number")
    )
    assert [n for series, n in numbers if series == "invoice"] == [1, 2, 3]
    assert [n for series, n in numbers if series == "receipt"] == [1, 2, 3]
    assert elsewhere.entries.get().number == 1


def test_a_rolled_back_document_gives_its_number_back(center):
    account = open_account(center, "10", "RUB")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record_payment(actor=SYSTEM, account=account, amount="5")
        raise RuntimeError("mail server exploded")
    payment = services.record_payment(actor=SYSTEM, account=account, amount="10")
    assert payment.number == 1


def test_every_entry_is_in_the_centers_audit_chain(center, registrar):
    account = open_account(center, "100", "RUB")
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="60")
    services.grant_discount(
        actor=StaffActor(registrar), account=account, amount="40", reason="Early bird"
    )
    services.refund(actor=StaffActor(registrar), payment=payment, amount="10", reason="Change")

    events = AuditEvent.objects.filter(chain__key=audit.chain_key_for_center(center.pk))
    actions = list(events.filter(object_type="payments.entry").values_list("action", flat=True))
    assert actions == [
        "payments.entry.charge",
        "payments.entry.payment",
        "payments.entry.discount",
        "payments.entry.refund",
    ]
    refund_event = events.get(action="payments.entry.refund")
    assert refund_event.data["amount"] == "10.00"
    assert refund_event.actor == registrar
    assert services.verify_ledger() == []
    assert all(link is None for _chain, link in audit.verify())


# --- refund rules --------------------------------------------------------------------------


def test_a_rule_refunds_in_full_before_the_start(center, registrar):
    start = timezone.localdate() + datetime.timedelta(days=3)
    account = open_account(center, "9000", "JPY", starts_on=start, group="catalog.cohort:1")
    services.set_refund_rule(
        actor=StaffActor(registrar), center=center, group="catalog.cohort:1", rule="pro_rata"
    )
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="9000")

    refund = services.refund_by_rule(actor=StaffActor(registrar), payment=payment)

    assert refund.amount == Decimal("9000")


def test_a_pro_rata_rule_refunds_the_unattended_share_rounded_down(center, registrar):
    from kakehashi.payments import refund_rules

    start = timezone.localdate() - datetime.timedelta(days=3)
    account = open_account(center, "10000", "JPY", starts_on=start, group="catalog.cohort:2")
    services.set_refund_rule(
        actor=StaffActor(registrar), center=center, group="catalog.cohort:2", rule="pro_rata"
    )
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="10000")
    refund_rules.register_progress_source(
        "test.subject", lambda subject: refund_rules.Progress(start, sessions=3, unattended=2)
    )
    try:
        refund = services.refund_by_rule(actor=StaffActor(registrar), payment=payment)
        # 10000 × 2/3 = 6666.67, and yen have no fractions: down to 6666, never up.
        assert refund.amount == Decimal("6666")
        with pytest.raises(services.RefundTooLarge):
            services.refund_by_rule(actor=StaffActor(registrar), payment=payment)
    finally:
        refund_rules.unregister_progress_source("test.subject")


def test_without_attendance_a_pro_rata_rule_asks_for_an_amount(center, registrar):
    start = timezone.localdate() - datetime.timedelta(days=3)
    account = open_account(center, "100", "RUB", starts_on=start, group="catalog.cohort:3")
    services.set_refund_rule(
        actor=StaffActor(registrar), center=center, group="catalog.cohort:3", rule="pro_rata"
    )
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="100")
    with pytest.raises(services.Conflict):
        services.refund_by_rule(actor=StaffActor(registrar), payment=payment)


def test_an_unknown_refund_rule_is_refused(center, registrar):
    with pytest.raises(InvalidInput) as caught:
        services.set_refund_rule(
            actor=StaffActor(registrar), center=center, group="g", rule="generous"
        )
    assert "rule" in caught.value.fields

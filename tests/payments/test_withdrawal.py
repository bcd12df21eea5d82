"""Leaving a cohort before it starts: what is still unpaid is no longer owed (a new entry,
never an edit); what was paid stays paid until staff refund it."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Status
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import AuditEvent
from kakehashi.payments import services
from kakehashi.payments.models import Account, Entry, Kind
from tests import factories
from tests.factories import SYSTEM, by_link
from tests.payments.conftest import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(center):  # type: ignore[no-untyped-def]
    return factories.make_cohort(center, fee=Decimal("14000"), currency="RUB")


def account_of(enrollment: Enrollment) -> Account:
    return Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")


def withdraw(enrollment: Enrollment) -> Enrollment:
    return admissions.withdraw(actor=by_link(enrollment), enrollment=enrollment)


def test_withdrawing_before_the_start_cancels_what_is_still_owed(cohort):
    enrollment = factories.apply(cohort, "anna")
    account = account_of(enrollment)
    before = snapshot()

    withdraw(enrollment)

    assert snapshot()[: len(before)] == before  # nothing recorded earlier changed
    cancellation = account.entries.get(kind=Kind.CANCELLATION)
    assert cancellation.amount == Decimal("14000.00")
    assert cancellation.reason == "Withdrew before the cohort started."
    assert not cancellation.document_number  # not a document: no number is used up
    balance = services.balance_of(account)
    assert (balance.charged, balance.cancelled, balance.due) == (14000, 14000, 0)
    assert balance.state == "nothing"


def test_a_partly_paid_withdrawal_cancels_only_the_rest_and_refunds_nothing(cohort, registrar):
    enrollment = factories.apply(cohort, "anna")
    account = account_of(enrollment)
    services.record_payment(actor=StaffActor(registrar), account=account, amount="4000")

    withdraw(enrollment)

    balance = services.balance_of(account)
    assert (balance.paid, balance.cancelled, balance.refunded, balance.due) == (
        4000,
        10000,
        0,
        0,
    )
    assert not account.entries.filter(kind=Kind.REFUND).exists()


def test_refunding_after_a_withdrawal_leaves_nothing_owed(cohort, registrar):
    enrollment = factories.apply(cohort, "anna")
    account = account_of(enrollment)
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="4000")
    withdraw(enrollment)

    # The money already paid is the staff's to refund, by the rule or by hand; paying it
    # back does not make the payer owe it again.
    refund = services.refund(
        actor=StaffActor(registrar), payment=payment, amount="3000", reason="Withdrew"
    )
    services.refund(actor=StaffActor(registrar), payment=payment, reason="And the rest")

    assert refund.amount == Decimal("3000.00")
    balance = services.balance_of(account)
    assert (balance.cancelled, balance.refunded, balance.due) == (14000, 4000, 0)
    kinds = list(account.entries.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "charge",
        "payment",
        "cancellation",
        "cancellation",  # what the first refund would have reopened, just before it
        "refund",
        "cancellation",
        "refund",
    ]


def test_a_fully_paid_withdrawal_records_nothing_new(cohort, registrar):
    enrollment = factories.apply(cohort, "anna")
    account = account_of(enrollment)
    services.record_payment(actor=StaffActor(registrar), account=account, amount="14000")
    before = snapshot()

    withdraw(enrollment)

    assert snapshot() == before  # no cancellation, and no refund made on its own


def test_withdrawing_once_the_cohort_has_started_still_owes_the_fee(cohort):
    enrollment = factories.apply(cohort, "anna")
    first_day = datetime.datetime.combine(
        cohort.starts_on, datetime.time(9), tzinfo=cohort.center.tzinfo
    )

    with time_machine.travel(first_day, tick=False):
        withdraw(enrollment)

    assert not Entry.objects.filter(kind=Kind.CANCELLATION).exists()
    assert services.balance_of(account_of(enrollment)).due == Decimal("14000.00")


def test_the_first_day_is_the_centers_own_calendar_day(center):
    # 01:00 on the first day in Vladivostok is still the eve in UTC: the fee stays owed.
    vladivostok = factories.make_center(center.network, "vvo", tz="Asia/Vladivostok")
    start = timezone.localdate() + datetime.timedelta(days=30)
    cohort = factories.make_cohort(vladivostok, fee=Decimal("100"), currency="USD", starts_on=start)
    enrollment = factories.apply(cohort, "anna")
    early = datetime.datetime.combine(start, datetime.time(1), tzinfo=vladivostok.tzinfo)
    assert early.astimezone(datetime.UTC).date() < start

    with time_machine.travel(early, tick=False):
        withdraw(enrollment)

    assert services.balance_of(account_of(enrollment)).due == Decimal("100.00")


def test_leaving_the_waiting_list_or_an_offer_touches_no_ledger(center, registrar):
    cohort = factories.make_cohort(
        center, capacity=1, admission="review", fee=Decimal("500"), currency="USD"
    )
    offered = factories.apply(cohort, "offered", motivation="To learn")
    waiting = factories.apply(cohort, "waiting", motivation="To learn")
    admissions.accept(actor=StaffActor(registrar), enrollment=offered)
    admissions.waitlist(actor=StaffActor(registrar), enrollment=waiting)

    withdraw(waiting)
    withdraw(offered)

    assert not Account.objects.exists()  # nobody owed anything before enrolling


def test_an_offer_that_lapses_never_owed_anything(center, registrar):
    cohort = factories.make_cohort(
        center, capacity=1, admission="review", fee=Decimal("500"), currency="USD"
    )
    enrollment = factories.apply(cohort, "late", motivation="To learn")
    admissions.accept(actor=StaffActor(registrar), enrollment=enrollment)

    admissions.expire_offers(actor=SYSTEM, now=timezone.now() + datetime.timedelta(days=30))

    enrollment.refresh_from_db()
    assert enrollment.status == Status.EXPIRED
    assert not Account.objects.exists()  # the fee is due only on enrolling


def test_the_cancellation_is_audited_beside_the_withdrawal(cohort, registrar):
    enrollment = factories.apply(cohort, "anna")

    admissions.withdraw(actor=StaffActor(registrar), enrollment=enrollment, reason="Changed jobs")

    actions = list(
        AuditEvent.objects.filter(
            action__in=("payments.entry.cancellation", "admissions.enrollment.withdrawn")
        )
        .order_by("chain", "seq")
        .values_list("action", "actor_label")
    )
    # The account is locked (and its entry audited) before the enrollment's own event.
    assert actions == [
        ("payments.entry.cancellation", "registrar"),
        ("admissions.enrollment.withdrawn", "registrar"),
    ]
    assert services.verify_ledger() == []


def test_a_withdrawal_that_rolls_back_cancels_nothing(cohort):
    enrollment = factories.apply(cohort, "anna")
    before = snapshot()

    with pytest.raises(RuntimeError), transaction.atomic():
        withdraw(enrollment)
        raise RuntimeError("the request failed after withdrawing")

    assert snapshot() == before
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENROLLED


def test_cancelling_where_nothing_is_owed_records_nothing(center):
    assert services.cancel_amount_due(actor=SYSTEM, subject="nothing:1") is None


def test_the_pages_and_the_api_show_what_is_no_longer_owed(cohort, registrar, api_as):
    from django.test import Client

    enrollment = factories.apply(cohort, "anna")
    withdraw(enrollment)
    account = account_of(enrollment)
    client = Client()
    client.force_login(registrar)

    page = client.get(f"/office/cohorts/{cohort.pk}/payments/").content.decode()
    page = page.replace("\u00a0", " ")
    body = api_as(registrar).get(f"/payments/accounts/{account.pk}").json()

    assert "Cancelled" in page and "RUB 14,000.00 no longer owed" in page
    assert (body["charged"], body["cancelled"], body["due"]) == ("14000.00", "14000.00", "0.00")

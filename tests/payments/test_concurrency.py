"""Racing refunds never return more than was paid; document numbers never skip or repeat.

As in the admissions races, a slow read is injected between "sum the refunds" and "write
the refund", and the last tests take the lock out to show that the race then breaks the
promise: the guard proven here is the one doing the work.
"""

import contextlib
import time
from collections.abc import Iterator
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction

from kakehashi.core import audit
from kakehashi.core.errors import Conflict
from kakehashi.payments import services
from kakehashi.payments.models import Entry, Kind
from kakehashi.payments.services import entries, figures
from tests.factories import SYSTEM
from tests.payments.conftest import open_account, paid_account
from tests.support.race import race as threads_at_once

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

THREADS = 12


# Only a conflict (nothing left to refund, say) is a clear no in these races; any other
# error is a crash.
race = partial(threads_at_once, refused=Conflict)


@pytest.fixture
def slow_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: summing a payment's refunds takes a while, as on a loaded server."""
    real = figures.refunded_amount

    def slow(payment: Entry) -> Decimal:
        total = real(payment)
        time.sleep(0.03)
        return total

    # Where the refund guard looks it up (every use case calls it through its module).
    monkeypatch.setattr(figures, "refunded_amount", slow)


@contextlib.contextmanager
def locking_removed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Take the account lock out (the document counter and the audit chain keep theirs,
    so what breaks is the refund guard), and plain deferred transactions on SQLite.

    Entered after the payment is made: opening an account without its lock (and its
    counters) would lock a counter after the audit chain, which the lock helper refuses."""

    def no_lock(account_id: int) -> Any:
        return services.Account.objects.select_related("center").get(pk=account_id)

    monkeypatch.setattr(entries, "lock_account", no_lock)
    options = connection.settings_dict.setdefault("OPTIONS", {})
    previous = options.get("transaction_mode")
    if connection.vendor == "sqlite":
        options["transaction_mode"] = "DEFERRED"
    yield
    if connection.vendor == "sqlite":
        options["transaction_mode"] = previous


def refunded(payment: Entry) -> Decimal:
    return sum(
        (e.amount for e in Entry.objects.filter(refund_of=payment, kind=Kind.REFUND)), Decimal(0)
    )


def test_racing_refunds_never_return_more_than_was_paid(center, slow_reads):
    payment = paid_account(center, "10000", "RUB")

    outcome = race(
        THREADS,
        lambda i: services.refund(actor=SYSTEM, payment=payment, amount="3000", reason=f"r{i}"),
    )

    assert outcome.crashes == []
    assert len(outcome.results) == 3  # 3 × 3000 fit in 10000; a fourth would not
    assert all(isinstance(e, services.RefundTooLarge) for e in outcome.refusals)
    assert refunded(payment) == Decimal("9000")
    assert services.verify_ledger() == []


def test_racing_full_refunds_return_the_payment_once(center, slow_reads):
    payment = paid_account(center, "5000", "JPY")

    outcome = race(THREADS, lambda i: services.refund(actor=SYSTEM, payment=payment, reason="x"))

    assert outcome.crashes == []
    assert len(outcome.results) == 1
    assert refunded(payment) == Decimal("5000")


def test_concurrent_payments_at_a_center_are_numbered_without_gaps_or_repeats(center, other_center):
    accounts = [open_account(center, "100", "USD", n=i) for i in range(THREADS)]
    elsewhere = [open_account(other_center, "100", "USD", n=f"v{i}") for i in range(4)]

    def pay(i: int) -> Entry:
        if i < len(elsewhere):
            services.record_payment(actor=SYSTEM, account=elsewhere[i], amount="50")
        if i % 4 == 3:
            # Some requests fail after taking a number: their numbers must come back.
            with transaction.atomic():
                services.record_payment(actor=SYSTEM, account=accounts[i], amount="100")
                raise Conflict("the request failed after numbering")
        return services.record_payment(actor=SYSTEM, account=accounts[i], amount="100")

    outcome = race(THREADS, pay)

    assert outcome.crashes == []
    for where in (center, other_center):
        numbers = sorted(
            Entry.objects.filter(center=where, series="receipt").values_list("number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
    assert len(outcome.results) == THREADS - THREADS // 4
    assert [link for _chain, link in audit.verify()] == [None] * len(list(audit.verify()))


# --- the guard has teeth -------------------------------------------------------------------


def test_without_locking_racing_refunds_overpay_or_crash(center, slow_reads, monkeypatch):
    payment = paid_account(center, "10000", "RUB")

    with locking_removed(monkeypatch):
        outcome = race(
            THREADS,
            lambda i: services.refund(actor=SYSTEM, payment=payment, amount="3000", reason=f"r{i}"),
        )

    if connection.vendor == "sqlite":
        # Deferred transactions read a snapshot, then fail to upgrade to a write: the user
        # would see a 500 ("database is locked") instead of a refund or a clear refusal.
        assert any(isinstance(e, OperationalError) for e in outcome.crashes)
    else:
        # Without the row lock, requests sum the same refunds and all refund.
        assert refunded(payment) > payment.amount

"""Property tests: whatever happens to an account, its balance is the sum of its entries,
no payment is refunded beyond what was paid, and every amount is exact in its currency."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import DomainError
from kakehashi.core.money import quantum
from kakehashi.payments import services
from kakehashi.payments.models import SIGN, Entry, Kind
from tests.factories import SYSTEM
from tests.payments.conftest import open_account, snapshot

pytestmark = pytest.mark.django_db

CURRENCIES = ["JPY", "RUB", "USD"]


def amounts(currency: str) -> st.SearchStrategy[Decimal]:
    places = len(str(quantum(currency)).split(".")[1]) if currency != "JPY" else 0
    return st.decimals(
        min_value=Decimal("0.01") if places else Decimal(1),
        max_value=Decimal(50000),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


operations = st.lists(
    st.tuples(
        st.sampled_from(["due", "discount", "pay", "refund", "refund_rest"]),
        st.integers(min_value=0, max_value=10),
        st.data(),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(currency=st.sampled_from(CURRENCIES), steps=operations, first=st.data())
def test_any_sequence_keeps_the_ledger_consistent(center, registrar, currency, steps, first):
    account = open_account(
        center, first.draw(amounts(currency)), currency, subject=f"prop:{Entry.objects.count()}"
    )
    for operation, pick, data in steps:
        before = snapshot()
        amount = data.draw(amounts(currency))
        payments = list(account.entries.filter(kind=Kind.PAYMENT).order_by("pk"))
        try:
            if operation == "due":
                services.record_amount_due(
                    actor=SYSTEM,
                    center=center,
                    subject=account.subject,
                    amount=amount,
                    currency=currency,
                    description="More",
                    payer=services.Payer(name="P", email="p@example.org"),
                )
            elif operation == "discount":
                services.grant_discount(
                    actor=StaffActor(registrar), account=account, amount=amount, reason="r"
                )
            elif operation == "pay":
                services.record_payment(actor=StaffActor(registrar), account=account, amount=amount)
            elif payments:
                payment = payments[pick % len(payments)]
                services.refund(
                    actor=StaffActor(registrar),
                    payment=payment,
                    amount=amount if operation == "refund" else None,
                    reason="r",
                )
        except DomainError:
            assert snapshot() == before  # a refusal changes nothing
        else:
            after = snapshot()
            assert after[: len(before)] == before  # only ever appended

        entries = list(account.entries.all())
        balance = services.balance_of(account)
        assert balance.due == sum((e.amount * SIGN[e.kind] for e in entries), Decimal(0))
        assert balance.due >= 0  # offline payments and discounts never exceed what is due
        for entry in entries:
            assert entry.amount > 0
            assert entry.amount == entry.amount.quantize(quantum(currency))
            assert entry.currency == currency
        for payment in account.entries.filter(kind=Kind.PAYMENT):
            refunded = sum((r.amount for r in payment.refunds.all()), Decimal(0))
            assert refunded <= payment.amount
    assert services.verify_ledger() == []

"""What an account says: its figures, summed exactly from its entries every time (nothing
stores a balance), and what is left to refund of a payment."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kakehashi.core.money import format_money
from kakehashi.payments.models import Account, CardRefund, Entry, Kind


@dataclass
class Balance:
    """An account's figures, summed from its entries."""

    currency: str
    charged: Decimal = Decimal(0)
    discounted: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    cancelled: Decimal = Decimal(0)

    FIGURES = {
        Kind.CHARGE: "charged",
        Kind.DISCOUNT: "discounted",
        Kind.PAYMENT: "paid",
        Kind.REFUND: "refunded",
        Kind.CANCELLATION: "cancelled",
    }

    def add(self, kind: str, amount: Decimal) -> None:
        name = self.FIGURES[Kind(kind)]
        setattr(self, name, getattr(self, name) + amount)

    @property
    def due(self) -> Decimal:
        """What the payer still owes; negative when they paid more (a credit)."""
        return self.charged - self.cancelled - self.discounted - self.paid + self.refunded

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.refunded

    @property
    def state(self) -> str:
        if self.due > 0:
            return "owes"
        if self.due < 0:
            return "credit"
        # Settled: something was owed (not all of it cancelled) and nothing is left.
        return "paid" if self.charged > self.cancelled else "nothing"

    def formatted(self, amount: Decimal) -> str:
        return format_money(amount, self.currency)


def balance_of(account: Account) -> Balance:
    """The account's balance, summed exactly from its entries."""
    return balances([account])[account.pk]


def balances(accounts: Iterable[Account]) -> dict[int, Balance]:
    """Balances of many accounts from one query of their entries."""
    result = {account.pk: Balance(currency=account.currency) for account in accounts}
    rows = Entry.objects.filter(account_id__in=list(result)).values_list(
        "account_id", "kind", "amount"
    )
    # Summed here in Decimal, not by the database: SQLite would add the amounts as floats.
    for account_id, kind, amount in rows:
        result[account_id].add(kind, amount)
    return result


def refunded_amount(payment: Entry) -> Decimal:
    """How much of ``payment`` has been refunded so far."""
    return sum(
        (
            amount
            for amount in Entry.objects.filter(refund_of=payment).values_list("amount", flat=True)
        ),
        Decimal(0),
    )


def pending_refund_amount(payment: Entry) -> Decimal:
    """How much of ``payment`` is being refunded at the card provider, not yet settled."""
    return sum(
        (
            amount
            for amount in CardRefund.objects.filter(
                payment=payment, status=CardRefund.Status.PENDING
            ).values_list("amount", flat=True)
        ),
        Decimal(0),
    )


def refundable(payment: Entry) -> Decimal:
    """What is left to refund of ``payment``: a refund pending at the card provider is
    already spoken for, so a second refund cannot give the same money back again."""
    return payment.amount - refunded_amount(payment) - pending_refund_amount(payment)

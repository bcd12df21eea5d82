"""A center's ledger as people read it: entries in order with running balances, and each
currency's totals. Shared by the office page and the exports, so they always agree."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kakehashi.core.money import format_money
from kakehashi.network.models import Center
from kakehashi.payments import services
from kakehashi.payments.models import SIGN, Entry


@dataclass(frozen=True)
class LedgerLine:
    """One entry, with the balance of its account after it."""

    entry: Entry
    recorded_at: datetime.datetime  # at the center's local time
    signed_amount: Decimal  # what it adds to the amount owed
    account_balance: Decimal  # what the account owes after this entry

    @property
    def amount_shown(self) -> str:
        return format_money(self.entry.amount, self.entry.currency)

    @property
    def balance_shown(self) -> str:
        return format_money(self.account_balance, self.entry.currency)


def center_ledger(center: Center) -> dict[str, Any]:
    """Every entry of ``center`` in the order it was recorded, and per-currency totals."""
    entries = (
        Entry.objects.filter(center=center)
        .select_related("account", "recorded_by")
        .order_by("created_at", "pk")
    )
    running: dict[int, Decimal] = {}
    totals: dict[str, services.Balance] = {}
    lines = []
    zone = center.tzinfo
    for entry in entries:
        signed = entry.amount * SIGN[entry.kind]
        running[entry.account_id] = running.get(entry.account_id, Decimal(0)) + signed
        totals.setdefault(entry.currency, services.Balance(entry.currency)).add(
            entry.kind, entry.amount
        )
        lines.append(
            LedgerLine(
                entry=entry,
                recorded_at=timezone.localtime(entry.created_at, zone),
                signed_amount=signed,
                account_balance=running[entry.account_id],
            )
        )
    return {
        "lines": lines,
        "totals": [
            {
                "currency": code,
                "balance": total,
                "charged": format_money(total.charged, code),
                "cancelled": format_money(total.cancelled, code),
                "discounted": format_money(total.discounted, code),
                "paid": format_money(total.paid, code),
                "refunded": format_money(total.refunded, code),
                "due": format_money(total.due, code),
            }
            for code, total in sorted(totals.items())
        ],
    }

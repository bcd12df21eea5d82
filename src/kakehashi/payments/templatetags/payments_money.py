"""Showing amounts of the ledger in templates, as the active language writes them."""

from django import template

from kakehashi.core.money import format_money
from kakehashi.payments.models import Entry
from kakehashi.payments.services import Balance

register = template.Library()


@register.filter
def money(balance: Balance, figure: str) -> str:
    """``{{ balance|money:"due" }}``: one figure of a balance in its currency."""
    return format_money(getattr(balance, figure), balance.currency)


@register.filter
def entry_money(entry: Entry) -> str:
    return format_money(entry.amount, entry.currency)

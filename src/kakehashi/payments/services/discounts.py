"""Scholarships and discounts: lowering what a payer owes, with the reason why."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.core.actors import Actor
from kakehashi.core.errors import InvalidInput
from kakehashi.core.money import format_money, to_amount
from kakehashi.network.services import ensure_writable
from kakehashi.payments.models import Account, Entry, Kind
from kakehashi.payments.services import entries, figures


@transaction.atomic
def grant_discount(*, actor: Actor, account: Account, amount: object, reason: str) -> Entry:
    """Lower what the payer owes (a scholarship, a discount), with the reason why.

    A discount never exceeds what is still due: it cannot turn into money owed back.
    """
    account = entries.lock_account(account.pk)
    entries.require(actor, account.center)
    ensure_writable(account.center)
    value = to_amount(amount, account.currency, positive=True)
    reason = entries.clean_reason(reason, required=True)
    due = figures.balance_of(account).due
    if value > due:
        raise InvalidInput(
            _("A discount of %(amount)s is more than the %(due)s still due.")
            % {
                "amount": format_money(value, account.currency),
                "due": format_money(max(due, Decimal(0)), account.currency),
            },
            fields={"amount": _("Enter at most the amount still due.")},
        )
    return entries.write_entry(account, actor, kind=Kind.DISCOUNT, amount=value, reason=reason)

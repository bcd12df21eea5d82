"""Money received at the center: a bank transfer or cash at the desk, recorded by staff.
(Card payments arrive through the provider: ``kakehashi.payments.webhooks``.)"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import choice_list, clean_text
from kakehashi.core.errors import InvalidInput
from kakehashi.core.money import format_money, to_amount
from kakehashi.network.services import ensure_writable
from kakehashi.payments.models import Account, Entry, Kind, Method
from kakehashi.payments.services import entries, figures

OFFLINE_METHODS = (Method.BANK_TRANSFER, Method.CASH)


@transaction.atomic
def record_payment(
    *,
    actor: Actor,
    account: Account,
    amount: object,
    method: str = Method.BANK_TRANSFER,
    external_reference: str = "",
    note: str = "",
) -> Entry:
    """Record money received at the center: a bank transfer or cash at the desk.

    Staff record at most what is still due; money paid by card arrives through the
    provider (``record_card_payment``), never here.
    """
    account = entries.lock_account(account.pk)
    entries.require(actor, account.center)
    ensure_writable(account.center)
    if method not in OFFLINE_METHODS:
        raise InvalidInput(
            _("%(method)s is not a way staff record a payment.") % {"method": method or "''"},
            fields={
                "method": _("Choose one of: %(choices)s.")
                % {"choices": choice_list((m, m.label) for m in OFFLINE_METHODS)}
            },
        )
    value = to_amount(amount, account.currency, positive=True)
    external_reference = clean_text("external_reference", external_reference, max_length=200)
    note = entries.clean_reason(note, required=False)
    due = figures.balance_of(account).due
    if value > due:
        raise InvalidInput(
            _("A payment of %(amount)s is more than the %(due)s still due.")
            % {
                "amount": format_money(value, account.currency),
                "due": format_money(max(due, Decimal(0)), account.currency),
            },
            fields={"amount": _("Enter at most the amount still due.")},
        )
    return entries.write_entry(
        account,
        actor,
        kind=Kind.PAYMENT,
        amount=value,
        method=method,
        reason=note,
        external_reference=external_reference,
    )

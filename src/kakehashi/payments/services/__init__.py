"""The ledger's use cases: amounts due, scholarships and discounts, payments and refunds.

Every use case locks the account row first and then reads its entries again, so what is
due, paid and refundable is decided on fresh facts by one request at a time per account.
Lock order is always: account, then the center's document counter, then the audit chain.
Balances are summed from the entries every time; nothing stores one.

One module per use case; the names other code uses are all here, so that
``from kakehashi.payments import services`` is the only import anyone needs:

- ``figures``: what an account says (``Balance``, ``balance_of``, ``refundable``);
- ``entries``: the steps every use case shares (locking, numbering, ``write_entry``);
- ``amounts_due``: ``record_amount_due``, ``cancel_amount_due`` (and ``Payer``);
- ``discounts``: ``grant_discount``;
- ``offline_payments``: ``record_payment``;
- ``refunds``: ``refund``, ``refund_by_rule``, ``set_refund_rule`` and the rule's amount;
- ``verification``: ``verify_ledger``;
- ``webhook_events``: ``claim_webhook_event``.
"""

from kakehashi.core.errors import Conflict
from kakehashi.payments.models import (
    Account,
    DocumentCounter,
    Entry,
    Kind,
    Method,
    RefundPolicy,
    RefundRule,
)
from kakehashi.payments.services.amounts_due import Payer, cancel_amount_due, record_amount_due
from kakehashi.payments.services.discounts import grant_discount
from kakehashi.payments.services.entries import (
    SERIES,
    SERIES_PREFIX,
    document_number,
    lock_account,
    write_entry,
)
from kakehashi.payments.services.figures import (
    Balance,
    balance_of,
    balances,
    refundable,
    refunded_amount,
)
from kakehashi.payments.services.offline_payments import OFFLINE_METHODS, record_payment
from kakehashi.payments.services.refunds import (
    RefundTooLarge,
    amount_by_rule,
    refund,
    refund_by_rule,
    refund_rule_for,
    set_refund_rule,
)
from kakehashi.payments.services.verification import verify_ledger
from kakehashi.payments.services.webhook_events import claim_webhook_event

__all__ = [
    "OFFLINE_METHODS",
    "SERIES",
    "SERIES_PREFIX",
    "Account",
    "Balance",
    "Conflict",
    "DocumentCounter",
    "Entry",
    "Kind",
    "Method",
    "Payer",
    "RefundPolicy",
    "RefundRule",
    "RefundTooLarge",
    "amount_by_rule",
    "balance_of",
    "balances",
    "cancel_amount_due",
    "claim_webhook_event",
    "document_number",
    "grant_discount",
    "lock_account",
    "record_amount_due",
    "record_payment",
    "refund",
    "refund_by_rule",
    "refund_rule_for",
    "refundable",
    "refunded_amount",
    "set_refund_rule",
    "verify_ledger",
    "write_entry",
]

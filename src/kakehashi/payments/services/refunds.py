"""Refunds: by hand or by the cohort's refund rule, never more than was paid however
many race, and the refund rules themselves."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import choice_list, clean_text
from kakehashi.core.errors import Conflict, InvalidInput, NotFound
from kakehashi.core.locking import lock_row
from kakehashi.core.money import format_money, to_amount
from kakehashi.network.models import Center
from kakehashi.network.services import ensure_writable
from kakehashi.payments import refund_rules
from kakehashi.payments.models import (
    Account,
    CardRefund,
    Entry,
    Kind,
    Method,
    RefundPolicy,
    RefundRule,
)
from kakehashi.payments.services import entries, figures


class RefundTooLarge(Conflict):
    code = "refund_too_large"


def _lock_payment(payment_id: int) -> tuple[Account, Entry]:
    """Lock the payment's account, then read the payment afresh."""
    try:
        account_id = Entry.objects.values_list("account_id", flat=True).get(
            pk=payment_id, kind=Kind.PAYMENT
        )
    except Entry.DoesNotExist:
        raise NotFound(_("There is no such payment.")) from None
    account = entries.lock_account(account_id)
    return account, Entry.objects.get(pk=payment_id)


def _check_refund(account: Account, payment: Entry, value: Decimal) -> None:
    remaining = figures.refundable(payment)
    if value > remaining:
        raise RefundTooLarge(
            _("Only %(remaining)s of this payment is left to refund.")
            % {"remaining": format_money(remaining, account.currency)},
            fields={"amount": _("Enter at most the amount left to refund.")},
        )


def _refund(
    actor: Actor, account: Account, payment: Entry, value: Decimal, reason: str
) -> Entry | CardRefund:
    _check_refund(account, payment, value)
    if payment.method == Method.CARD:
        # Imported here: card refunds build on this module.
        from kakehashi.payments import card_refunds

        return card_refunds.request(
            actor=actor, account=account, payment=payment, amount=value, reason=reason
        )
    return entries.write_entry(
        account,
        actor,
        kind=Kind.REFUND,
        amount=value,
        method=payment.method,
        refund_of=payment,
        reason=reason,
    )


@transaction.atomic
def refund(
    *, actor: Actor, payment: Entry, amount: object | None = None, reason: str
) -> Entry | CardRefund:
    """Return money from one payment, as a new entry; all that is left of it when no amount
    is given. Never more than was paid, however many refunds race: the account is locked
    and the payment's refunds are summed afresh. A card payment is refunded through its
    provider: it is recorded pending and asked of the provider after commit (see
    ``kakehashi.payments.card_refunds``), and the pending refund is returned."""
    account, payment = _lock_payment(payment.pk)
    entries.require(actor, account.center)
    ensure_writable(account.center)
    reason = entries.clean_reason(reason, required=True)
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        value = figures.refundable(payment)
        if value <= 0:
            raise RefundTooLarge(_("This payment has already been refunded in full."))
    else:
        value = to_amount(amount, account.currency, positive=True)
    return _refund(actor, account, payment, value, reason)


def refund_rule_for(account: Account) -> str:
    policy = RefundPolicy.objects.filter(group=account.group).first() if account.group else None
    return policy.rule if policy is not None else RefundRule.NONE


def amount_by_rule(
    account: Account, payment: Entry, *, today: datetime.date | None = None
) -> Decimal:
    """What the account's refund rule gives back of ``payment`` now, minus what was
    already refunded of it."""
    rule = refund_rule_for(account)
    today = today or timezone.localdate(timezone=account.center.tzinfo)
    entitled = refund_rules.entitlement(
        rule=rule,
        paid=payment.amount,
        currency=account.currency,
        today=today,
        starts_on=account.starts_on,
        progress=refund_rules.progress_of(account.subject),
    )
    refunded = figures.refunded_amount(payment) + figures.pending_refund_amount(payment)
    return max(Decimal(0), min(entitled - refunded, figures.refundable(payment)))


@transaction.atomic
def refund_by_rule(*, actor: Actor, payment: Entry, reason: str = "") -> Entry | CardRefund:
    """Refund what the cohort's refund rule gives back of ``payment`` (full before the
    start, then pro rata of the sessions not attended, ...)."""
    account, payment = _lock_payment(payment.pk)
    entries.require(actor, account.center)
    ensure_writable(account.center)
    reason = entries.clean_reason(reason, required=False) or _("Refund by the refund rule")
    value = amount_by_rule(account, payment)
    if value <= 0:
        raise RefundTooLarge(_("The refund rule gives nothing more back of this payment."))
    return _refund(actor, account, payment, value, reason)


@transaction.atomic
def set_refund_rule(*, actor: Actor, center: Center, group: str, rule: str) -> RefundPolicy:
    """Set the refund rule of a group of accounts (a cohort's)."""
    entries.require(actor, center)
    ensure_writable(center)
    group = clean_text("group", group, max_length=100, required=True)
    if rule not in RefundRule.values:
        raise InvalidInput(
            _("%(rule)s is not a refund rule.") % {"rule": rule or "''"},
            fields={
                "rule": _("Choose one of: %(choices)s.")
                % {"choices": choice_list(RefundRule.choices)}
            },
        )
    policy = RefundPolicy.objects.filter(group=group).first()
    if policy is not None and policy.center_id != center.pk:
        raise NotFound(_("There is no such group at this center."))
    if policy is None:
        try:
            with transaction.atomic():
                policy = RefundPolicy.objects.create(center=center, group=group, rule=rule)
        except IntegrityError:
            policy = RefundPolicy.objects.get(group=group)
    policy = lock_row(RefundPolicy.objects.all(), pk=policy.pk)
    previous = policy.rule
    policy.rule = rule
    policy.updated_at = timezone.now()
    policy.save(update_fields=["rule", "updated_at"])
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action="payments.refund_rule.set",
        actor=actor,
        target=policy,
        data={"group": group, "rule": rule, "previous": previous},
    )
    return policy

"""Card refunds after commit: no call to the card provider while a database lock is held.

A card refund is three steps, each in its own transaction or none:

1. ``request`` (inside ``services.refund``, with the account locked): records a *pending*
   ``CardRefund``, whose amount already counts as refunded, and its audit event; after
   commit it schedules the job.
2. ``send`` (the job, ``payments.tasks.send_card_refund``): asks the provider, holding no
   lock and outside any transaction, with the refund's own idempotency key, so a retry
   is answered with the first refund, never a second one.
3. ``settle`` (a transaction of its own): locks the account and the pending refund, and
   writes the ledger's refund entry once. The provider's ``charge.refunded`` webhook may
   settle it first (``settle_from_webhook``); whichever comes second finds it settled.

A provider failure leaves the refund pending and counts the attempt; the job retries it,
and after ``MAX_ATTEMPTS`` the refund is marked failed, which gives its amount back to
what may be refunded.
"""

import datetime
import logging
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.actors import Actor, StaffActor, SystemActor, acting_user
from kakehashi.core.errors import Conflict
from kakehashi.core.locking import lock_row, lock_rows
from kakehashi.core.money import to_minor
from kakehashi.payments import services
from kakehashi.payments.models import Account, CardRefund, Entry, Kind, Method
from kakehashi.payments.providers import ProviderError, card_provider

SYSTEM = SystemActor("payments.card_refunds")
log = logging.getLogger(__name__)

# Attempts at the provider before a refund is marked failed for a person to look at.
MAX_ATTEMPTS = 5


def request(
    *, actor: Actor, account: Account, payment: Entry, amount: Decimal, reason: str
) -> CardRefund:
    """Record a pending refund of a card payment, inside the caller's transaction with the
    account locked (``services.refund`` has checked the amount); the provider is asked
    after commit."""
    if card_provider() is None:
        raise Conflict(
            _("Card refunds are not available here: the card provider is not configured.")
        )
    # Counted under the account's lock, so the number (and the key) is this refund's alone.
    count = CardRefund.objects.filter(payment=payment).count()
    minor = to_minor(amount, account.currency)
    refund = CardRefund.objects.create(
        account=account,
        payment=payment,
        amount=amount,
        currency=account.currency,
        reason=reason,
        idempotency_key=f"kakehashi-refund-{payment.pk}-{count + 1}-{minor}",
        requested_by=acting_user(actor),
    )
    audit.record(
        chain_key=audit.chain_key_for_center(account.center_id),
        action="payments.card_refund.requested",
        actor=actor,
        target=refund,
        data={
            "payment": payment.pk,
            "amount": str(amount),
            "currency": account.currency,
            "reason": reason,
        },
    )
    transaction.on_commit(partial(_schedule, refund.pk))
    return refund


def _schedule(refund_id: int) -> None:
    from kakehashi.payments.tasks import send_card_refund  # tasks import this module

    send_card_refund(refund_id)


def send(refund_id: int) -> str:
    """Ask the provider for one pending refund and record the outcome; returns its status.

    Runs outside any transaction: the provider may take seconds (or hang until its
    timeout), and nothing is locked meanwhile. Raises ProviderError after a failed attempt
    that leaves the refund pending, so the job queue retries it.
    """
    refund = CardRefund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != CardRefund.Status.PENDING:
        return refund.status
    provider = card_provider()
    if provider is None:
        raise Conflict(_("Card refunds are not available: the card provider is not configured."))
    try:
        result = provider.refund(
            payment_intent=refund.payment.external_reference,
            amount_minor=to_minor(refund.amount, refund.currency),
            idempotency_key=refund.idempotency_key,
            reason=refund.reason,
        )
    except ProviderError as error:
        status = _record_failure(refund_id, error)
        if status == CardRefund.Status.PENDING:
            raise
        return status
    return settle(refund_id, provider_refund_id=result.refund_id)


@transaction.atomic
def _record_failure(refund_id: int, error: ProviderError) -> str:
    account_id = CardRefund.objects.values_list("account_id", flat=True).get(pk=refund_id)
    services.lock_account(account_id)
    refund = lock_row(CardRefund.objects.all(), pk=refund_id)
    if refund.status != CardRefund.Status.PENDING:
        return refund.status
    refund.attempts += 1
    refund.last_error = error.message
    fields = ["attempts", "last_error"]
    if refund.attempts >= MAX_ATTEMPTS:
        refund.status = CardRefund.Status.FAILED
        refund.settled_at = timezone.now()
        fields += ["status", "settled_at"]
    refund.save(update_fields=fields)
    if refund.status == CardRefund.Status.FAILED:
        audit.record(
            chain_key=audit.chain_key_for_center(refund.account.center_id),
            action="payments.card_refund.failed",
            actor=SYSTEM,
            target=refund,
            data={"attempts": refund.attempts, "error": refund.last_error},
        )
    log.warning("card refund %s failed (attempt %s): %s", refund_id, refund.attempts, error)
    return refund.status


def _settle_locked(refund: CardRefund, account: Account, *, provider_refund_id: str) -> Entry:
    """Write the ledger entry of a pending refund; the account and the refund are locked."""
    entry = services.write_entry(
        account,
        # The refund is the requester's, though the job or the webhook settles it.
        StaffActor(refund.requested_by) if refund.requested_by is not None else SYSTEM,
        kind=Kind.REFUND,
        amount=refund.amount,
        method=Method.CARD,
        refund_of=refund.payment,
        reason=refund.reason,
        external_reference=provider_refund_id,
        key=f"stripe:refund:{refund.idempotency_key}",
    )
    refund.status = CardRefund.Status.REFUNDED
    refund.provider_refund_id = provider_refund_id
    refund.entry = entry
    refund.settled_at = timezone.now()
    refund.save(update_fields=["status", "provider_refund_id", "entry", "settled_at"])
    return entry


@transaction.atomic
def settle(refund_id: int, *, provider_refund_id: str) -> str:
    """Record that the provider refunded ``refund_id``: its ledger entry, once."""
    account_id = CardRefund.objects.values_list("account_id", flat=True).get(pk=refund_id)
    account = services.lock_account(account_id)
    refund = lock_row(CardRefund.objects.select_related("payment"), pk=refund_id)
    if refund.status == CardRefund.Status.PENDING:
        _settle_locked(refund, account, provider_refund_id=provider_refund_id)
    return refund.status


def settle_from_webhook(account: Account, payment: Entry, refunded_there: Decimal) -> Decimal:
    """Settle the pending refunds of ``payment`` that the provider says it has made, inside
    the webhook's transaction with the account locked; returns what the provider refunded
    beyond them (a refund made in its dashboard).

    The provider's ``amount_refunded`` is cumulative, so pending refunds are confirmed
    oldest first while they fit in what it has refunded beyond the ledger's entries.
    """
    pending_ids = CardRefund.objects.filter(
        payment=payment, status=CardRefund.Status.PENDING
    ).values_list("pk", flat=True)
    pending = lock_rows(CardRefund.objects.select_related("payment"), list(pending_ids))
    beyond = refunded_there - services.refunded_amount(payment)
    for refund in sorted(pending, key=lambda r: (r.created_at, r.pk)):
        if refund.amount > beyond:
            break
        _settle_locked(refund, account, provider_refund_id=refund.provider_refund_id)
        beyond -= refund.amount
    return beyond


def send_pending(*, older_than_seconds: int = 600) -> int:
    """Send pending refunds whose own job was lost (a restart, a queue outage)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    settled = 0
    for refund_id in CardRefund.objects.filter(
        status=CardRefund.Status.PENDING, created_at__lt=cutoff
    ).values_list("pk", flat=True):
        try:
            settled += send(refund_id) == CardRefund.Status.REFUNDED
        except ProviderError:  # counted on the refund; the next sweep tries again
            log.info("card refund %s is still pending", refund_id)
    return settled

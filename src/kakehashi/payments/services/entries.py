"""The steps every use case shares, inside its transaction: locking the account, checking
who acts, numbering documents, and writing an entry with its audit event and its mail.

Lock order is always: the account, then the center's document counter, then the audit
chain. Other modules of the package call these through the module (``entries.lock_account``)
so that a test can take a step out in one place.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.actors import Actor, acting_user
from kakehashi.core.cleaning import clean_text
from kakehashi.core.locking import lock_row, lock_rows
from kakehashi.core.roles import Perm
from kakehashi.network import access
from kakehashi.network.models import Center
from kakehashi.payments import mail
from kakehashi.payments.models import Account, DocumentCounter, Entry, Kind
from kakehashi.payments.services import figures

# Each kind of document has its own gap-free series per center.
SERIES = {Kind.CHARGE: "invoice", Kind.PAYMENT: "receipt", Kind.REFUND: "refund"}
SERIES_PREFIX = {"invoice": "INV", "receipt": "REC", "refund": "REF"}


def lock_account(account_id: int) -> Account:
    """Lock the account, then its center's document counters (in order of key).

    The counters are taken now, with the account, because a use case may write several
    entries and so record an audit event before it numbers the next document: a counter
    locked after the center's audit chain could deadlock with a change that holds the
    counter and waits for the chain. They are per center, like the chain every ledger
    change of the center waits for anyway, so this costs no concurrency.
    """
    account = lock_row(Account.objects.select_related("center"), pk=account_id)
    lock_counters(account.center_id)
    return account


def lock_counters(center_id: int) -> None:
    """Lock every document counter of the center, in order of key, creating missing ones."""
    counters = [
        DocumentCounter.objects.get_or_create(center_id=center_id, series=series)[0].pk
        for series in SERIES.values()
    ]
    lock_rows(DocumentCounter.objects.all(), counters)


def require(actor: Actor, center: Center, perm: Perm = Perm.TAKE_PAYMENTS) -> None:
    # Staff by their roles at the center; the system (a provider's webhook, a job) for what
    # it was started to do; nobody else takes or returns money by hand.
    access.authorize(actor, perm, network=center.network_id, center=center)


def next_number(center: Center, series: str) -> int:
    """The next number of ``series`` at ``center``, with its counter row locked until the
    transaction ends: a rollback gives the number back, so the series has no gaps."""
    counter, _created = DocumentCounter.objects.get_or_create(center=center, series=series)
    counter = lock_row(DocumentCounter.objects.all(), pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def document_number(center: Center, series: str, number: int) -> str:
    return f"{center.slug.upper()}-{SERIES_PREFIX[series]}-{number:06d}"


def write_entry(
    account: Account,
    actor: Actor,
    *,
    kind: str,
    amount: Decimal,
    method: str = "",
    refund_of: Entry | None = None,
    reason: str = "",
    external_reference: str = "",
    key: str = "",
) -> Entry:
    """Insert one entry (numbered if its kind has documents) and its audit event."""
    center = account.center
    series = SERIES.get(Kind(kind))
    # The document number first: its counter is a domain row, locked before any audit chain
    # (the cancellation below records an audit event).
    number = next_number(center, series) if series is not None else None
    if kind == Kind.REFUND:
        _keep_cancelled(account, actor, amount)
    entry = Entry(
        account=account,
        center=center,
        kind=kind,
        amount=amount,
        currency=account.currency,
        method=method,
        refund_of=refund_of,
        reason=reason,
        external_reference=external_reference,
        key=key,
        recorded_by=acting_user(actor),
        created_at=timezone.now(),
    )
    if series is not None and number is not None:
        entry.series = series
        entry.number = number
        entry.document_number = document_number(center, series, number)
    entry.save()
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action=f"payments.entry.{kind}",
        actor=actor,
        target=entry,
        data={
            "account": account.pk,
            "subject": account.subject,
            "amount": str(amount),
            "currency": account.currency,
            "method": method,
            "refund_of": refund_of.pk if refund_of is not None else None,
            "number": entry.document_number,
            "reason": reason,
            "key": key,
        },
    )
    # In this transaction, after every lock is taken: the invoice, receipt or refund note
    # is mailed if and only if the entry commits.
    mail.queue_document_mail(entry)
    return entry


def _keep_cancelled(account: Account, actor: Actor, refunded: Decimal) -> None:
    """An account whose amount due was cancelled (the payer left before the start) owes
    nothing ever again: money paid back to the payer would otherwise be owed anew, so what
    a refund would reopen is cancelled too, just before the refund entry."""
    if not Entry.objects.filter(account=account, kind=Kind.CANCELLATION).exists():
        return
    reopened = figures.balance_of(account).due + refunded
    if reopened > 0:
        write_entry(
            account,
            actor,
            kind=Kind.CANCELLATION,
            amount=min(reopened, refunded),
            reason=_("Refunded after what was due had been cancelled"),
        )


def find_by_key(account: Account, key: str) -> Entry | None:
    return Entry.objects.filter(account=account, key=key).first() if key else None


def clean_reason(reason: str, *, required: bool) -> str:
    return clean_text("reason", reason, max_length=2000, required=required)

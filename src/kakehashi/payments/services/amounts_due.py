"""Amounts due: recorded by the app that owns what is paid for (an enrollment), opening
the payer's account on the first one, and cancelled when the payer leaves before it begins."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import clean_text
from kakehashi.core.errors import InvalidInput
from kakehashi.core.money import check_currency, to_amount
from kakehashi.network.models import Center
from kakehashi.network.services import ensure_writable
from kakehashi.payments.models import Account, Entry, Kind
from kakehashi.payments.services import entries, figures


@dataclass(frozen=True)
class Payer:
    """Who pays, as the app that knows them describes them."""

    name: str
    email: str
    language: str = ""
    ref: str = ""  # e.g. "admissions.participant:5"
    user_id: int | None = None

    def cleaned(self) -> "Payer":
        email = clean_text("email", self.email, max_length=254, required=True).lower()
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                _("%(email)s is not a valid email address.") % {"email": self.email or "''"},
                fields={"email": _("Enter a valid email address.")},
            ) from None
        return Payer(
            name=clean_text("full_name", self.name, max_length=200, required=True),
            email=email,
            language=clean_text("language", self.language, max_length=8),
            ref=clean_text("payer", self.ref, max_length=100),
            user_id=self.user_id,
        )


def _open_account(
    *,
    actor: Actor,
    center: Center,
    subject: str,
    currency: str,
    description: str,
    payer: Payer,
    group: str,
    starts_on: datetime.date | None,
) -> Account:
    account = Account.objects.filter(subject=subject).first()
    if account is not None:
        if account.currency != currency:
            raise InvalidInput(
                _("This account is kept in %(currency)s; record amounts in it.")
                % {"currency": account.currency},
                fields={"currency": _("Use %(currency)s.") % {"currency": account.currency}},
            )
        return entries.lock_account(account.pk)
    account = Account.objects.create(
        center=center,
        subject=subject,
        group=group,
        description=description,
        currency=currency,
        payer_ref=payer.ref,
        payer_user_id=payer.user_id,
        payer_name=payer.name,
        payer_email=payer.email,
        payer_language=payer.language,
        starts_on=starts_on,
    )
    # Locked before the audit chain, like every domain row (kakehashi.core.locking).
    account = entries.lock_account(account.pk)
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action="payments.account.opened",
        actor=actor,
        target=account,
        data={
            "subject": subject,
            "group": group,
            "currency": currency,
            "payer": payer.ref or payer.email,
            "reference": account.reference,
        },
    )
    return account


def record_amount_due(
    *,
    actor: Actor,
    center: Center,
    subject: str,
    amount: object,
    currency: str,
    description: str,
    payer: Payer,
    group: str = "",
    starts_on: datetime.date | None = None,
    key: str = "",
) -> Entry:
    """Record that ``payer`` owes ``amount`` for ``subject``, opening its account if needed.

    Called by the app that owns the subject, inside its own transaction (an enrollment
    becoming ``enrolled``), so no permission is checked here. With a ``key``, recording
    the same amount due twice returns the first entry.
    """
    code = check_currency(currency)
    value = to_amount(amount, code, positive=True)
    payer = payer.cleaned()
    subject = clean_text("subject", subject, max_length=100, required=True)
    description = clean_text("description", description, max_length=300, required=True)
    group = clean_text("group", group, max_length=100)
    with transaction.atomic():
        ensure_writable(center)
        account = _open_account(
            actor=actor,
            center=center,
            subject=subject,
            currency=code,
            description=description,
            payer=payer,
            group=group,
            starts_on=starts_on,
        )
        existing = entries.find_by_key(account, key)
        if existing is not None:
            return existing
        return entries.write_entry(account, actor, kind=Kind.CHARGE, amount=value, key=key)


@transaction.atomic
def cancel_amount_due(*, actor: Actor, subject: str, reason: str = "") -> Entry | None:
    """What is still owed for ``subject`` is no longer owed: record its cancellation as a
    new entry (never an edit). Money already paid stays paid: staff refund it, by the
    rule or by hand, if they decide to. Returns None when nothing is owed.

    Called by the app that owns the subject, inside its own transaction (a participant
    withdrawing before the cohort starts), which decides when owing ends, so no
    permission is checked here.
    """
    account_id = Account.objects.filter(subject=subject).values_list("pk", flat=True).first()
    if account_id is None:
        return None
    account = entries.lock_account(account_id)
    ensure_writable(account.center)
    due = figures.balance_of(account).due
    if due <= 0:
        return None
    reason = entries.clean_reason(reason, required=False) or _("No longer owed")
    return entries.write_entry(account, actor, kind=Kind.CANCELLATION, amount=due, reason=reason)

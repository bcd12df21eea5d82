"""The money ledger: accounts (what someone owes for one thing) and their immutable entries.

An account is opened for one *subject* named by a reference string
(``admissions.enrollment:123``, later ``giving.pledge:7``), so that payments depends on no
app above it. Everything an account's balance says is summed from its entries; nothing
stores a balance. Entries are only ever inserted: the model, its queryset and (where the
database can say so cheaply) a trigger refuse to change or delete one. A refund is a new
entry pointing at the payment it returns.
"""

import secrets
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.network.models import Center

# Bank-transfer references avoid letters people confuse (0/O, 1/I/L) when they copy them
# into a payment order by hand.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"KH-{code[:4]}-{code[4:]}"


class Account(models.Model):
    """What one payer owes for one subject, at one center, in one currency.

    ``subject`` names what is paid for (``admissions.enrollment:123``); ``group`` gathers
    accounts shown together (``catalog.cohort:12``); ``payer_ref`` names the payer for the
    app that knows them (``admissions.participant:5``). ``reference`` is what the payer
    writes on a bank transfer or says at the cash desk.
    """

    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="payment_accounts",
        verbose_name=_("center"),
    )
    subject = models.CharField(_("paid for"), max_length=100, unique=True)
    group = models.CharField(_("group"), max_length=100, blank=True, db_index=True)
    description = models.CharField(_("description"), max_length=300)
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(
        _("payment reference"), max_length=20, unique=True, default=new_reference
    )
    payer_ref = models.CharField(_("payer"), max_length=100, blank=True, db_index=True)
    payer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payment_accounts",
        verbose_name=_("payer's account"),
    )
    payer_name = models.CharField(_("payer's name"), max_length=200)
    payer_email = models.EmailField(_("payer's email"))
    # Receipts and mail sent later, by a background job, are written in this language.
    payer_language = models.CharField(
        _("payer's language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    # When what is paid for begins (a cohort's first day): refund rules are measured from it.
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")
        ordering = ["center", "created_at", "pk"]
        indexes = [models.Index(fields=["center", "created_at"])]

    def __str__(self) -> str:
        return f"{self.payer_name} — {self.description}"


class Kind(models.TextChoices):
    """What an entry does to the amount the payer owes."""

    CHARGE = "charge", _("Amount due")
    DISCOUNT = "discount", _("Scholarship or discount")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    # What was due and is no longer owed, because the payer left before what it paid for
    # began (a withdrawal before the cohort starts). Not a discount: nothing was given.
    CANCELLATION = "cancellation", _("Amount due cancelled")


# +1 raises what the payer owes, -1 lowers it.
SIGN: dict[str, int] = {
    Kind.CHARGE: 1,
    Kind.DISCOUNT: -1,
    Kind.PAYMENT: -1,
    Kind.REFUND: 1,
    Kind.CANCELLATION: -1,
}


class Method(models.TextChoices):
    """How money moved (payments and refunds only)."""

    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash at the center")
    CARD = "card", _("Card")


class ImmutableEntry(Exception):
    """Someone tried to change or delete a ledger entry."""

    def __init__(self) -> None:
        super().__init__(
            "Ledger entries are never changed or deleted; record a new entry (a refund, a "
            "discount) instead."
        )


class EntryQuerySet(models.QuerySet["Entry"]):
    """Refuses the bulk ways of changing rows (``update``, ``delete``, ``bulk_update``)."""

    def update(self, **kwargs: Any) -> int:
        raise ImmutableEntry

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableEntry

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise ImmutableEntry

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableEntry


class Entry(models.Model):
    """One line of the ledger; written once, never changed or deleted.

    ``amount`` is always positive; ``kind`` says which way it moves the balance. ``key``
    makes recording idempotent: an account never holds two entries with the same key, so a
    webhook delivered twice, or a retried request, records its effect once. ``number`` is
    the document number (invoice, receipt, refund receipt), gap-free per center and series.
    """

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    # The account's center and currency, repeated so the per-center ledger is one index scan.
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("center")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, blank=True)
    refund_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("refund of"),
    )
    reason = models.CharField(_("reason"), max_length=2000, blank=True)
    # What the money's own paper trail calls it: a bank slip, a cash-desk receipt, a card
    # provider's payment or refund id.
    external_reference = models.CharField(_("external reference"), max_length=200, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200, blank=True)
    series = models.CharField(_("series"), max_length=16, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # PROTECT, not SET_NULL: clearing the column would be an update, which the ledger
        # refuses; staff who recorded money are deactivated, never deleted.
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects: ClassVar[EntryQuerySet] = EntryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            models.CheckConstraint(
                condition=Q(refund_of__isnull=True) | Q(kind="refund"),
                name="entry_only_refunds_point_at_a_payment",
            ),
            models.UniqueConstraint(
                fields=["account", "key"], condition=~Q(key=""), name="entry_unique_key"
            ),
            models.UniqueConstraint(
                fields=["center", "series", "number"],
                condition=Q(number__isnull=False),
                name="entry_unique_number",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "created_at"]),
            models.Index(fields=["external_reference"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableEntry
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableEntry

    @property
    def signed_amount(self) -> Decimal:
        """What this entry adds to the amount owed (negative for payments and discounts)."""
        return self.amount * SIGN[self.kind]


class ImmutableDocument(Exception):
    """Someone tried to change or delete an issued document."""

    def __init__(self) -> None:
        super().__init__("An issued document is never changed or deleted.")


class IssuedDocumentQuerySet(models.QuerySet["IssuedDocument"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableDocument

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableDocument


class IssuedDocument(models.Model):
    """The PDF of an invoice, receipt or refund note, stored as it was first rendered.

    One per numbered entry, inserted once and never changed, like the entry itself: the
    file mailed to the payer is the file every later download gets, whatever changes
    afterwards in the translations, the fonts, the PDF library or the center's name.
    """

    entry = models.OneToOneField(
        Entry,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="issued_document",
        verbose_name=_("ledger entry"),
    )
    language = models.CharField(_("language"), max_length=8)
    pdf = models.BinaryField(_("PDF"))
    rendered_at = models.DateTimeField(_("rendered at"), default=timezone.now, editable=False)

    objects: ClassVar[IssuedDocumentQuerySet] = IssuedDocumentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"document of entry {self.entry_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableDocument
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableDocument


class DocumentCounter(models.Model):
    """The last number given in one series of documents at one center.

    Numbers are taken with this row locked, in the transaction that writes the document,
    so a rolled-back document gives its number back and the series never has a gap.
    """

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=16)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document counter")
        constraints = [
            models.UniqueConstraint(fields=["center", "series"], name="document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.series}: {self.last_number}"


class RefundRule(models.TextChoices):
    NONE = "none", _("No refunds by rule (staff decide each case)")
    FULL = "full", _("Full refund at any time")
    FULL_BEFORE_START = "full_before_start", _("Full refund before the start, none after")
    PRO_RATA = (
        "pro_rata",
        _("Full refund before the start, then in proportion to the sessions not attended"),
    )


class RefundPolicy(models.Model):
    """The refund rule of a group of accounts (a cohort: ``catalog.cohort:12``).

    Settings, not ledger: it may change, and each change is audited.
    """

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="refund_policies", verbose_name=_("center")
    )
    group = models.CharField(_("group"), max_length=100, unique=True)
    rule = models.CharField(_("refund rule"), max_length=32, choices=RefundRule.choices)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("refund policy")
        verbose_name_plural = _("refund policies")

    def __str__(self) -> str:
        return f"{self.group}: {self.rule}"


class WebhookEvent(models.Model):
    """A provider's event, kept by its id so that a second delivery changes nothing.

    Inserted in the transaction of the event's effect: either both are stored or neither.
    """

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


class CardCheckout(models.Model):
    """A card provider's checkout page opened for an account, by its idempotency key.

    The key is derived from the account's state (what is due, how many entries it has, the
    day), so a retried request, or a second click, asks the provider with the same key and
    gets the same page back, never a second charge.
    """

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="card_checkouts", verbose_name=_("account")
    )
    provider = models.CharField(max_length=32)
    key = models.CharField(max_length=200, unique=True)
    session_id = models.CharField(max_length=255)
    url = models.URLField(max_length=2000)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("card checkout")

    def __str__(self) -> str:
        return f"{self.provider} {self.session_id}"


class CardRefund(models.Model):
    """A refund of a card payment asked of the provider: written *pending* in the refund's
    transaction, sent to the provider by a job after commit, and settled in a transaction
    of its own (refunded, with its ledger entry; or failed).

    While pending, its amount counts as refunded when deciding what is left to refund, so
    two refunds can never together give back more than was paid, whatever the provider
    answers and whenever. The provider's webhook may confirm it before the job hears back;
    either way it is settled once (``entry`` is set once).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending at the card provider")
        REFUNDED = "refunded", _("Refunded")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="card_refunds", verbose_name=_("account")
    )
    payment = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="card_refunds", verbose_name=_("payment")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # The same key on every attempt: the provider answers a retry with the first refund.
    idempotency_key = models.CharField(max_length=200, unique=True)
    provider_refund_id = models.CharField(max_length=255, blank=True)
    entry = models.OneToOneField(
        Entry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="card_refund",
        verbose_name=_("ledger entry"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("card refund")
        verbose_name_plural = _("card refunds")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.status})"

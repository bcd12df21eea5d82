"""Issuing the ledger's documents: an invoice for each amount due, a receipt for each
payment, a refund note for each refund, one per numbered entry.

A document is rendered once, from the entry and the entries of its account up to it (all
immutable), in the payer's language, and stored (``IssuedDocument``); the mail that sends
it and every download get those bytes. It is rendered outside the entry's transaction:
by the job that sends its mail, or by the first download, whichever comes first. Two
renderings racing both render, the first stored wins, and the other gets the stored file.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from kakehashi.payments import documents
from kakehashi.payments.models import Account, Entry, IssuedDocument, Kind

# Attachments the outbox asks this module to render: "payments.entry:<entry id>".
SOURCE_KIND = "payments.entry"

DOCUMENT_KINDS: dict[str, str] = {
    Kind.CHARGE: documents.INVOICE,
    Kind.PAYMENT: documents.RECEIPT,
    Kind.REFUND: documents.REFUND,
}
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def has_document(entry: Entry) -> bool:
    """Whether ``entry`` is one a document is issued for (it has a document number)."""
    return bool(entry.document_number) and entry.kind in DOCUMENT_KINDS


def language_of(account: Account) -> str:
    """The payer's language, or the site's when the payer's is not known."""
    code = account.payer_language
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def figures_after(entry: Entry) -> documents.Figures:
    """The account's figures right after ``entry``: its entries up to and including it.

    Entries of one account are written with the account locked, one after the other, so
    their ids follow the order they were recorded in.
    """
    sums = {kind: Decimal(0) for kind in Kind.values}
    for kind, amount in Entry.objects.filter(
        account_id=entry.account_id, pk__lte=entry.pk
    ).values_list("kind", "amount"):
        sums[kind] += amount
    return documents.Figures(
        charged=sums[Kind.CHARGE],
        cancelled=sums[Kind.CANCELLATION],
        discounted=sums[Kind.DISCOUNT],
        paid=sums[Kind.PAYMENT],
        refunded=sums[Kind.REFUND],
    )


def _issued_on(entry: Entry) -> datetime.date:
    return timezone.localtime(entry.created_at, entry.center.tzinfo).date()


def document_facts(entry: Entry) -> documents.DocumentFacts:
    """What the document of ``entry`` prints, in its payer's language."""
    if not has_document(entry):
        raise ValueError(f"entry {entry.pk} has no document")
    account = entry.account
    center = entry.center
    language = language_of(account)
    with translation.override(language):
        # The center's and network's names and address in the payer's language (each
        # falls back to English when it has no translation).
        center_name = str(center.name)
        address = ", ".join(part for part in (str(center.address), str(center.city)) if part)
        network_name = str(center.network.name)
    return documents.DocumentFacts(
        language=language,
        kind=DOCUMENT_KINDS[entry.kind],
        number=entry.document_number,
        issued_on=_issued_on(entry),
        network_name=network_name,
        center_name=center_name,
        center_address=address,
        payer_name=account.payer_name,
        payer_email=account.payer_email,
        description=account.description,
        reference=account.reference,
        currency=entry.currency,
        amount=entry.amount,
        figures=figures_after(entry),
        method=entry.method,
        external_reference=entry.external_reference,
        reason=entry.reason if entry.kind == Kind.REFUND else "",
        refund_of=entry.refund_of.document_number if entry.refund_of is not None else "",
        pay_before=account.starts_on,
    )


def _entry(entry_id: int) -> Entry:
    return Entry.objects.select_related("account", "center__network", "refund_of").get(pk=entry_id)


def document_pdf(entry: Entry) -> bytes:
    """The document of ``entry`` as PDF bytes: the stored one, or rendered now and stored."""
    stored = IssuedDocument.objects.filter(entry_id=entry.pk).values_list("pdf", flat=True).first()
    if stored is not None:
        return bytes(stored)
    entry = _entry(entry.pk)
    facts = document_facts(entry)
    rendered = documents.render_document_pdf(facts)
    try:
        with transaction.atomic():
            IssuedDocument.objects.create(entry=entry, language=facts.language, pdf=rendered)
    except IntegrityError:
        # Rendered by someone else meanwhile: theirs was stored first and is the document.
        return bytes(IssuedDocument.objects.values_list("pdf", flat=True).get(entry_id=entry.pk))
    return rendered


def source_of(entry: Entry) -> str:
    """How the outbox names the document of ``entry`` when it is attached to a mail."""
    return f"{SOURCE_KIND}:{entry.pk}"


def render_source(source: str) -> bytes:
    """The outbox's renderer for ``payments.entry:<id>``."""
    kind, _sep, raw = source.partition(":")
    if kind != SOURCE_KIND or not raw.isdigit():
        raise LookupError(f"{source} does not name a ledger entry")
    entry = Entry.objects.filter(pk=int(raw)).first()
    if entry is None or not has_document(entry):
        raise LookupError(f"{source} names no document")
    return document_pdf(entry)


def document_name(entry: Entry) -> str:
    """What the document of ``entry`` is called ("Invoice"), in the active language."""
    return documents.heading(DOCUMENT_KINDS[entry.kind])


def filename_of(entry: Entry) -> str:
    return documents.filename(entry.document_number)

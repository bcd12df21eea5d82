"""Mail to the payer: the invoice, the receipt or the refund note of an entry, attached.

Queued in the transaction of the entry, so a rolled-back payment mails nothing and a
recorded one is never without its mail; written in the payer's language, since entries are
also recorded by webhooks and jobs where no request says which language to use. The PDF
is attached by its source: the outbox asks ``kakehashi.payments.issuing`` for it when it
sends the mail, after commit, so the second it takes to render never holds the account,
the document counter or the audit chain locked.
"""

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kakehashi.core.money import format_money
from kakehashi.core.outbox import Attachment, queue_email
from kakehashi.payments import documents, issuing
from kakehashi.payments.models import Account, Entry, Method
from kakehashi.payments.payers import PARTICIPANT_SALT

PARTICIPANT_PREFIX = "admissions.participant:"


def pay_page_url(account: Account) -> str:
    """The payer's own payments page: through the participant's signed link when the payer
    is a participant (no account needed), else the signed-in page."""
    raw = account.payer_ref.removeprefix(PARTICIPANT_PREFIX)
    if account.payer_ref.startswith(PARTICIPANT_PREFIX) and raw.isdigit():
        token = signing.dumps(int(raw), salt=PARTICIPANT_SALT)
        path = reverse("portal:participant-payments", args=[token])
    else:
        path = reverse("portal:my-payments")
    return settings.KAKEHASHI_BASE_URL.rstrip("/") + path


def queue_document_mail(entry: Entry) -> None:
    """Mail the payer the document of ``entry``; inside the entry's transaction."""
    if not issuing.has_document(entry):
        return
    account = entry.account
    center = account.center
    language = issuing.language_of(account)
    with translation.override(language):
        due = issuing.figures_after(entry).due
        context = {
            "kind": issuing.DOCUMENT_KINDS[entry.kind],
            "document": documents.heading(issuing.DOCUMENT_KINDS[entry.kind]),
            "number": entry.document_number,
            "payer_name": account.payer_name,
            "description": account.description,
            "center": str(center.name),
            "reference": account.reference,
            "amount": format_money(entry.amount, entry.currency),
            "due": format_money(due, entry.currency) if due > 0 else "",
            "credit": format_money(-due, entry.currency) if due < 0 else "",
            "method": str(Method(entry.method).label) if entry.method in Method.values else "",
            "refund_of": entry.refund_of.document_number if entry.refund_of is not None else "",
            "page_url": pay_page_url(account),
        }
        subject = render_to_string("payments/mail/document_subject.txt", context)
        body = render_to_string("payments/mail/document_body.txt", context)
    queue_email(
        to=account.payer_email,
        subject=subject,
        body=body,
        attachments=[
            Attachment(
                filename=issuing.filename_of(entry),
                content_type="application/pdf",
                source=issuing.source_of(entry),
            )
        ],
    )

"""The payer is mailed each document, through a real SMTP server: the invoice when an
amount is due, the receipt when a payment is recorded (at the desk or by the card
provider's webhook), the refund note when money is paid back. Queued with the entry,
sent after commit, in the payer's language, the PDF attached."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import translation

from kakehashi.admissions import services as admissions
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import OutgoingEmail
from kakehashi.payments import issuing, services
from kakehashi.payments.models import Account, DocumentCounter, Entry, Kind
from tests import factories
from tests.factories import SYSTEM
from tests.payments.conftest import (
    WEBHOOK_SECRET,
    attachments_of,
    body_of,
    open_account,
    pdf_text,
    subject_of,
)
from tests.support.jobs import wait_for

pytestmark = pytest.mark.django_db


def enroll_anna(center, language: str = "ru") -> Account:  # type: ignore[no-untyped-def]
    cohort = factories.make_cohort(center, fee=Decimal("14000"), currency="RUB")
    with translation.override(language):
        enrollment = admissions.apply(
            actor=SYSTEM,
            cohort=cohort,
            applicant=admissions.Applicant(email="anna@example.org", full_name="Анна Иванова"),
        )
    return Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")


def only_mail_to(smtp: Any, subject_start: str) -> Any:
    found = [m for m in smtp.messages if subject_of(m).startswith(subject_start)]
    assert len(found) == 1, [subject_of(m) for m in smtp.messages]
    return found[0]


def the_pdf(message: Any, number: str) -> str:
    [(filename, content_type, content)] = attachments_of(message)
    assert (filename, content_type) == (f"{number}.pdf", "application/pdf")
    return pdf_text(content)


def test_a_russian_payer_is_mailed_the_invoice_in_russian_with_its_pdf(
    center, smtp, jobs_inline, russian_catalog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account = enroll_anna(center, "ru")

    invoice = russian_catalog[("document heading", "Invoice")]
    mail = only_mail_to(smtp, invoice)
    assert mail["To"] == "anna@example.org"
    assert subject_of(mail).startswith(invoice)
    assert subject_of(mail).endswith(f"MOSCOW-INV-000001: {account.description}")
    text = the_pdf(mail, "MOSCOW-INV-000001")
    assert "Анна Иванова" in text
    assert "MOSCOW-INV-000001" in text
    body = body_of(mail)
    assert "Здравствуйте, Анна Иванова" in body  # a greeting the catalogs already translate
    assert "14 000,00 ₽" in body and account.reference in body


def test_a_payment_at_the_desk_mails_a_receipt_naming_how_it_was_paid(
    center, registrar, smtp, jobs_inline, django_capture_on_commit_callbacks
):
    account = open_account(center, "14000", "RUB")

    with django_capture_on_commit_callbacks(execute=True):
        services.record_payment(
            actor=StaffActor(registrar), account=account, amount="4000", method="cash"
        )

    mail = only_mail_to(smtp, "Receipt MOSCOW-REC-000001")
    assert mail["To"] == "payer1@example.org"
    text = the_pdf(mail, "MOSCOW-REC-000001")
    assert "Payer 1" in text and "Cash at the center" in text
    assert "Still to pay: RUB 10,000.00." in body_of(mail)


def test_a_card_payment_confirmed_by_the_webhook_mails_a_receipt(
    center, settings, smtp, jobs_inline, django_capture_on_commit_callbacks
):
    from tests.payments.test_stripe import completed, post_event

    settings.KAKEHASHI_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    account = open_account(center, "14000", "RUB")

    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(completed(account)).status_code == 200

    mail = only_mail_to(smtp, "Receipt MOSCOW-REC-000001")
    assert "Card" in the_pdf(mail, "MOSCOW-REC-000001")
    assert "Nothing more is due." in body_of(mail)

    with django_capture_on_commit_callbacks(execute=True):
        post_event(completed(account))  # delivered again: recorded once, mailed once
    assert len(smtp.messages) == 1


def test_a_refund_mails_a_refund_note(
    center, registrar, smtp, jobs_inline, django_capture_on_commit_callbacks
):
    account = open_account(center, "14000", "RUB")
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="14000")

    with django_capture_on_commit_callbacks(execute=True):
        services.refund(
            actor=StaffActor(registrar), payment=payment, amount="3000", reason="Left early"
        )

    mail = only_mail_to(smtp, "Refund note MOSCOW-REF-000001")
    text = the_pdf(mail, "MOSCOW-REF-000001")
    assert "MOSCOW-REC-000001" in text and "Left early" in text
    assert "RUB 3,000.00" in body_of(mail)


def test_a_rolled_back_payment_mails_nothing_and_gives_its_number_back(
    center, registrar, smtp, jobs_inline, django_capture_on_commit_callbacks
):
    account = open_account(center, "14000", "RUB")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.record_payment(actor=StaffActor(registrar), account=account, amount="14000")
        assert OutgoingEmail.objects.filter(subject__startswith="Receipt").exists()
        raise RuntimeError("the request failed after recording the payment")

    assert smtp.messages == []
    assert not OutgoingEmail.objects.filter(subject__startswith="Receipt").exists()
    assert not DocumentCounter.objects.filter(series="receipt", last_number__gt=0).exists()


def test_the_mail_leaves_only_after_the_entry_commits(
    center, registrar, smtp, jobs_inline, django_capture_on_commit_callbacks
):
    account = open_account(center, "14000", "RUB")

    with django_capture_on_commit_callbacks(execute=True):
        services.record_payment(actor=StaffActor(registrar), account=account, amount="100")
        # Queued with the entry, not sent while the transaction is open.
        assert OutgoingEmail.objects.get(subject__startswith="Receipt").status == "queued"
        assert smtp.messages == []

    assert len(smtp.messages) == 1
    assert OutgoingEmail.objects.get(subject__startswith="Receipt").status == "sent"


def test_the_mailed_pdf_is_the_document_staff_and_payer_download(
    center, registrar, smtp, jobs_inline, django_capture_on_commit_callbacks
):
    account = open_account(center, "14000", "RUB")
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.record_payment(
            actor=StaffActor(registrar), account=account, amount="100"
        )

    [(_name, _type, mailed)] = attachments_of(smtp.messages[0])
    client = Client()
    client.force_login(registrar)
    downloaded = client.get(f"/office/payments/entries/{payment.pk}/document/").content
    assert mailed == downloaded == issuing.document_pdf(payment)


def test_only_entries_with_a_document_are_mailed(center, registrar):
    account = open_account(center, "14000", "RUB", key="once")
    open_account(center, "14000", "RUB", key="once")  # the same amount due again: no new mail
    services.grant_discount(
        actor=StaffActor(registrar), account=account, amount="1000", reason="Grant"
    )
    services.cancel_amount_due(actor=SYSTEM, subject=account.subject, reason="Left")

    mails = OutgoingEmail.objects.all()
    assert [m.subject.split(":")[0] for m in mails] == ["Invoice MOSCOW-INV-000001"]
    assert [(a.filename, a.source) for a in mails[0].attachments.all()] == [
        ("MOSCOW-INV-000001.pdf", f"payments.entry:{account.entries.get(kind=Kind.CHARGE).pk}")
    ]
    # The attachment is rendered when the mail is sent, not inside the entry's transaction.
    assert not Entry.objects.filter(issued_document__isnull=False).exists()


# --- the real job queue ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_job_queue_sends_the_receipt_after_commit(center, smtp, consumer):
    account = open_account(center, "14000", "RUB")
    services.record_payment(actor=SYSTEM, account=account, amount="14000")

    wait_for(lambda: len(smtp.messages) >= 2, seconds=60)

    subjects = sorted(subject_of(m).split(":")[0] for m in smtp.messages)
    assert subjects == ["Invoice MOSCOW-INV-000001", "Receipt MOSCOW-REC-000001"]
    receipt = only_mail_to(smtp, "Receipt")
    assert "Payer 1" in the_pdf(receipt, "MOSCOW-REC-000001")
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}

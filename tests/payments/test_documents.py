"""Invoices, receipts and refund notes: what they state, in whose language, stored once, and
who may download them."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone, translation

from kakehashi.admissions import notifications
from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment
from kakehashi.core.actors import StaffActor
from kakehashi.network import services as network_services
from kakehashi.payments import documents, issuing, services
from kakehashi.payments.models import Account, Entry, ImmutableDocument, IssuedDocument, Kind
from tests import factories
from tests.factories import SYSTEM
from tests.payments.conftest import open_account, pdf_text

pytestmark = pytest.mark.django_db


def enroll(center, name: str, *, language: str, fee: str = "14000", currency: str = "RUB"):  # type: ignore[no-untyped-def]
    """A participant who applied in ``language`` and is enrolled in a paid cohort."""
    cohort = factories.make_cohort(center, fee=Decimal(fee), currency=currency)
    with translation.override(language):
        return admissions.apply(
            actor=SYSTEM,
            cohort=cohort,
            applicant=admissions.Applicant(email=f"{abs(hash(name))}@example.org", full_name=name),
        )


def account_of(enrollment: Enrollment) -> Account:
    return Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")


def invoice_of(account: Account) -> Entry:
    return account.entries.get(kind=Kind.CHARGE)


def text_of(entry: Entry) -> str:
    return pdf_text(issuing.document_pdf(entry))


# --- what each document states ---------------------------------------------------------------


def test_an_invoice_states_the_center_the_payer_the_amount_and_how_to_pay(center):
    account = open_account(center, "14000", "RUB")

    text = text_of(invoice_of(account))

    assert "Invoice" in text
    assert "MOSCOW-INV-000001" in text
    assert "Center moscow" in text
    assert "Payer 1" in text and "payer1@example.org" in text
    assert "Production management — spring" in text
    assert "RUB 14,000.00" in text
    assert "How to pay" in text and account.reference in text
    assert "Still to pay" in text


def test_a_receipt_says_how_the_money_was_paid_and_what_is_left(rub_account, registrar):
    payment = services.record_payment(
        actor=StaffActor(registrar), account=rub_account, amount="4000", method="cash"
    )

    text = text_of(payment)

    assert "Receipt" in text and "MOSCOW-REC-000001" in text
    assert "Cash at the center" in text
    assert "RUB 4,000.00" in text
    assert "Still to pay" in text and "RUB 10,000.00" in text
    assert "How to pay" not in text


def test_a_refund_note_names_the_receipt_it_returns_money_from(rub_account, registrar):
    payment = services.record_payment(
        actor=StaffActor(registrar), account=rub_account, amount="14000", method="bank_transfer"
    )
    refund = services.refund(
        actor=StaffActor(registrar), payment=payment, amount="2000", reason="Missed the first week"
    )

    text = text_of(refund)

    assert "Refund note" in text and "MOSCOW-REF-000001" in text
    assert "MOSCOW-REC-000001" in text
    assert "Bank transfer" in text
    assert "Missed the first week" in text
    assert "RUB 2,000.00" in text


def test_a_russian_payers_document_is_in_russian(center, russian_catalog):
    enrollment = enroll(center, "Анна Иванова", language="ru")

    text = text_of(invoice_of(account_of(enrollment)))

    assert russian_catalog[("document heading", "Invoice")] in text
    assert russian_catalog[(None, "Payer")] in text
    assert "Анна Иванова" in text
    assert "MOSCOW-INV-000001" in text
    # Russian digits and date; the font has no ₽, so the currency's code stands in for it.
    assert "14 000,00 RUB" in text
    assert " г." in text


def test_a_japanese_payers_document_writes_yen_without_minor_units(center):
    enrollment = enroll(center, "山田太郎", language="ja", fee="3000", currency="JPY")

    text = text_of(invoice_of(account_of(enrollment)))

    assert "山田太郎" in text
    assert "年" in text and "月" in text  # a Japanese date
    assert "3,000" in text and "3,000.00" not in text


def test_a_document_keeps_the_figures_of_the_day_it_was_issued(rub_account, registrar):
    first = services.record_payment(actor=StaffActor(registrar), account=rub_account, amount="4000")
    services.record_payment(actor=StaffActor(registrar), account=rub_account, amount="10000")

    # Rendered only now, after the second payment: it still says what was left after the first.
    text = text_of(first)

    assert "RUB 10,000.00" in text
    assert "Nothing more is due" not in text


# --- stored once, never changed --------------------------------------------------------------


def test_a_document_is_stored_once_and_every_download_gets_the_same_file(center):
    account = open_account(center, "14000", "RUB")
    invoice = invoice_of(account)
    first = issuing.document_pdf(invoice)

    network_services.update_center(actor=SYSTEM, center=center, name={"en": "Renamed center"})
    rendered_again = documents.render_document_pdf(
        issuing.document_facts(Entry.objects.get(pk=invoice.pk))
    )

    assert rendered_again != first  # the facts outside the ledger changed ...
    assert issuing.document_pdf(invoice) == first  # ... the issued document did not
    assert IssuedDocument.objects.count() == 1


def test_the_same_facts_always_give_the_same_bytes(center):
    facts = issuing.document_facts(invoice_of(open_account(center, "14000", "RUB")))
    assert documents.render_document_pdf(facts) == documents.render_document_pdf(facts)


def test_an_issued_document_cannot_be_changed_or_deleted(center):
    invoice = invoice_of(open_account(center, "10", "USD"))
    issuing.document_pdf(invoice)
    stored = IssuedDocument.objects.get(entry=invoice)

    stored.pdf = b"forged"
    with pytest.raises(ImmutableDocument):
        stored.save()
    with pytest.raises(ImmutableDocument):
        stored.delete()
    with pytest.raises(ImmutableDocument):
        IssuedDocument.objects.filter(entry=invoice).update(pdf=b"forged")
    with pytest.raises(ImmutableDocument):
        IssuedDocument.objects.filter(entry=invoice).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments_issueddocument SET pdf = %s WHERE entry_id = %s",
            [b"forged", invoice.pk],
        )
    assert bytes(IssuedDocument.objects.get(entry=invoice).pdf).startswith(b"%PDF")


def test_discounts_and_cancellations_have_no_document(rub_account, registrar):
    discount = services.grant_discount(
        actor=StaffActor(registrar), account=rub_account, amount="1000", reason="Grant"
    )
    assert not issuing.has_document(discount)
    with pytest.raises(LookupError):
        issuing.render_source(issuing.source_of(discount))


# --- who may download them -------------------------------------------------------------------


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_staff_download_a_cohorts_documents_from_its_payments_page(center, registrar):
    enrollment = enroll(center, "Boris Petrov", language="en")
    invoice = invoice_of(account_of(enrollment))
    url = f"/office/payments/entries/{invoice.pk}/document/"

    page = client_for(registrar).get(f"/office/cohorts/{enrollment.cohort_id}/payments/")
    assert url in page.content.decode()

    response = client_for(registrar).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="MOSCOW-INV-000001.pdf"'
    assert response.content == issuing.document_pdf(invoice)


def test_a_document_is_found_only_by_staff_who_see_its_centers_payments(
    center, viewer, other_registrar, outsider
):
    invoice = invoice_of(open_account(center, "10", "USD"))
    url = f"/office/payments/entries/{invoice.pk}/document/"

    assert client_for(viewer).get(url).status_code == 200  # sees the cohort's payments
    assert client_for(other_registrar).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


def test_an_entry_without_a_document_is_not_found(rub_account, registrar):
    discount = services.grant_discount(
        actor=StaffActor(registrar), account=rub_account, amount="1", reason="Grant"
    )
    response = client_for(registrar).get(f"/office/payments/entries/{discount.pk}/document/")
    assert response.status_code == 404


def test_the_payer_downloads_their_documents_through_their_own_link(center):
    enrollment = enroll(center, "Boris Petrov", language="en")
    other = enroll(center, "Someone Else", language="en")
    invoice = invoice_of(account_of(enrollment))
    token = notifications.participant_token(enrollment.participant)
    url = f"/me/{token}/payments/documents/{invoice.pk}/"

    page = Client().get(f"/me/{token}/payments/").content.decode()
    assert url in page and "Invoice MOSCOW-INV-000001" in page

    response = Client().get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    other_token = notifications.participant_token(other.participant)
    assert Client().get(f"/me/{other_token}/payments/documents/{invoice.pk}/").status_code == 404
    assert Client().get(f"/me/forged/payments/documents/{invoice.pk}/").status_code == 404


def test_a_signed_in_payer_downloads_documents_filed_under_their_proven_address(center):
    enrollment = enroll(center, "Boris Petrov", language="en")
    invoice = invoice_of(account_of(enrollment))
    user = factories.make_user("boris")
    user.email = enrollment.participant.email
    user.save()
    url = f"/me/account/payments/documents/{invoice.pk}/"

    assert client_for(user).get(url).status_code == 404  # the address is not proven yet

    user.email_verified_at = timezone.now()
    user.save()
    assert client_for(user).get(url).status_code == 200
    assert Client().get(url).status_code == 302  # signed out: to the login page

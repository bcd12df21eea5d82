"""The office's payment pages: who has paid and who owes, the forms, the ledger, exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from kakehashi.core.actors import StaffActor
from kakehashi.payments import services
from kakehashi.payments.models import Entry, Kind
from tests import factories
from tests.payments.conftest import snapshot

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def cohort(center):
    return factories.make_cohort(center, capacity=5, fee=Decimal("14000"), currency="RUB")


@pytest.fixture
def accounts(cohort):
    enrollments = [factories.apply(cohort, f"office{i}") for i in range(3)]
    return [
        services.Account.objects.get(subject=f"admissions.enrollment:{e.pk}") for e in enrollments
    ]


def page(cohort) -> str:
    return f"/office/cohorts/{cohort.pk}/payments/"


def test_the_cohort_page_shows_who_paid_and_who_owes(cohort, accounts, registrar):
    services.record_payment(actor=StaffActor(registrar), account=accounts[0], amount="14000")
    services.grant_discount(
        actor=StaffActor(registrar), account=accounts[1], amount="4000", reason="Grant"
    )

    response = client_for(registrar).get(page(cohort))

    assert response.status_code == 200
    text = response.content.decode()
    assert "1 has paid in full" in text
    assert "2 still owe" in text
    assert accounts[2].reference in text
    # 14000 + 10000 still owed, shown as money.
    assert "24,000.00" in text


def test_a_registrar_records_a_payment_from_the_page(cohort, accounts, registrar):
    account = accounts[0]
    response = client_for(registrar).post(
        f"/office/payments/accounts/{account.pk}/pay/",
        {f"pay{account.pk}-amount": "14000", f"pay{account.pk}-method": "cash"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page(cohort)}#account-{account.pk}")
    assert services.balance_of(account).state == "paid"


def test_a_bad_amount_is_shown_beside_the_field_and_changes_nothing(cohort, accounts, registrar):
    account = accounts[0]
    before = snapshot()
    response = client_for(registrar).post(
        f"/office/payments/accounts/{account.pk}/pay/",
        {f"pay{account.pk}-amount": "12.345", f"pay{account.pk}-method": "cash"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Too many decimal places for this currency." in text
    assert f'id="id_pay{account.pk}-amount_error"' in text
    assert snapshot() == before


def test_a_discount_and_a_refund_through_the_page(cohort, accounts, finance):
    account = accounts[0]
    client = client_for(finance)
    client.post(
        f"/office/payments/accounts/{account.pk}/discount/",
        {f"discount{account.pk}-amount": "2000", f"discount{account.pk}-reason": "Alumnus"},
    )
    payment = services.record_payment(actor=StaffActor(finance), account=account, amount="12000")

    response = client.post(
        f"/office/payments/entries/{payment.pk}/refund/",
        {f"refund{payment.pk}-amount": "500", f"refund{payment.pk}-reason": "Missed a day"},
    )

    assert response.status_code == 302
    balance = services.balance_of(account)
    assert (balance.discounted, balance.refunded, balance.due) == (2000, 500, 500)


def test_a_refund_beyond_the_payment_is_refused_on_the_page(cohort, accounts, registrar):
    payment = services.record_payment(
        actor=StaffActor(registrar), account=accounts[0], amount="100"
    )
    before = snapshot()
    response = client_for(registrar).post(
        f"/office/payments/entries/{payment.pk}/refund/",
        {f"refund{payment.pk}-amount": "101", f"refund{payment.pk}-reason": "x"},
    )
    assert response.status_code == 422
    assert "left to refund" in response.content.decode()
    assert snapshot() == before


def test_a_viewer_sees_the_page_but_may_not_post(cohort, accounts, viewer):
    client = client_for(viewer)
    assert client.get(page(cohort)).status_code == 200
    assert "Record a payment" not in client.get(page(cohort)).content.decode()
    before = snapshot()
    account = accounts[0]
    response = client.post(
        f"/office/payments/accounts/{account.pk}/pay/",
        {f"pay{account.pk}-amount": "1", f"pay{account.pk}-method": "cash"},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_another_centers_registrar_finds_nothing(cohort, accounts, other_registrar, registrar):
    payment = services.record_payment(
        actor=StaffActor(registrar), account=accounts[0], amount="100"
    )
    client = client_for(other_registrar)
    before = snapshot()
    assert client.get(page(cohort)).status_code == 404
    assert client.get(f"/office/centers/{cohort.center_id}/ledger/").status_code == 404
    account = accounts[1]
    assert (
        client.post(
            f"/office/payments/accounts/{account.pk}/pay/",
            {f"pay{account.pk}-amount": "1", f"pay{account.pk}-method": "cash"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/office/payments/entries/{payment.pk}/refund/",
            {f"refund{payment.pk}-reason": "x"},
        ).status_code
        == 404
    )
    assert snapshot() == before


def test_anonymous_people_are_sent_to_log_in_and_outsiders_refused(cohort, accounts, outsider):
    anonymous = client_for(None).get(page(cohort))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert client_for(outsider).get(page(cohort)).status_code == 403


def test_the_ledger_is_for_finance_and_managers_not_registrars(
    center, accounts, registrar, finance
):
    url = f"/office/centers/{center.pk}/ledger/"
    assert client_for(registrar).get(url).status_code == 403
    response = client_for(finance).get(url)
    assert response.status_code == 200
    assert "42,000.00" in response.content.decode()


def test_the_ledger_exports_as_csv_and_xlsx_with_exact_amounts(center, accounts, finance):
    payment = services.record_payment(
        actor=StaffActor(finance), account=accounts[1], amount="14000"
    )
    services.refund(actor=StaffActor(finance), payment=payment, amount="0.50", reason="Change")
    client = client_for(finance)

    response = client.get(f"/office/centers/{center.pk}/ledger.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "recorded at"
    assert len(rows) == 1 + Entry.objects.filter(center=center).count()
    refund_row = rows[-1]
    assert refund_row[2] == "Refund"
    assert (refund_row[8], refund_row[9], refund_row[11]) == ("0.50", "0.50", "0.50")
    assert refund_row[14] == payment.document_number

    response = client.get(f"/office/centers/{center.pk}/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == len(rows)
    assert Decimal(str(values[-1][8])) == Decimal("0.50")
    assert sheet.cell(row=len(values), column=9).number_format == "0.00"
    assert client.get(f"/office/centers/{center.pk}/ledger.pdf").status_code == 404


def test_every_page_answers_posts_without_editing_any_entry(cohort, accounts, office):
    """Whatever is posted to any payments address, existing entries stay as they were."""
    payment = services.record_payment(actor=StaffActor(office), account=accounts[0], amount="100")
    before = snapshot()
    client = client_for(office)
    hostile = {"amount": "1", "kind": "refund", "id": payment.pk, "reason": "edit"}
    for url in (
        page(cohort),
        f"/office/centers/{cohort.center_id}/ledger/",
        f"/office/centers/{cohort.center_id}/ledger.csv",
        f"/office/payments/entries/{payment.pk}/",
        f"/office/payments/entries/{payment.pk}/edit/",
        f"/office/payments/entries/{payment.pk}/delete/",
        f"/office/payments/entries/{payment.pk}/refund/",
        f"/office/payments/accounts/{accounts[0].pk}/pay/",
    ):
        response = client.post(url, hostile)
        assert response.status_code in (404, 405, 422), url
        for method in (client.put, client.patch, client.delete):
            assert method(url).status_code in (404, 405), url
    after = snapshot()
    assert after[: len(before)] == before
    assert [row[2] for row in after[len(before) :]] == []  # nothing was even added


def test_the_refund_rule_is_set_on_the_page(cohort, accounts, registrar):
    response = client_for(registrar).post(
        f"/office/cohorts/{cohort.pk}/payments/refund-rule/", {"rule": "pro_rata"}
    )
    assert response.status_code == 302
    assert services.refund_rule_for(accounts[0]) == "pro_rata"
    response = client_for(registrar).post(
        f"/office/cohorts/{cohort.pk}/payments/refund-rule/", {"rule": "everything"}
    )
    assert response.status_code == 422


def test_refund_by_rule_from_the_page(cohort, accounts, registrar):
    services.set_refund_rule(
        actor=StaffActor(registrar),
        center=cohort.center,
        group=f"catalog.cohort:{cohort.pk}",
        rule="full",
    )
    payment = services.record_payment(
        actor=StaffActor(registrar), account=accounts[0], amount="14000"
    )
    response = client_for(registrar).post(f"/office/payments/entries/{payment.pk}/refund-by-rule/")
    assert response.status_code == 302
    assert payment.refunds.get().amount == Decimal("14000")
    assert Entry.objects.filter(kind=Kind.REFUND).count() == 1

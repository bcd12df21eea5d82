"""The payments API reads accounts; nothing in it changes or deletes an entry."""

from decimal import Decimal

import pytest

from kakehashi.core.actors import StaffActor
from kakehashi.payments import services
from tests.factories import SYSTEM
from tests.payments.conftest import open_account, snapshot

pytestmark = pytest.mark.django_db


def test_an_account_reads_with_exact_amounts(center, registrar, api_as):
    account = open_account(center, "3000", "JPY")
    services.record_payment(actor=StaffActor(registrar), account=account, amount="1000")

    response = api_as(registrar).get(f"/payments/accounts/{account.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["charged"], body["paid"], body["due"]) == ("3000", "1000", "2000")
    assert [e["kind"] for e in body["entries"]] == ["charge", "payment"]


def test_another_center_cannot_read_an_account(center, other_registrar, api_as):
    account = open_account(center, "10", "USD")
    assert api_as(other_registrar).get(f"/payments/accounts/{account.pk}").status_code == 404


def test_no_api_method_edits_or_deletes_an_entry(center, office, api_as):
    account = open_account(center, "10", "USD")
    payment = services.record_payment(actor=StaffActor(office), account=account, amount="10")
    client = api_as(office)
    before = snapshot()
    for path in (
        f"/payments/accounts/{account.pk}",
        f"/payments/entries/{payment.pk}",
        f"/payments/accounts/{account.pk}/entries/{payment.pk}",
    ):
        assert client.post(path, {"amount": "1"}).status_code in (404, 405)
        assert client.patch(path, {"amount": "1"}).status_code in (404, 405)
        for method in (client.client.put, client.client.delete):
            response = method(f"/api/v1{path}", headers=client.headers)
            assert response.status_code in (404, 405)
    assert snapshot() == before


# --- writing: payments, discounts and refunds -----------------------------------------------


def test_staff_record_a_payment_and_get_its_receipt_number(center, registrar, api_as):
    account = open_account(center, "14000", "RUB")

    response = api_as(registrar).post(
        f"/payments/accounts/{account.pk}/payments",
        {"amount": "4000.50", "method": "cash", "external_reference": "Desk 17"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["amount"], body["method"]) == ("payment", "4000.50", "cash")
    assert body["document_number"] == "MOSCOW-REC-000001"
    assert services.balance_of(account).due == Decimal("9999.50")


def test_an_amount_may_be_sent_as_a_json_number(center, registrar, api_as):
    account = open_account(center, "3000", "JPY")
    response = api_as(registrar).post(f"/payments/accounts/{account.pk}/payments", {"amount": 1000})
    assert response.status_code == 201
    assert response.json()["amount"] == "1000"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "12.345"}, "amount"),  # more decimal places than RUB has
        ({"amount": "-5"}, "amount"),
        ({"amount": "20000"}, "amount"),  # more than is due
        ({"amount": "abc"}, "amount"),
        ({"amount": "10", "method": "card"}, "method"),  # card payments come from the provider
        ({"amount": "10", "method": "barter"}, "method"),
        ({"amount": "10", "amout": "10"}, "amout"),  # a misspelt field is not ignored
        ({}, "amount"),
    ],
)
def test_a_bad_payment_is_a_422_naming_the_field_and_changes_nothing(
    center, registrar, api_as, body, field
):
    account = open_account(center, "14000", "RUB")
    before = snapshot()

    response = api_as(registrar).post(f"/payments/accounts/{account.pk}/payments", body)

    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid" and field in answer["fields"]
    assert snapshot() == before


def test_who_may_write_is_checked_as_on_the_pages(center, viewer, other_registrar, api_as):
    account = open_account(center, "14000", "RUB")
    path = f"/payments/accounts/{account.pk}/payments"
    before = snapshot()

    refused = api_as(viewer).post(path, {"amount": "10"})  # may see, may not take payments
    hidden = api_as(other_registrar).post(path, {"amount": "10"})
    anonymous = api_as(None).post(path, {"amount": "10"})

    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    assert snapshot() == before


def test_staff_grant_a_discount_with_a_reason(center, registrar, api_as):
    account = open_account(center, "14000", "RUB")
    path = f"/payments/accounts/{account.pk}/discounts"

    missing = api_as(registrar).post(path, {"amount": "1000"})
    granted = api_as(registrar).post(path, {"amount": "1000", "reason": "Alumni discount"})

    assert missing.status_code == 422 and "reason" in missing.json()["fields"]
    assert granted.status_code == 201
    assert (granted.json()["kind"], granted.json()["reason"]) == ("discount", "Alumni discount")
    assert granted.json()["document_number"] == ""
    assert services.balance_of(account).due == Decimal("13000.00")


def test_staff_refund_part_of_a_payment_then_the_rest(center, registrar, api_as):
    account = open_account(center, "14000", "RUB")
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="14000")
    path = f"/payments/entries/{payment.pk}/refunds"
    client = api_as(registrar)

    part = client.post(path, {"amount": "4000", "reason": "Missed a week"})
    rest = client.post(path, {"reason": "Withdrew"})
    more = client.post(path, {"amount": "1", "reason": "Again"})

    assert part.status_code == 201 and part.json()["refund_of"] == payment.pk
    assert part.json()["document_number"] == "MOSCOW-REF-000001"
    assert (rest.status_code, rest.json()["amount"]) == (201, "10000.00")
    assert (more.status_code, more.json()["code"]) == (409, "refund_too_large")
    assert "amount" in more.json()["fields"]


def test_only_a_payment_can_be_refunded_through_the_api(center, registrar, api_as):
    account = open_account(center, "14000", "RUB")
    charge = account.entries.get()
    response = api_as(registrar).post(
        f"/payments/entries/{charge.pk}/refunds", {"reason": "Not a payment"}
    )
    assert response.status_code == 404


def test_staff_refund_by_the_cohorts_rule(center, registrar, api_as):
    account = open_account(center, "14000", "RUB", group="catalog.cohort:1")
    services.set_refund_rule(
        actor=StaffActor(registrar), center=center, group=account.group, rule="full"
    )
    payment = services.record_payment(actor=StaffActor(registrar), account=account, amount="14000")

    response = api_as(registrar).post(f"/payments/entries/{payment.pk}/refunds/by-rule")

    assert response.status_code == 201
    assert response.json()["amount"] == "14000.00"
    assert response.json()["reason"] == "Refund by the refund rule"


def test_a_closed_centers_ledger_refuses_writes_with_a_409(center, registrar, office, api_as):
    from kakehashi.network import services as network_services
    from kakehashi.network.models import CenterStatus

    account = open_account(center, "100", "RUB")
    for status in (CenterStatus.CLOSING, CenterStatus.CLOSED):
        network_services.change_center_status(actor=SYSTEM, center=center, to_status=status)

    response = api_as(office).post(f"/payments/accounts/{account.pk}/payments", {"amount": "1"})

    assert response.status_code == 409
    assert "closed" in response.json()["message"]

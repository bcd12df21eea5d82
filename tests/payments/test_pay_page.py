"""The payer's page: what is due and paid, how to pay, and "Pay by card" when configured."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from kakehashi.admissions import notifications
from kakehashi.core.actors import StaffActor
from kakehashi.payments import payers, services
from kakehashi.payments.models import Account
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(center):  # type: ignore[no-untyped-def]
    cohort = factories.make_cohort(center, fee=Decimal("12.50"), currency="USD")
    return factories.apply(cohort, "payer")


def account_of(enrollment) -> Account:  # type: ignore[no-untyped-def]
    return Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")


def token_url(enrollment) -> str:  # type: ignore[no-untyped-def]
    return f"/me/{notifications.participant_token(enrollment.participant)}/payments/"


def test_payments_reads_the_same_signed_link_as_admissions():
    assert payers.PARTICIPANT_SALT == notifications.PARTICIPANT_SALT


def test_the_signed_link_shows_what_is_due_and_how_to_pay(enrollment, registrar):
    account = account_of(enrollment)
    services.record_payment(
        actor=StaffActor(registrar), account=account, amount="2.50", method="cash"
    )

    response = Client().get(token_url(enrollment))

    assert response.status_code == 200
    text = response.content.decode()
    assert "$12.50" in text and "$10.00" in text and "$2.50" in text
    assert account.reference in text
    assert "by card" not in text  # card payments are not configured


def test_a_forged_link_finds_nothing(enrollment):
    assert Client().get("/me/forged-token/payments/").status_code == 404


def test_the_page_speaks_the_visitors_language(enrollment):
    response = Client(headers={"accept-language": "ru"}).get(token_url(enrollment))
    assert "12,50" in response.content.decode()


def test_pay_by_card_opens_stripe_checkout(enrollment, stripe):
    url = token_url(enrollment)
    text = Client().get(url).content.decode()
    assert "Pay $12.50 by card" in text

    response = Client().post(f"{url}{account_of(enrollment).pk}/card/")

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/pay/cs_test_")
    assert stripe.requests[0].params["success_url"].endswith(f"{url}?paid=1")


def test_nobody_pays_on_anothers_account_through_their_own_link(center, enrollment, stripe):
    other = factories.apply(enrollment.cohort, "someone-else")
    response = Client().post(f"{token_url(other)}{account_of(enrollment).pk}/card/")
    assert response.status_code == 404
    assert stripe.requests == []


def test_a_signed_in_person_sees_the_accounts_filed_under_their_proven_address(enrollment):
    user = factories.make_user("payer")
    user.email = "personpayer@example.org"
    user.save()
    client = Client()
    client.force_login(user)
    assert (
        account_of(enrollment).reference not in client.get("/me/account/payments/").content.decode()
    )

    user.email_verified_at = timezone.now()
    user.save()

    assert account_of(enrollment).reference in client.get("/me/account/payments/").content.decode()


def test_signed_out_people_are_sent_to_log_in():
    response = Client().get("/me/account/payments/")
    assert response.status_code == 302 and "login" in response["Location"]

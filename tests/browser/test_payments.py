"""Fees in a real browser: the registrar records a bank transfer on a phone, and the
participant sees what they paid and what they still owe; both pages accessible."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from kakehashi.admissions.notifications import participant_token
from kakehashi.core.models import User
from kakehashi.network.models import Center
from kakehashi.payments.models import Account, Kind
from tests import factories
from tests.browser.conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, user: User, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def test_a_registrar_records_a_transfer_and_the_participant_sees_what_is_left(
    page: Page, live_server: Any, center: Center, registrar: User
) -> None:
    cohort = factories.make_cohort(center, capacity=5, fee=Decimal(14000), currency="RUB")
    enrollment = factories.apply(cohort, "anna")
    account = Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")

    log_in(page, registrar, live_server.url)
    page.set_viewport_size(PHONE)
    page.goto(f"/office/cohorts/{cohort.pk}/payments/")
    assert_accessible(page)
    page.get_by_text("Record a payment").first.click()
    page.fill(f"#id_pay{account.pk}-amount", "10000")
    page.locator(f"#id_pay{account.pk}-amount").press("Enter")
    page.wait_for_load_state()

    assert account.entries.filter(kind=Kind.PAYMENT, amount=Decimal(10000)).exists()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the payments page scrolls sideways ({width}px)"

    page.context.clear_cookies()
    page.goto(f"/me/{participant_token(enrollment.participant)}/payments/")
    expect(page.locator("main")).to_contain_text("4,000")
    assert_accessible(page)

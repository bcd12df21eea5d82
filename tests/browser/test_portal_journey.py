"""A visitor's journey through the portal, in a real browser: find, apply, follow up."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.admissions.notifications import participant_token
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort
from kakehashi.network.models import Center, Network
from tests import factories
from tests.browser.conftest import PHONE, assert_accessible
from tests.factories import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kaizen(network: Network, center: Center) -> Cohort:
    """A one-seat cohort of a program, beside another program the filters leave out."""
    program = catalog.create_program(
        actor=SYSTEM,
        network=network,
        slug="kaizen",
        name={"en": "Kaizen and 5S", "ru": "Кайдзен и 5S", "ja": "改善と5S"},
        description={"en": "How Japanese plants improve, a little every day."},
        topic="production",
        audience="executives",
        hours=36,
    )
    marketing = catalog.create_program(
        actor=SYSTEM, network=network, slug="marketing", name={"en": "Marketing"}, topic="marketing"
    )
    factories.make_cohort(center, marketing)
    return factories.make_cohort(center, program, capacity=1)


def assert_fits_a_phone(page: Page) -> None:
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({width}px)"
    if size:
        page.set_viewport_size(size)


def check(page: Page) -> None:
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)
    assert_fits_a_phone(page)


def fill_in(page: Page, name: str, email: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Company").fill("Volga Bearings")
    page.get_by_label("Position").fill("Production director")


def test_a_visitor_finds_a_program_applies_without_an_account_and_sees_the_result(
    page: Page, kaizen: Cohort
) -> None:
    page.goto("/")
    check(page)

    # The filter refreshes the results in place (htmx) and keeps them in the address.
    page.get_by_label("Topic").select_option("production")
    expect(page.locator("#result-count")).to_contain_text("1 program matches your filters.")
    expect(page).to_have_url(re.compile(r"topic=production"))
    expect(page.locator("#results")).not_to_contain_text("Marketing")
    page.get_by_role("link", name="Kaizen and 5S").click()

    expect(page.locator("h1")).to_have_text("Kaizen and 5S")
    expect(page.locator("main")).to_contain_text("1 seat left")
    check(page)
    page.get_by_role("link", name=re.compile(r"^Apply")).click()

    expect(page.locator("h1")).to_have_text("Apply to Kaizen and 5S")
    check(page)
    # An address the browser accepts but Kakehashi does not: the form says so, kept filled.
    fill_in(page, "Anna Petrova", "anna@example")
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a valid email address.")
    expect(page.get_by_label("Full name")).to_have_value("Anna Petrova")
    check(page)
    page.get_by_label("Email").fill("anna@example.org")
    page.get_by_role("button", name="Enroll").click()

    expect(page.locator("h1")).to_have_text("You are enrolled")
    expect(page.locator("main")).to_contain_text("anna@example.org")
    check(page)
    assert Enrollment.objects.get().status == Status.ENROLLED

    # The one seat is taken: the next person joins the waiting list.
    page.goto(f"/cohorts/{kaizen.pk}/apply/")
    fill_in(page, "Boris Ivanov", "boris@example.org")
    page.get_by_role("button", name="Join the waiting list").click()

    expect(page.locator("h1")).to_have_text("You are on the waiting list")
    expect(page.locator("main")).to_contain_text("You are number 1 on the waiting list.")
    check(page)


def test_withdrawing_on_my_programs_updates_the_card_and_offers_the_seat_on(
    page: Page, kaizen: Cohort
) -> None:
    anna = factories.apply(kaizen, "anna")
    boris = factories.apply(kaizen, "boris")
    page.goto(reverse("portal:participant", args=[participant_token(anna.participant)]))
    expect(page.locator("h1")).to_have_text("My programs")
    expect(page.locator("main")).to_contain_text("Enrolled")
    check(page)

    # htmx replaces the card in place and says what happened; the page is not reloaded.
    page.evaluate("window.notReloaded = true")
    card = page.locator(".card", has_text="Kaizen and 5S")
    card.get_by_text("Withdraw", exact=True).click()
    card.get_by_label("Why are you withdrawing?").fill("Changed jobs.")
    card.get_by_role("button", name="Withdraw and give up my seat").click()

    expect(page.get_by_role("status")).to_contain_text("You have withdrawn.")
    expect(page.locator(".card .badge")).to_have_text("Withdrawn")
    assert page.evaluate("window.notReloaded") is True
    check(page)
    anna.refresh_from_db()
    boris.refresh_from_db()
    assert (anna.status, anna.note) == (Status.WITHDRAWN, "Changed jobs.")
    assert boris.status == Status.OFFERED

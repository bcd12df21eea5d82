"""A registrar's day in the office, in a real browser: the overview, a review cohort's
roster, and decisions that update the roster in place."""

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort
from kakehashi.core.models import User
from kakehashi.network.models import Center
from tests import factories
from tests.browser.conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, user: User, base_url: str) -> None:
    """Sign in by handing the browser a session made on the server (the login page is not
    what this test is about)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def fits_a_phone(page: Page) -> bool:
    page.set_viewport_size(PHONE)
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


@pytest.fixture
def review(center: Center) -> tuple[Cohort, Enrollment, Enrollment]:
    """A review cohort of one seat with two applications waiting for a decision."""
    cohort = factories.make_cohort(center, capacity=1, admission="review")
    first = factories.apply(cohort, "anna", motivation="We are building a plant in Kaluga.")
    second = factories.apply(cohort, "boris", motivation="I export timber to Japan.")
    return cohort, first, second


def test_a_registrar_accepts_an_application_and_the_roster_updates_in_place(
    page: Page, live_server: Any, registrar: User, review: tuple[Cohort, Enrollment, Enrollment]
) -> None:
    cohort, first, second = review
    log_in(page, registrar, live_server.url)

    page.goto("/office/")
    expect(page.locator("h1")).to_have_text("Centers")
    assert_accessible(page)
    page.get_by_role("link", name=cohort.center.name).click()
    page.get_by_role("link", name=cohort.program.name).first.click()
    expect(page).to_have_url(f"{live_server.url}/office/cohorts/{cohort.pk}/")
    applied = page.locator("#applied")
    expect(applied).to_contain_text("We are building a plant in Kaluga.")
    assert_accessible(page)

    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.stayedOnThePage = true")
    page.locator(f"#enrollment-{first.pk}").get_by_role("button", name="Accept").click()
    offered_row = page.locator(f"#offered #enrollment-{first.pk}")
    expect(offered_row).to_be_visible()
    expect(page.locator(f"#applied #enrollment-{first.pk}")).to_have_count(0)
    expect(page.locator("#roster-status")).to_contain_text("has been offered a seat")
    assert page.evaluate("window.stayedOnThePage") is True
    # Focus moves to the outcome, since the button pressed is gone.
    expect(page.locator("#roster-status .message.success")).to_be_focused()
    first.refresh_from_db()
    assert first.status == Status.OFFERED
    assert_accessible(page)

    # The only seat is held now: accepting the second is refused, in place, and changes nothing.
    page.locator(f"#enrollment-{second.pk}").get_by_role("button", name="Accept").click()
    expect(page.locator("#roster-status .message.error")).to_contain_text(
        "Put the application on the waiting list instead."
    )
    expect(page.locator(f"#applied #enrollment-{second.pk}")).to_be_visible()
    assert page.evaluate("window.stayedOnThePage") is True
    second.refresh_from_db()
    assert second.status == Status.APPLIED

    # Rather onto the waiting list, then.
    page.locator(f"#enrollment-{second.pk}").get_by_role("button", name="Waitlist").click()
    expect(page.locator(f"#waiting #enrollment-{second.pk}")).to_contain_text("1")
    assert_accessible(page)

    assert fits_a_phone(page), "the roster scrolls sideways on a phone"
    page.goto("/office/")
    assert fits_a_phone(page), "the overview scrolls sideways on a phone"
    assert_accessible(page)


def test_the_forms_explain_their_errors_accessibly_on_a_phone(
    page: Page, live_server: Any, registrar: User, center: Center
) -> None:
    factories.make_program(center.network)
    log_in(page, registrar, live_server.url)
    page.set_viewport_size(PHONE)
    page.goto(f"/office/centers/{center.pk}/cohorts/new/")
    assert_accessible(page)
    page.get_by_label("Starts on").fill("2031-03-10")
    page.get_by_label("Ends on").fill("2031-03-01")
    page.get_by_label("Seats").fill("0")
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator("#form-errors")).to_be_visible()
    seats = page.get_by_label("Seats")
    expect(seats).to_have_attribute("aria-invalid", "true")
    expect(seats).to_have_value("0")
    expect(page.get_by_label("Ends on")).to_have_accessible_description(
        "Must be on or after the start date."
    )
    assert_accessible(page)
    width: int = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

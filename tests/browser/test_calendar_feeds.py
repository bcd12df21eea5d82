"""The pages that give out feeds, in a real browser: accessible, usable on a phone, and the
address field hands over the whole address to copy."""

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from kakehashi.admissions.feeds import participant_feed_url
from kakehashi.admissions.notifications import participant_token
from kakehashi.catalog.feeds import center_feed_path
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.network.models import Center, Network
from tests import factories
from tests.browser.conftest import PHONE, assert_accessible
from tests.catalog.calendar.conftest import enroll, schedule, staff

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What the focused field has selected: focusing the address selects all of it, to copy.
SELECTED_TEXT = """() => {
    const field = document.activeElement;
    return field.value.substring(field.selectionStart, field.selectionEnd);
}"""


def log_in(page: Page, user: User, base_url: str) -> None:
    """Sign in by handing the browser a session made on the server."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def fits_a_phone(page: Page) -> bool:
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


def test_the_office_calendar_page_is_accessible_and_fits_a_phone(
    page: Page,
    live_server: Any,
    network: Network,
    center: Center,
    other_center: Center,
) -> None:
    teacher = staff("teacher", network, Role.INSTRUCTOR, center)
    staff("teacher-too", network, Role.INSTRUCTOR, other_center)
    log_in(page, teacher, live_server.url)
    page.goto("/office/calendar/")
    expect(page.locator("h1")).to_have_text("Calendar feeds")
    subscribe = page.get_by_role("link", name=f"Subscribe {center.name}")
    expect(subscribe).to_have_attribute(
        "href", f"webcal://{live_server.url.split('://')[1]}{center_feed_path(teacher, center)}"
    )
    address = page.get_by_role(
        "textbox", name=f"Or copy this address into your calendar app {center.name}"
    )
    expect(address).to_have_value(f"{live_server.url}{center_feed_path(teacher, center)}")
    address.focus()
    selected = page.evaluate(SELECTED_TEXT)
    assert selected == f"{live_server.url}{center_feed_path(teacher, center)}"
    expect(page.get_by_role("heading", name="Sessions I teach")).to_be_visible()
    assert_accessible(page)
    assert fits_a_phone(page)


def test_the_participants_page_offers_the_feed_accessibly_on_a_phone(
    page: Page,
    live_server: Any,
    center: Center,
) -> None:
    cohort = factories.make_cohort(center)
    schedule(cohort, cohort.starts_on)
    participant = enroll(cohort, "anna@example.org").participant
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    page.goto(f"/me/{participant_token(participant)}/")
    expect(page.get_by_role("heading", name="Subscribe to my sessions")).to_be_visible()
    expect(page.get_by_role("link", name="Subscribe My sessions")).to_be_visible()
    address = page.get_by_role(
        "textbox", name="Or copy this address into your calendar app My sessions"
    )
    expect(address).to_have_value(f"{live_server.url}{participant_feed_url(participant)}")
    assert fits_a_phone(page)
    assert_accessible(page)

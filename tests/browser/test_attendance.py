"""Taking attendance in a real browser, on a phone: the instructor marks today's session,
and a participant checks in with the code from the room."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from kakehashi.admissions.notifications import participant_token
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.delivery import codes
from kakehashi.delivery.models import Attendance, Source
from kakehashi.network.models import Center, Network
from tests.browser.conftest import PHONE, assert_accessible
from tests.delivery.conftest import Course, build_course, noon_at, staff

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course(network: Network, center: Center) -> Iterator[Course]:
    """Today's session under way, taught by an instructor; three people enrolled."""
    with noon_at(center):
        yield build_course(center, staff("instructor", network, Role.INSTRUCTOR, center))


def log_in(page: Page, user: User, base_url: str) -> None:
    """Sign in by handing the browser a session made on the server."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def assert_fits_a_phone(page: Page) -> None:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({width}px)"


def test_an_instructor_marks_todays_session_on_a_phone(
    page: Page, live_server: Any, course: Course
) -> None:
    anna, boris, vera = course.people
    page.set_viewport_size(PHONE)
    log_in(page, course.instructor, live_server.url)

    page.goto(reverse("office:teaching"))
    expect(page.locator("h1")).to_have_text("My sessions")
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.locator("section", has=page.locator("#today-title")).get_by_role("link").click()
    expect(page).to_have_url(
        f"{live_server.url}{reverse('office:session-attendance', args=[course.now_on.pk])}"
    )
    expect(page.locator("#attendance-counts")).to_contain_text("3 Not marked")
    expect(page.locator(".qr-box svg")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)

    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.stayedOnThePage = true")
    page.get_by_role("button", name="All present").click()
    expect(page.locator("#attendance-status")).to_contain_text("3 people marked present.")
    expect(page.locator("#attendance-counts")).to_contain_text("3 Present")
    expect(page.locator("#attendance-status .message")).to_be_focused()

    boris_row = page.locator(f"#mark-row-{boris.pk}")
    boris_row.get_by_text("Late", exact=True).click()
    expect(page.locator("#attendance-status")).to_contain_text("Person boris (generated): Late.")
    expect(page.locator("#attendance-counts")).to_contain_text("1 Late")
    expect(page.locator("#attendance-counts")).to_contain_text("2 Present")
    assert page.evaluate("window.stayedOnThePage") is True
    assert_accessible(page)
    assert_fits_a_phone(page)

    page.reload()
    expect(page.locator(f"#mark-{boris.pk}-late")).to_be_checked()
    expect(page.locator(f"#mark-{anna.pk}-present")).to_be_checked()
    expect(page.locator(f"#mark-{vera.pk}-present")).to_be_checked()
    assert dict(Attendance.objects.values_list("enrollment_id", "status")) == {
        anna.pk: "present",
        boris.pk: "late",
        vera.pk: "present",
    }

    # The keyboard works the segmented control too: arrow keys move between the marks.
    page.locator(f"#mark-{anna.pk}-present").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#attendance-status")).to_contain_text("Person anna (generated): Late.")
    expect(page.locator(f"#mark-{anna.pk}-late")).to_be_focused()

    page.get_by_role("link", name="Show the code full screen").click()
    expect(page.locator(".qr-box svg")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)


def test_a_participant_checks_in_from_the_code_after_opening_their_link(
    page: Page, live_server: Any, course: Course
) -> None:
    anna = course.people[0]
    page.set_viewport_size(PHONE)

    page.goto(reverse("portal:participant", args=[participant_token(anna.participant)]))
    expect(page.locator("h1")).to_have_text("My programs")

    page.goto(reverse("portal:check-in", args=[codes.check_in_code(course.now_on)]))
    expect(page.locator("h1")).to_have_text("Check in")
    expect(page.locator("main")).to_contain_text(course.cohort.program.name)
    assert_accessible(page)
    assert_fits_a_phone(page)

    page.get_by_role("button", name="Check in as Person anna (generated)").click()
    # The session started half an hour ago.
    expect(page.locator("main")).to_contain_text("You are checked in, marked late.")
    expect(page.locator("main")).to_contain_text("Your attendance at this session is recorded.")
    assert_accessible(page)
    assert_fits_a_phone(page)
    mark = Attendance.objects.get(enrollment=anna)
    assert (mark.status, mark.source) == ("late", Source.CHECK_IN)


def test_someone_unknown_on_this_phone_is_told_what_to_do(
    page: Page, live_server: Any, course: Course
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(reverse("portal:check-in", args=[codes.check_in_code(course.now_on)]))
    expect(page.locator("main")).to_contain_text("We don't know who you are on this phone yet.")
    assert_accessible(page)
    assert_fits_a_phone(page)

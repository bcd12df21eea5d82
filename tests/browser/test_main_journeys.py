"""The main journeys end to end, in a real browser: a visitor applies without an account,
staff accept, the participant confirms from the mailed link; and the whole way in Russian
and Japanese."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort
from kakehashi.core.models import OutgoingEmail, User
from kakehashi.network.models import Center, Network
from tests import factories
from tests.browser.conftest import assert_accessible
from tests.factories import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def seminar(network: Network, center: Center) -> Cohort:
    program = catalog.create_program(
        actor=SYSTEM,
        network=network,
        slug="export-to-japan",
        name={"en": "Exporting to Japan", "ru": "Экспорт в Японию", "ja": "日本への輸出"},
        description={"en": "Finding partners.", "ru": "Поиск партнёров.", "ja": "取引先探し。"},
        topic="marketing",
        audience="entrepreneurs",
        hours=24,
    )
    return factories.make_cohort(center, program, capacity=2, admission="review")


def test_apply_then_staff_accept_then_the_participant_confirms(
    page: Page, live_server: Any, seminar: Cohort, registrar: User
) -> None:
    # A visitor finds the program and applies, with no account.
    page.goto("/")
    page.get_by_role("link", name="Exporting to Japan").click()
    page.get_by_role("link", name=re.compile(r"^Apply")).click()
    page.get_by_label("Full name").fill("Olga Smirnova")
    page.get_by_label("Email").fill("olga@example.org")
    page.get_by_label("Company").fill("Amur Timber (generated)")
    page.get_by_label("Why do you want to take part?").fill("We sell timber and want buyers.")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("h1")).to_have_text("Your application is received")
    assert_accessible(page)
    link = re.search(r"https?://\S+/me/\S+/", OutgoingEmail.objects.get().body)
    assert link, "the mail carries the link to the participant's page"

    # The registrar logs in through the login page and accepts it in the office.
    staff = page.context.browser.new_context(base_url=live_server.url)  # type: ignore[union-attr]
    office = staff.new_page()
    office.goto("/accounts/login/")
    office.get_by_label(re.compile("Email or user name|Email|User name", re.I)).fill("registrar")
    office.get_by_label("Password").fill("correct horse battery")
    office.get_by_role("button", name="Log in").click()
    office.goto(f"/office/cohorts/{seminar.pk}/")
    enrollment = Enrollment.objects.get()
    office.locator(f"#enrollment-{enrollment.pk}").get_by_role("button", name="Accept").click()
    expect(office.locator(f"#offered #enrollment-{enrollment.pk}")).to_be_visible()
    staff.close()

    # The participant opens the mailed link and confirms the seat.
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    page.goto(path)
    expect(page.locator("main")).to_contain_text("A seat is offered to you")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my seat").click()
    expect(page.locator(".card .badge")).to_have_text("Enrolled")
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENROLLED


@pytest.mark.parametrize(("language", "script"), [("ru", CYRILLIC), ("ja", JAPANESE)])
def test_a_chosen_language_holds_the_whole_way_to_the_application_form(
    page: Page, seminar: Cohort, language: str, script: re.Pattern[str]
) -> None:
    page.goto("/")
    page.select_option("#language", language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    for step in range(3):
        heading = page.locator("h1").inner_text()
        assert script.search(heading), f"step {step}: {heading!r} is not in {language}"
        labels = " ".join(page.locator("main label, main th, main button").all_inner_texts())
        english = re.findall(r"\b(?:Apply|Seats|Email|Company|Position|Filter|Free)\b", labels)
        assert english == [], f"step {step}: English left on the page: {english}"
        if step == 0:
            page.locator("main a[href*='/programs/']").first.click()
        elif step == 1:
            page.locator("main a[href*='/apply/']").first.click()
        expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)

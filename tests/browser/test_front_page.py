import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_front_page_is_accessible_and_fits_a_phone(page: Page):
    page.goto("/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"


def test_the_language_switch_changes_the_whole_page(page: Page):
    page.goto("/")
    page.select_option("#language", "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    heading = page.locator("h1").inner_text()
    assert any("а" <= ch <= "я" for ch in heading.lower()), heading
    page.select_option("#language", "ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

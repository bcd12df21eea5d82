"""The account pages in a real browser: accessible, and fit for a phone."""

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import PHONE, assert_accessible

PASSWORD = "correct horse battery"  # what factories.make_user gives everyone


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_account_pages_are_accessible_and_fit_a_phone(page: Page) -> None:
    factories.make_user("anna")
    page.set_viewport_size(PHONE)

    def check(path: str) -> None:
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone"

    for path in ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"]:
        page.goto(path)
        check(path)

    # With errors showing, each tied to its field.
    page.goto("/accounts/signup/")
    page.fill("#id_full_name", "Anna")
    page.fill("#id_email", "anna@example.org")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "other")
    page.click("main button[type=submit]")
    expect(page.locator("#id_email_error")).to_be_visible()
    check("/accounts/signup/ with errors")

    page.goto("/accounts/login/")
    page.fill("#id_username", "anna@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto("/accounts/")
    check("/accounts/")
    page.goto("/accounts/password/")
    check("/accounts/password/")

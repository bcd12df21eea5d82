"""Certificates in a real browser: a participant downloads theirs, anyone checks one on a
phone, and the office watches a cohort's certificates being issued."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from huey.consumer import Consumer
from playwright.sync_api import Page, expect

from kakehashi.admissions.notifications import participant_token
from kakehashi.core.models import User
from kakehashi.credentials import keys, verification
from kakehashi.credentials.models import Certificate
from kakehashi.network.models import Center
from tests.browser.conftest import PHONE, assert_accessible
from tests.credentials.conftest import certified, cohort_with_people

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def key_dir(settings: Any, tmp_path: Path) -> Path:
    settings.KAKEHASHI_KEY_DIR = tmp_path / "keys"
    return settings.KAKEHASHI_KEY_DIR


@pytest.fixture
def certificate(center: Center) -> Certificate:
    return certified(center, "anna", language="ru")


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({width}px)"


def test_a_participant_downloads_their_certificate_and_its_credential(
    page: Page, certificate: Certificate, tmp_path: Path
) -> None:
    token = participant_token(certificate.enrollment.participant)
    page.goto(f"/me/{token}/certificates/")
    expect(page.locator("h1")).to_have_text("My certificates")
    card = page.locator(f"#certificate-{certificate.number}")
    expect(card).to_contain_text("Кайдзен и 5S")
    expect(card).to_contain_text(certificate.number)
    assert_accessible(page)

    with page.expect_download() as pdf_download:
        card.get_by_role("link", name="Download the certificate (PDF)").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename == f"certificate-{certificate.number}.pdf"
    pdf_path = tmp_path / pdf.suggested_filename
    pdf.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")

    with page.expect_download() as credential_download:
        card.get_by_role("link", name="Download the signed credential").click()
    credential = credential_download.value
    assert credential.suggested_filename == f"certificate-{certificate.number}.jwt"
    credential_path = tmp_path / credential.suggested_filename
    credential.save_as(credential_path)
    verdict = verification.verify(credential_path.read_text(), verification.load_jwks(keys.jwks()))
    assert verdict.state == "valid"

    card.get_by_role("link", name="Verify page").click()
    expect(page.locator("h1")).to_have_text("Valid certificate")


def test_the_verify_page_is_accessible_on_a_phone(
    page: Page, certificate: Certificate, registrar: User
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(reverse("credentials:verify-form"))
    expect(page.locator("h1")).to_have_text("Check a certificate")
    assert_accessible(page)
    assert_fits_a_phone(page)

    page.get_by_label("Certificate number").fill(certificate.number.lower())
    page.get_by_role("button", name="Check").click()

    expect(page).to_have_url(re.compile(f"/verify/{certificate.number}/$"))
    expect(page.locator("h1")).to_have_text("Valid certificate")
    expect(page.locator("main")).to_contain_text("Person anna (generated)")
    assert_accessible(page)
    assert_fits_a_phone(page)

    page.goto(reverse("credentials:verify", args=["MOS-2026-00000000"]))
    expect(page.locator("h1")).to_have_text("Unknown certificate")
    assert_accessible(page)
    assert_fits_a_phone(page)


def test_the_office_watches_a_cohorts_certificates_being_issued(
    page: Page, center: Center, registrar: User, live_server: Any, consumer: Consumer
) -> None:
    cohort = cohort_with_people(center, 3)
    log_in(page, registrar, live_server.url)
    page.goto(reverse("office:cohort-certificates", args=[cohort.pk]))
    expect(page.locator("main")).to_contain_text("3 participants meet the completion rule")
    expect(page.locator("#certificates")).to_contain_text("No certificate has been issued")
    assert_accessible(page)

    page.get_by_role("button", name="Complete eligible participants and issue certificates").click()

    # The page polls the run while the worker goes through the cohort, then refreshes the
    # list with it.
    run = page.locator("#certificate-run")
    expect(run).to_contain_text("Finished: 3 of 3 issued, 0 not.", timeout=60_000)
    expect(page.locator("#certificates")).to_contain_text("Certificates (3)")
    expect(page.locator("#certificates tbody tr")).to_have_count(3)
    assert_accessible(page)
    assert Certificate.objects.filter(enrollment__cohort=cohort).count() == 3


def log_in(page: Page, user: User, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )

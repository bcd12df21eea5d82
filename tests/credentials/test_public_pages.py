"""The verify page (valid, revoked, unknown) and a participant's certificates page with its
downloads, through the signed link and signed in."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kakehashi.admissions import services as admissions
from kakehashi.admissions.notifications import participant_token
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.credentials import services
from kakehashi.credentials.models import Certificate
from kakehashi.network.models import Center
from tests import factories
from tests.credentials.conftest import certified, enroll, make_program, running_cohort
from tests.factories import by_link

pytestmark = pytest.mark.django_db


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# --- verify --------------------------------------------------------------------------------


def test_a_valid_certificate_shows_what_it_states(certificate: Certificate):
    response = Client().get(f"/verify/{certificate.number}/")

    assert response.status_code == 200
    page = text(response)
    assert "Valid certificate" in page
    for fact in ("Person anna (generated)", "Кайдзен и 5S", "Center moscow", "Сеть", "36"):
        assert fact in page
    assert certificate.number in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


def test_a_revoked_certificate_says_when_and_why(certificate: Certificate, registrar: User):
    services.revoke_certificate(
        actor=StaffActor(registrar), certificate=certificate, reason="Attendance was falsified."
    )

    response = Client().get(f"/verify/{certificate.number}/")

    assert response.status_code == 200
    page = text(response)
    assert "Revoked certificate" in page
    assert "Attendance was falsified." in page
    today = timezone.localdate(timezone=certificate.center.tzinfo)
    assert f"revoked on {date_format(today, 'DATE_FORMAT')}" in page


def test_an_unknown_number_is_a_plain_404(certificate: Certificate):
    # One character off: nothing says how close it came.
    near = certificate.number[:-1] + ("0" if certificate.number[-1] != "0" else "1")

    for number in (near, "MOS-2026-00000000", "garbage"):
        response = Client().get(f"/verify/{number}/", follow=True)
        assert response.status_code == 404
        page = text(response)
        assert "Unknown certificate" in page
        assert certificate.number not in page
        assert "Person anna" not in page


def test_a_number_typed_in_lower_case_or_with_o_for_zero_finds_the_certificate(
    certificate: Certificate,
):
    typed = certificate.number.lower().replace("0", "o")

    response = Client().get("/verify/", {"number": f" {typed} "}, follow=True)

    assert response.redirect_chain[-1][0] == f"/verify/{certificate.number}/"
    assert "Valid certificate" in text(response)


def test_the_verify_form_refuses_what_is_not_a_number_and_asks_again(db: None):
    empty = Client().get("/verify/")
    junk = Client().get("/verify/", {"number": "<script>\x00"})

    assert empty.status_code == 200 and 'name="number"' in text(empty)
    assert junk.status_code == 422
    assert "This is not a certificate number" in text(junk)
    assert "<script>" not in text(junk)


# --- a participant's certificates ------------------------------------------------------------


def test_the_signed_link_shows_certificates_and_downloads_them(certificate: Certificate):
    token = participant_token(certificate.enrollment.participant)
    client = Client()

    page = client.get(f"/me/{token}/certificates/")

    assert page.status_code == 200
    assert certificate.number in text(page)
    pdf = client.get(
        reverse("portal:participant_certificate_pdf", args=[token, certificate.number])
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="certificate-{certificate.number}.pdf"'
    )
    credential = client.get(
        reverse("portal:participant_certificate_credential", args=[token, certificate.number])
    )
    assert credential.content.decode() == certificate.credential
    assert credential["Content-Disposition"].endswith(f'certificate-{certificate.number}.jwt"')
    # Rendered once and kept: the next download is the very same file.
    certificate.refresh_from_db()
    assert bytes(certificate.pdf) == pdf.content


def test_a_link_opens_only_its_own_participants_certificates(center: Center):
    mine = certified(center, "anna")
    theirs = certified(center, "boris")
    token = participant_token(mine.enrollment.participant)

    page = Client().get(f"/me/{token}/certificates/")
    stolen = Client().get(
        reverse("portal:participant_certificate_pdf", args=[token, theirs.number])
    )
    forged = Client().get("/me/not-a-token/certificates/")

    assert theirs.number not in text(page)
    assert stolen.status_code == 404
    assert forged.status_code == 404


def test_a_signed_in_participant_with_a_confirmed_address_sees_their_certificates(
    certificate: Certificate,
):
    person = User.objects.create_user(
        "anna", email="personanna@example.org", password="correct horse battery"
    )
    client = Client()
    client.force_login(person)

    unconfirmed = client.get(reverse("portal:my_certificates"))
    person.email_verified_at = timezone.now()
    person.save(update_fields=["email_verified_at"])
    confirmed = client.get(reverse("portal:my_certificates"))
    download = client.get(reverse("portal:my_certificate_credential", args=[certificate.number]))

    assert certificate.number not in text(unconfirmed)
    assert "once you have confirmed that address" in text(unconfirmed)
    assert certificate.number in text(confirmed)
    assert download.content.decode() == certificate.credential


def test_the_signed_in_page_needs_an_account(db: None):
    response = Client().get(reverse("portal:my_certificates"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_revoked_certificate_is_listed_as_revoked_without_its_pdf(
    certificate: Certificate, registrar: User
):
    services.revoke_certificate(
        actor=StaffActor(registrar), certificate=certificate, reason="Fraud."
    )
    token = participant_token(certificate.enrollment.participant)

    page = text(Client().get(f"/me/{token}/certificates/"))
    pdf = Client().get(
        reverse("portal:participant_certificate_pdf", args=[token, certificate.number])
    )

    assert "Revoked" in page and "Fraud." in page
    assert pdf.status_code == 404


def test_who_took_part_without_completing_gets_a_transcript(center: Center):
    cohort = running_cohort(center)
    staying = enroll(cohort, "staying")
    leaving = enroll(cohort, "leaving")
    admissions.withdraw(actor=by_link(leaving), enrollment=leaving)
    early = enroll(factories.make_cohort(center, make_program(center.network)))  # in 30 days

    for enrollment, listed in ((staying, True), (leaving, True), (early, False)):
        token = participant_token(enrollment.participant)
        page = text(Client().get(f"/me/{token}/certificates/"))
        url = reverse("portal:participant_transcript", args=[token, enrollment.pk])
        assert (url in page) is listed
        download = Client().get(url)
        if listed:
            assert download.status_code == 200 and download.content.startswith(b"%PDF")
        else:
            assert download.status_code == 404
    page = text(Client().get(f"/me/{participant_token(leaving.participant)}/certificates/"))
    assert "Withdrawn on" in page
    page = text(Client().get(f"/me/{participant_token(staying.participant)}/certificates/"))
    assert "In progress" in page

"""The office's certificate pages: who sees what, who may issue and revoke."""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kakehashi.admissions import services as admissions
from kakehashi.admissions.notifications import participant_token
from kakehashi.catalog import services as catalog
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.credentials.models import Certificate, CertificateRun, RunState
from kakehashi.network.models import Center
from tests import factories
from tests.credentials.conftest import certified, enroll, running_cohort
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: HttpResponse) -> str:
    return response.content.decode()


def cohort_page(certificate: Certificate) -> str:
    return reverse("office:cohort-certificates", args=[certificate.enrollment.cohort_id])


def detail_page(certificate: Certificate) -> str:
    return reverse("office:certificate", args=[certificate.number])


def revoke_url(certificate: Certificate) -> str:
    return reverse("office:certificate-revoke", args=[certificate.number])


def start_url(certificate: Certificate) -> str:
    return reverse("office:certificate-run-start", args=[certificate.enrollment.cohort_id])


PAGES: dict[str, Callable[[Certificate], str]] = {
    "cohort": cohort_page,
    "detail": detail_page,
    "pdf": lambda c: reverse("office:certificate-pdf", args=[c.number]),
}


@pytest.mark.parametrize("page", PAGES)
def test_each_page_opens_for_the_centers_staff_and_no_one_else(
    page: str,
    certificate: Certificate,
    registrar: User,
    viewer: User,
    office: User,
    other_registrar: User,
    outsider: User,
):
    url = PAGES[page](certificate)

    for person in (registrar, viewer, office):
        assert as_user(person).get(url).status_code == 200, person
    assert as_user(other_registrar).get(url).status_code == 404
    assert as_user(outsider).get(url).status_code == 403
    anonymous = as_user(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_cohort_page_lists_its_certificates_and_the_button(
    certificate: Certificate, registrar: User, viewer: User
):
    nobody_left = text(as_user(registrar).get(cohort_page(certificate)))
    enroll(certificate.enrollment.cohort, "boris")

    page = text(as_user(registrar).get(cohort_page(certificate)))
    seen = text(as_user(viewer).get(cohort_page(certificate)))

    assert "Nobody else meets the completion rule now" in nobody_left
    assert "Complete eligible participants" not in nobody_left
    assert certificate.number in page and "Person anna (generated)" in page
    assert "1 participant meets the completion rule and can complete now." in page
    assert "Complete eligible participants and issue certificates" in page
    assert "Revoke the certificate" in page
    assert certificate.number in seen
    assert "Complete eligible participants" not in seen and "Revoke the certificate" not in seen


def test_the_detail_shows_the_credential_and_whether_it_verifies(
    certificate: Certificate, registrar: User
):
    page = text(as_user(registrar).get(detail_page(certificate)))

    assert "The signature verifies with the network's published key." in page
    assert "OpenBadgeCredential" in page
    assert certificate.key.kid in page


def test_a_registrar_revokes_with_a_reason_and_the_page_says_so(
    certificate: Certificate, registrar: User
):
    client = as_user(registrar)

    response = client.post(
        revoke_url(certificate), {"reason": "Issued in error.", "back": "cohort"}, follow=True
    )

    assert response.redirect_chain[-1][0] == cohort_page(certificate) + (
        f"#certificate-{certificate.number}"
    )
    assert f"Certificate {certificate.number} is revoked" in text(response)
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Issued in error."


def test_revoking_without_a_reason_is_refused_and_changes_nothing(
    certificate: Certificate, registrar: User
):
    response = as_user(registrar).post(revoke_url(certificate), {"reason": " "}, follow=True)

    assert response.status_code == 200
    assert "Reason is required." in text(response)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_who_may_not_certify_cannot_revoke_or_issue(
    certificate: Certificate, viewer: User, other_registrar: User, outsider: User
):
    for url in (revoke_url(certificate), start_url(certificate)):
        assert as_user(viewer).post(url, {"reason": "x"}).status_code == 403
        assert as_user(other_registrar).post(url, {"reason": "x"}).status_code == 404
        assert as_user(outsider).post(url, {"reason": "x"}).status_code == 403
        assert as_user(None).post(url, {"reason": "x"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert not CertificateRun.objects.exists()


def test_the_button_starts_a_run_and_a_second_click_shows_the_same_one(
    certificate: Certificate, registrar: User, center: Center
):
    enroll(certificate.enrollment.cohort, "boris")
    client = as_user(registrar)

    first = client.post(start_url(certificate), follow=True)
    second = client.post(start_url(certificate), follow=True)

    run = CertificateRun.objects.get()
    assert run.requested_by == registrar
    assert "has begun" in text(first)
    assert "already being issued" in text(second)
    if run.state == RunState.QUEUED:  # no worker here: the page polls for progress
        assert reverse("office:certificate-run", args=[run.pk]) in text(second)


def test_the_run_progress_is_visible_to_the_centers_staff_only(
    certificate: Certificate, registrar: User, other_registrar: User
):
    run = CertificateRun.objects.create(cohort=certificate.enrollment.cohort, total=3, done=1)
    url = reverse("office:certificate-run", args=[run.pk])

    shown = as_user(registrar).get(url, headers={"HX-Request": "true"})

    assert "In progress: 1 of 3 done." in text(shown)
    assert 'hx-trigger="every 1s"' in text(shown)
    assert as_user(other_registrar).get(url).status_code == 404


def test_with_htmx_the_button_answers_with_the_progress_and_the_outcome(
    certificate: Certificate, registrar: User
):
    enroll(certificate.enrollment.cohort, "boris")

    response = as_user(registrar).post(start_url(certificate), headers={"HX-Request": "true"})

    run = CertificateRun.objects.get()
    fragment = text(response)
    assert response.status_code == 200
    assert 'id="certificate-run-status" hx-swap-oob="innerHTML"' in fragment
    assert "has begun" in fragment
    if run.is_active:
        assert reverse("office:certificate-run", args=[run.pk]) in fragment


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm up: the first request may record the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_cohort_page_runs_the_same_queries_for_one_certificate_or_twelve(
    certificate: Certificate, registrar: User
):
    cohort = certificate.enrollment.cohort
    catalog.update_cohort(actor=SYSTEM, cohort=cohort, capacity=20)
    client = as_user(registrar)
    few = queries(client, cohort_page(certificate))

    for n in range(11):
        admissions.complete(actor=StaffActor(registrar), enrollment=enroll(cohort, f"more{n}"))

    assert Certificate.objects.filter(enrollment__cohort=cohort).count() == 12
    assert queries(client, cohort_page(certificate)) == few


def test_the_participants_page_runs_the_same_queries_for_one_certificate_or_six(
    center: Center,
):
    first = certified(center, "anna")
    participant = first.enrollment.participant
    url = f"/me/{participant_token(participant)}/certificates/"
    client = Client()
    few = queries(client, url)

    for _n in range(5):
        cohort = running_cohort(center)
        enrollment = admissions.apply(
            actor=SYSTEM, cohort=cohort, applicant=factories.applicant("anna")
        )
        admissions.complete(actor=SYSTEM, enrollment=enrollment)

    assert Certificate.objects.filter(enrollment__participant=participant).count() == 6
    assert queries(client, url) == few

"""The certificates API: listing, reading (with the credential), revoking, and the run."""

import pytest

from kakehashi.core.models import User
from kakehashi.credentials import verification
from kakehashi.credentials.models import Certificate, CertificateRun
from tests.credentials.conftest import enroll

pytestmark = pytest.mark.django_db


def test_a_registrar_lists_the_cohorts_certificates(certificate: Certificate, registrar, api_as):
    response = api_as(registrar).get(f"/cohorts/{certificate.enrollment.cohort_id}/certificates")

    assert response.status_code == 200
    [listed] = response.json()
    assert listed["number"] == certificate.number
    assert listed["status"] == "valid"
    assert listed["holder"]["full_name"] == "Person anna (generated)"
    assert listed["verify_url"].endswith(f"/verify/{certificate.number}/")


def test_one_certificate_comes_with_its_signed_credential(certificate: Certificate, viewer, api_as):
    response = api_as(viewer).get(f"/certificates/{certificate.number.lower()}")

    assert response.status_code == 200
    body = response.json()
    assert body["credential"] == certificate.credential
    assert body["kid"] == certificate.key.kid
    assert verification.unverified_claims(body["credential"])["jti"] == body["verify_url"]


def test_a_registrar_revokes_through_the_api(certificate: Certificate, registrar, api_as):
    client = api_as(registrar)

    missing = client.post(f"/certificates/{certificate.number}/revoke", {"reason": ""})
    revoked = client.post(f"/certificates/{certificate.number}/revoke", {"reason": "Fraud."})
    again = client.post(f"/certificates/{certificate.number}/revoke", {"reason": "Fraud."})

    assert missing.status_code == 422 and missing.json()["fields"] == {
        "reason": "This field is required."
    }
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revocation_reason"] == "Fraud."
    assert again.status_code == 409 and again.json()["code"] == "already_revoked"


def test_the_api_refuses_as_the_pages_do(
    certificate: Certificate,
    viewer: User,
    other_registrar: User,
    outsider: User,
    api_as,
):
    cohort = certificate.enrollment.cohort_id
    number = certificate.number
    reads = [f"/cohorts/{cohort}/certificates", f"/certificates/{number}"]
    writes = [f"/certificates/{number}/revoke", f"/cohorts/{cohort}/certificate-runs"]

    for path in reads + writes:
        for person in (other_registrar, outsider):
            client = api_as(person)
            response = client.get(path) if path in reads else client.post(path, {"reason": "x"})
            assert response.status_code == 404, (path, person)
        anonymous = api_as(None)
        response = anonymous.get(path) if path in reads else anonymous.post(path, {"reason": "x"})
        assert response.status_code == 401
    for path in writes:
        assert api_as(viewer).post(path, {"reason": "x"}).status_code == 403
    assert api_as(viewer).get(reads[1]).status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_nonsense_numbers_are_not_found_not_errors(db: None, registrar, api_as):
    for number in ("%00", "x" * 500, "MOS-2026-%27%3B"):
        assert api_as(registrar).get(f"/certificates/{number}").status_code == 404


def test_a_run_is_started_and_followed_through_the_api(certificate: Certificate, registrar, api_as):
    enroll(certificate.enrollment.cohort, "boris")
    client = api_as(registrar)

    started = client.post(f"/cohorts/{certificate.enrollment.cohort_id}/certificate-runs")
    followed = client.get(f"/certificate-runs/{started.json()['id']}")
    second = client.post(f"/cohorts/{certificate.enrollment.cohort_id}/certificate-runs")

    assert started.status_code == 202
    assert started.json()["total"] == 2  # boris to complete, and anna's PDF to store
    assert followed.status_code == 200
    run = CertificateRun.objects.get()
    assert followed.json()["state"] == run.state
    if run.is_active:
        assert second.status_code == 409 and second.json()["code"] == "run_in_progress"

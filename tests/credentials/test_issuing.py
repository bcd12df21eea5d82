"""Completing a cohort issues its certificate at once: one per completion, signed with the
network's key, in the holder's language."""

import datetime
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Status
from kakehashi.catalog import services as catalog
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import InvalidTransition, PermissionDenied
from kakehashi.core.models import AuditEvent, User
from kakehashi.credentials import keys, services, verification
from kakehashi.credentials.key_checks import check_base_url, check_signing_keys
from kakehashi.credentials.models import Certificate, SigningKey
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, CenterStatus
from kakehashi.network.services import CenterClosed
from tests import factories
from tests.credentials.conftest import (
    certified,
    complete,
    ended_cohort,
    enroll,
    make_program,
    running_cohort,
)
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^[A-Z0-9]{1,3}-\d{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}$")


def verdict(certificate: Certificate) -> verification.Verdict:
    jwks = verification.load_jwks(keys.jwks())
    return verification.verify(certificate.credential, jwks)


def test_completing_an_enrollment_issues_its_certificate_at_once(center: Center, registrar: User):
    enrollment = enroll(running_cohort(center), "anna")

    admissions.complete(actor=StaffActor(registrar), enrollment=enrollment)

    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.network == center.network and certificate.center == center
    assert verdict(certificate).state == "valid"
    event = AuditEvent.objects.get(action="credentials.certificate.issued")
    assert event.actor == registrar and event.data["number"] == certificate.number


def test_recording_a_past_completion_issues_its_certificate(center: Center, registrar: User):
    cohort = ended_cohort(center)

    enrollment = admissions.record_past_participant(
        actor=StaffActor(registrar), cohort=cohort, applicant=factories.applicant("paper")
    )

    certificate = Certificate.objects.get(enrollment=enrollment)
    facts = verdict(certificate).facts
    assert facts is not None
    assert facts.holder_name == "Person paper (generated)"
    assert (facts.starts_on, facts.ends_on) == (cohort.starts_on, cohort.ends_on)


def test_a_completion_queues_its_pdf_but_a_recorded_history_does_not(
    center: Center, registrar: User, django_capture_on_commit_callbacks: Any
):
    enrollment = enroll(running_cohort(center), "now")
    HUEY.flush()
    with django_capture_on_commit_callbacks(execute=True):
        admissions.complete(actor=StaffActor(registrar), enrollment=enrollment)
    assert HUEY.pending_count() == 1
    HUEY.flush()

    # Hundreds of paper records at once: their PDFs are made when first downloaded.
    with django_capture_on_commit_callbacks(execute=True):
        admissions.record_past_participant(
            actor=StaffActor(registrar),
            cohort=ended_cohort(center),
            applicant=factories.applicant("paper"),
        )

    assert HUEY.pending_count() == 0
    assert Certificate.objects.filter(pdf__isnull=True).count() == 2


def test_recording_a_past_withdrawal_issues_nothing(center: Center):
    admissions.record_past_participant(
        actor=SYSTEM,
        cohort=ended_cohort(center),
        applicant=factories.applicant("left"),
        outcome=Status.WITHDRAWN,
    )

    assert not Certificate.objects.exists()


def test_the_number_names_the_center_and_year_and_is_unguessable(center: Center):
    numbers = {certified(center, i).number for i in range(20)}

    assert len(numbers) == 20
    year = timezone.localdate(timezone=center.tzinfo).year
    for number in numbers:
        assert NUMBER.match(number), number
        assert number.startswith(f"MOS-{year}-")


def test_a_number_typed_loosely_is_read_as_printed():
    assert services.normalize_number(" mos-2026-7k3d9qxo ") == "MOS-2026-7K3D9QX0"
    assert services.normalize_number("MOS-2026-ILO0") == "MOS-2026-1100"
    assert not services.looks_like_number("MOS-2026-\x00")


def test_the_credential_is_an_open_badge_in_the_holders_language(center: Center):
    certificate = certified(center, "anna", language="ru")
    claims = verification.unverified_claims(certificate.credential)
    header, _payload = verification.split_compact(certificate.credential)

    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": certificate.key.kid}
    assert claims["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["issuer"]["type"] == ["Profile"]
    assert claims["issuer"]["name"] == "Сеть"
    assert claims["iss"] == claims["issuer"]["id"] == certificate.key.issuer
    assert claims["jti"] == claims["id"]
    assert claims["id"].endswith(f"/verify/{certificate.number}/")
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["nbf"] == int(certificate.issued_at.replace(microsecond=0).timestamp())
    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Кайдзен и 5S"
    assert achievement["inLanguage"] == "ru"
    assert achievement["criteria"]["narrative"]
    assert subject["hoursOfInstruction"] == "36"
    assert claims["credentialStatus"] == {
        "id": "http://127.0.0.1:8000/certificates/net/revocations.jwt",
        "type": "1EdTechRevocationList",
    }
    # The address is there only hashed, with a salt.
    assert "anna@example.org" not in certificate.credential
    email = next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")
    assert email["hashed"] is True and email["identityHash"].startswith("sha256$")
    assert certificate.language == "ru"


def test_a_participant_without_a_language_gets_the_cohorts(center: Center):
    cohort = running_cohort(center, language="ja")
    enrollment = enroll(cohort, "kenji")
    enrollment.participant.language = ""
    enrollment.participant.save(update_fields=["language"])

    assert complete(enrollment).language == "ja"


def test_issuing_twice_gives_the_same_certificate(center: Center, registrar: User):
    certificate = certified(center, "anna")

    again = services.issue_certificate(
        actor=StaffActor(registrar), enrollment=certificate.enrollment
    )

    assert again == certificate
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="credentials.certificate.issued").count() == 1


def test_completing_twice_is_refused_and_leaves_one_certificate(center: Center, registrar: User):
    certificate = certified(center, "anna")

    with pytest.raises(InvalidTransition):
        admissions.complete(actor=StaffActor(registrar), enrollment=certificate.enrollment)

    assert Certificate.objects.count() == 1


def test_an_enrollment_not_completed_gets_no_certificate(center: Center, registrar: User):
    enrollment = enroll(running_cohort(center), "anna")

    with pytest.raises(InvalidTransition, match="Only a completed enrollment"):
        services.issue_certificate(actor=StaffActor(registrar), enrollment=enrollment)


def test_only_those_who_certify_may_issue(center: Center, viewer: User):
    certificate = certified(center, "anna")

    with pytest.raises(PermissionDenied):
        services.issue_certificate(actor=StaffActor(viewer), enrollment=certificate.enrollment)


def test_a_certificate_cannot_be_changed_once_issued(certificate: Certificate):
    certificate.language = "en"

    with pytest.raises(ValueError, match="immutable"):
        certificate.save()
    with pytest.raises(ValueError, match="immutable"):
        certificate.save(update_fields=["credential"])


# --- keys ------------------------------------------------------------------------------------


def test_the_first_certificate_of_a_network_makes_its_key(center: Center, key_dir: Path):
    assert not SigningKey.objects.exists()

    first = certified(center, 1)
    second = certified(center, 2)

    key = SigningKey.objects.get()
    assert first.key == second.key == key
    assert key.kid == keys.private_key(key).thumbprint()
    path = key_dir / f"{key.kid}.pem"
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The database holds the public half only.
    assert set(key.public_jwk) == {"kty", "crv", "x"}
    assert AuditEvent.objects.filter(action="credentials.key.created").count() == 1


def test_rotating_keeps_old_certificates_valid_and_signs_new_ones_with_the_new_key(
    center: Center,
):
    old = certified(center, "before")

    call_command("keys", "rotate", "--network", center.network.slug)
    new = certified(center, "after")

    assert new.key != old.key
    old_key, new_key = SigningKey.objects.order_by("pk")
    assert old_key.retired_at is not None and new_key.retired_at is None
    assert new_key.issuer == old_key.issuer
    published = {jwk["kid"] for jwk in keys.jwks()["keys"]}
    assert published == {old_key.kid, new_key.kid}
    assert verdict(old).state == verdict(new).state == "valid"


def test_a_missing_private_key_refuses_the_completion_with_a_clear_message(
    center: Center, registrar: User
):
    first = certified(center, "first")
    first.key.private_key_path.unlink()
    enrollment = enroll(first.enrollment.cohort, "second")

    with pytest.raises(keys.SigningKeyMissing) as refused:
        admissions.complete(actor=StaffActor(registrar), enrollment=enrollment)

    assert first.key.kid in refused.value.message
    assert str(first.key.private_key_path) in refused.value.message
    assert "kakehashi keys rotate --network net" in refused.value.message
    # The completion was rolled back with the certificate it could not get.
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENROLLED
    assert not Certificate.objects.filter(enrollment=enrollment).exists()


def test_the_system_checks_report_a_missing_private_key(center: Center):
    certificate = certified(center, "anna")
    assert check_signing_keys() == []

    certificate.key.private_key_path.unlink()

    [problem] = check_signing_keys()
    assert problem.id == "credentials.E001" and problem.level == checks.ERROR
    assert certificate.key.kid in problem.msg
    assert "kakehashi keys rotate --network net" in (problem.hint or "")
    registered = checks.run_checks()
    assert any(message.id == "credentials.E001" for message in registered)


def test_a_closed_centers_completions_are_refused_before_any_certificate(center: Center):
    # Completing is refused at a closed center: no certificate can be issued there either.
    enrollment = enroll(running_cohort(center), "anna")
    for status in (CenterStatus.CLOSING, CenterStatus.CLOSED):
        network_services.change_center_status(actor=SYSTEM, center=center, to_status=status)

    with pytest.raises(CenterClosed):
        admissions.complete(actor=SYSTEM, enrollment=enrollment)
    assert not Certificate.objects.exists()


def test_keys_list_shows_each_key_and_whether_its_file_is_there(
    center: Center, capsys: pytest.CaptureFixture[str]
):
    certificate = certified(center, "anna")
    call_command("keys", "list")
    assert f"net  {certificate.key.kid}  active  file present" in capsys.readouterr().out

    certificate.key.private_key_path.unlink()
    call_command("keys", "list")

    assert "FILE MISSING" in capsys.readouterr().out


def test_rotating_an_unknown_network_is_a_usage_error(db: None):
    with pytest.raises(CommandError, match="There is no network 'nowhere'") as refused:
        call_command("keys", "rotate", "--network", "nowhere")
    assert refused.value.returncode == 2


def test_only_an_administrator_may_rotate_a_key(center: Center, office: User):
    certified(center, "anna")

    with pytest.raises(PermissionDenied):
        keys.rotate_key(actor=StaffActor(office), network=center.network)
    assert SigningKey.objects.count() == 1


def test_without_hours_in_the_catalog_the_sessions_hours_are_stated(center: Center):
    cohort = running_cohort(center, make_program(center.network, hours=0))
    start = timezone.now() - datetime.timedelta(days=3)
    for day in range(4):  # four sessions of two and a half hours
        begins = start + datetime.timedelta(days=day)
        catalog.schedule_session(
            actor=SYSTEM,
            cohort=cohort,
            starts_at=begins,
            ends_at=begins + datetime.timedelta(hours=2.5),
        )

    certificate = complete(enroll(cohort, "anna"))

    claims = verification.unverified_claims(certificate.credential)
    assert claims["credentialSubject"]["hoursOfInstruction"] == "10"
    assert (
        "hours of instruction: 10)"
        in claims["credentialSubject"]["achievement"]["criteria"]["narrative"]
    )


def test_the_deployment_check_warns_of_a_local_address_certificates_would_carry(
    settings: Any,
):
    settings.KAKEHASHI_BASE_URL = "http://127.0.0.1:8000"
    [warning] = check_base_url()
    assert warning.id == "credentials.W002"

    settings.KAKEHASHI_BASE_URL = "https://certificates.example.org"
    assert check_base_url() == []

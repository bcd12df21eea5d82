"""Revoking a certificate: for a reason, audited, once; published in a signed list that
offline verification honours."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kakehashi.core import audit
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from kakehashi.core.models import AuditEvent, User
from kakehashi.credentials import keys, services, verification
from kakehashi.credentials.models import Certificate
from kakehashi.network.models import Center
from tests import factories
from tests.credentials.conftest import certified

pytestmark = pytest.mark.django_db


def fetch_list(slug: str = "net") -> str:
    response = Client().get(f"/certificates/{slug}/revocations.jwt")
    assert response.status_code == 200
    return response.content.decode()


def test_revoking_needs_a_reason_and_is_audited(certificate: Certificate, registrar: User):
    with pytest.raises(InvalidInput) as refused:
        services.revoke_certificate(
            actor=StaffActor(registrar), certificate=certificate, reason="  "
        )
    assert refused.value.fields == {"reason": "This field is required."}

    revoked = services.revoke_certificate(
        actor=StaffActor(registrar),
        certificate=certificate,
        reason="Attendance records were falsified.",
    )

    assert revoked.revoked_at is not None and revoked.revoked_by == registrar
    assert [link for _chain, link in audit.verify()] == [None] * len(list(audit.verify()))
    event = AuditEvent.objects.get(action="credentials.certificate.revoked")
    assert event.actor == registrar
    assert event.data == {
        "number": certificate.number,
        "reason": "Attendance records were falsified.",
    }


def test_revoking_twice_is_refused_with_when_and_why(certificate: Certificate, registrar: User):
    services.revoke_certificate(
        actor=StaffActor(registrar), certificate=certificate, reason="Fraud."
    )

    with pytest.raises(InvalidTransition, match=r"already revoked on .* \(Fraud\.\)"):
        services.revoke_certificate(
            actor=StaffActor(registrar), certificate=certificate, reason="Again."
        )
    assert AuditEvent.objects.filter(action="credentials.certificate.revoked").count() == 1


def test_only_those_who_certify_at_the_center_may_revoke(
    certificate: Certificate, viewer: User, other_registrar: User
):
    for person in (viewer, other_registrar):
        with pytest.raises(PermissionDenied):
            services.revoke_certificate(
                actor=StaffActor(person), certificate=certificate, reason="No."
            )
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_the_revocation_list_is_signed_and_names_each_revoked_credential(
    center: Center, registrar: User
):
    kept, revoked = certified(center, "kept"), certified(center, "revoked")
    services.revoke_certificate(
        actor=StaffActor(registrar), certificate=revoked, reason="Issued in error."
    )

    response = Client().get("/certificates/net/revocations.jwt")

    assert response["Content-Type"] == "application/jwt"
    assert "no-cache" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    published = verification.read_revocation_list(
        response.content.decode(), verification.load_jwks(keys.jwks())
    )
    revoked_id = verification.unverified_claims(revoked.credential)["jti"]
    assert list(published.revocations) == [revoked_id]
    entry = published.revocations[revoked_id]
    assert entry.reason == "Issued in error."
    assert entry.revoked_at is not None
    assert abs(entry.revoked_at - Certificate.objects.get(pk=revoked.pk).revoked_at) < (
        datetime.timedelta(seconds=1)
    )
    assert published.issuer_id == kept.key.issuer


def test_a_network_without_certificates_has_no_list(network: object):
    assert Client().get("/certificates/net/revocations.jwt").status_code == 404
    assert Client().get("/certificates/nowhere/revocations.jwt").status_code == 404


def test_offline_verification_with_the_list_says_revoked(
    center: Center, registrar: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    certificate = certified(center, "anna")
    (tmp_path / "jwks.json").write_text(json.dumps(keys.jwks()))
    (tmp_path / "cert.jwt").write_text(certificate.credential)
    services.revoke_certificate(
        actor=StaffActor(registrar), certificate=certificate, reason="Fraud."
    )
    (tmp_path / "revocations.jwt").write_text(fetch_list())
    arguments = ["verify", str(tmp_path / "cert.jwt"), "--jwks", str(tmp_path / "jwks.json")]

    call_command("certificates", *arguments)  # without the list it cannot know
    assert "VALID" in capsys.readouterr().out

    with pytest.raises(CommandError) as failed:
        call_command("certificates", *arguments, "--revocations", str(tmp_path / "revocations.jwt"))

    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    assert out.startswith(f"REVOKED  {certificate.number}")
    assert "Fraud." in out


def test_a_forged_or_foreign_revocation_list_is_refused(
    center: Center, registrar: User, tmp_path: Path
):
    certificate = certified(center, "anna")
    other = certified(factories.make_center(factories.make_network("other"), "osaka"), "kenji")
    services.revoke_certificate(
        actor=StaffActor(registrar), certificate=certificate, reason="Fraud."
    )
    jwks = verification.load_jwks(keys.jwks())
    token = fetch_list()
    header, claims = verification.split_compact(token)
    claims["revokedCredentials"] = []
    forged = verification.jws.serialize_compact(
        header,
        json.dumps(claims).encode(),
        keys.generate_private_key(),
        registry=verification.REGISTRY,
    )

    with pytest.raises(verification.VerificationError, match="cannot be trusted"):
        verification.read_revocation_list(forged, jwks)
    foreign = verification.read_revocation_list(fetch_list("other"), jwks)
    with pytest.raises(verification.VerificationError, match="is from"):
        verification.verify(certificate.credential, jwks, foreign)
    assert verification.verify(other.credential, jwks, foreign).state == "valid"

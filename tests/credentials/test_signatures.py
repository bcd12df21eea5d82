"""A credential is checked with the published keys alone, by an independent JOSE library
(jwcrypto; Kakehashi signs with joserfc), and any change to it is caught."""

import base64
import datetime
import json
from typing import Any

import pytest
from django.test import Client
from jwcrypto import jwk, jws, jwt

from kakehashi.credentials import keys, verification
from kakehashi.credentials.models import Certificate
from kakehashi.network.models import Center
from tests import factories
from tests.credentials.conftest import certified

pytestmark = pytest.mark.django_db


def published_keys() -> str:
    response = Client().get("/.well-known/jwks.json")
    assert response.status_code == 200
    return response.content.decode()


def b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def with_one_byte_changed(token: str, part: int) -> str:
    """The token with one byte of its decoded ``part`` (1: payload, 2: signature) flipped
    and the part encoded again, so the change is a real one and not in padding bits."""
    parts = token.split(".")
    data = bytearray(b64decode(parts[part]))
    index = len(data) // 2
    data[index] ^= 0x01
    parts[part] = b64encode(bytes(data))
    return ".".join(parts)


def jwcrypto_claims(token: str, keyset: str) -> dict[str, Any]:
    checked = jwt.JWT(jwt=token, key=jwk.JWKSet.from_json(keyset), algs=["EdDSA"])
    claims: dict[str, Any] = json.loads(checked.claims)
    return claims


def test_an_independent_library_verifies_a_credential_with_the_published_key_alone(
    certificate: Certificate,
):
    keyset = published_keys()

    claims = jwcrypto_claims(certificate.credential, keyset)

    assert claims["jti"] == claims["id"]
    assert claims["credentialSubject"]["achievement"]["name"] == "Кайдзен и 5S"


def test_one_byte_changed_in_the_payload_or_the_signature_fails_verification(
    certificate: Certificate,
):
    keyset = published_keys()
    tampered_payload = with_one_byte_changed(certificate.credential, 1)
    tampered_signature = with_one_byte_changed(certificate.credential, 2)
    assert jwcrypto_claims(certificate.credential, keyset)

    published = jwk.JWKSet.from_json(keyset).get_key(certificate.key.kid)
    for tampered in (tampered_payload, tampered_signature):
        signed = jws.JWS()
        signed.deserialize(tampered)
        with pytest.raises(jws.InvalidJWSSignature):
            signed.verify(published, alg="EdDSA")
        with pytest.raises(jwt.JWTMissingKey):  # no key of the set verifies it
            jwt.JWT(jwt=tampered, key=jwk.JWKSet.from_json(keyset), algs=["EdDSA"])
        verdict = verification.verify(tampered, verification.load_jwks(keyset))
        assert verdict.state == "invalid"
        assert "signature does not match" in verdict.problem


def test_a_payload_rewritten_and_signed_with_another_key_is_refused(certificate: Certificate):
    keyset = verification.load_jwks(published_keys())
    header, claims = verification.split_compact(certificate.credential)
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Somebody Else"
    forger = keys.generate_private_key()
    forged = verification.jws.serialize_compact(
        header, json.dumps(claims).encode(), forger, registry=verification.REGISTRY
    )

    verdict = verification.verify(forged, keyset)

    assert verdict.state == "invalid"


def test_the_published_keys_are_public_halves_open_to_any_site_and_cached(
    certificate: Certificate,
):
    response = Client().get("/.well-known/jwks.json")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    [key] = response.json()["keys"]
    assert key["kid"] == certificate.key.kid
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert "d" not in key  # never the private half
    assert key["issuer"] == certificate.key.issuer


def test_the_key_set_holds_every_networks_keys(center: Center):
    other_network = factories.make_network("other")
    other_center = factories.make_center(other_network, "osaka")
    mine = certified(center, "anna")
    theirs = certified(other_center, "kenji")

    kids = {key["kid"] for key in json.loads(published_keys())["keys"]}

    assert kids == {mine.key.kid, theirs.key.kid}


def test_one_networks_key_cannot_vouch_for_another_networks_issuer(center: Center):
    other_network = factories.make_network("other")
    mine = certified(center, "anna")
    theirs = certified(factories.make_center(other_network, "osaka"), "kenji")
    # Signed with the other network's (genuine, published) key, claiming our issuer.
    header, claims = verification.split_compact(theirs.credential)
    claims["iss"] = claims["issuer"]["id"] = mine.key.issuer
    forged = verification.jws.serialize_compact(
        header,
        json.dumps(claims).encode(),
        keys.private_key(theirs.key),
        registry=verification.REGISTRY,
    )

    verdict = verification.verify(forged, verification.load_jwks(published_keys()))

    assert verdict.state == "invalid"
    assert "signs for" in verdict.problem


def test_a_credential_not_yet_in_force_or_expired_is_not_valid(certificate: Certificate):
    keyset = verification.load_jwks(published_keys())
    issued = certificate.issued_at

    early = verification.verify(
        certificate.credential, keyset, now=issued - datetime.timedelta(days=1)
    )
    in_force = verification.verify(
        certificate.credential, keyset, now=issued + datetime.timedelta(days=365 * 60)
    )

    assert early.state == "invalid" and "not valid before" in early.problem
    # A certificate of completion never expires.
    assert in_force.state == "valid"


def test_what_is_not_a_credential_is_invalid_with_a_reason(certificate: Certificate):
    keyset = verification.load_jwks(published_keys())

    for text in ("", "not a token", "a.b.c", certificate.credential.replace(".", "", 1)):
        verdict = verification.verify(text, keyset)
        assert verdict.state == "invalid" and verdict.problem


def test_an_unusable_key_set_is_an_error_not_a_verdict():
    for text in ("", "{}", '{"keys": []}', '{"keys": [{"kty": "nonsense"}]}', "[1]"):
        with pytest.raises(verification.VerificationError):
            verification.load_jwks(text)


def test_the_issuer_profile_is_published_where_the_credentials_iss_points(
    certificate: Certificate,
):
    issuer = verification.unverified_claims(certificate.credential)["iss"]

    response = Client().get(issuer.removeprefix("http://127.0.0.1:8000"))

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["id"] == issuer
    assert response.json()["type"] == ["Profile"]
    assert Client().get("/certificates/nowhere/issuer.json").status_code == 404

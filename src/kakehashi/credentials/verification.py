"""Checking a Kakehashi certificate with nothing but the network's public keys.

Plain functions of their inputs, the credential text and a JWK Set (and, if given, a signed
revocation list): no database, no network access, no Django models. This is what
``kakehashi certificates verify`` runs, and it keeps working after every server is gone.

A credential is an Open Badges 3.0 ``OpenBadgeCredential`` secured as a VC-JWT (OB 3.0
§8.2): a compact JWS whose JOSE header is ``{"alg": "EdDSA", "typ": "JWT", "kid": ...}`` and
whose payload is the credential itself, with the registered claims ``iss`` (the issuer's
id), ``nbf`` (``validFrom``), ``jti`` (the credential's ``id``) and ``sub`` (the subject's
``id``).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwa import EdDSAAlgorithm, JWSRegistry
from joserfc.jwk import KeySet, OKPKey

ALGORITHM = "EdDSA"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
# How far a signer's clock may run ahead of a verifier's.
CLOCK_SKEW = datetime.timedelta(minutes=5)

State = Literal["valid", "revoked", "invalid"]


class _EdDSA(EdDSAAlgorithm):
    # RFC 9864 deprecates "EdDSA" in favour of the fully specified "Ed25519" (and joserfc
    # warns on every use); the Open Badges verifiers and JOSE libraries of today know
    # "EdDSA", which with an Ed25519 key is exactly the same signature.
    security_warning = None  # type: ignore[assignment]


class _Registry(JWSRegistry):
    algorithms = {**JWSRegistry.algorithms, ALGORITHM: _EdDSA()}


# The one algorithm Kakehashi signs and accepts: nothing else (no "none", no HMAC) is ever
# tried on a credential.
REGISTRY = _Registry(algorithms=[ALGORITHM])


class VerificationError(Exception):
    """The inputs themselves are unusable (a JWK Set or revocation list that cannot be
    read or trusted): nothing can be said about the credential."""


@dataclass(frozen=True)
class CredentialFacts:
    """What a credential states, read from its payload (trust them only once verified)."""

    credential_id: str
    number: str
    issuer_id: str
    network_name: str
    holder_name: str
    program_name: str
    program_description: str
    center_name: str
    center_city: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    hours: Decimal | None
    issued_at: datetime.datetime | None
    language: str
    verify_url: str
    revocation_list_url: str


@dataclass(frozen=True)
class Revocation:
    credential_id: str
    revoked_at: datetime.datetime | None
    reason: str


@dataclass(frozen=True)
class RevocationList:
    """A network's signed list of revoked credentials, as of ``issued_at``."""

    issuer_id: str
    issued_at: datetime.datetime | None
    revocations: Mapping[str, Revocation] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """The answer: valid, revoked (with when and why) or invalid (with why)."""

    state: State
    problem: str = ""
    facts: CredentialFacts | None = None
    revocation: Revocation | None = None
    kid: str = ""

    @property
    def is_valid(self) -> bool:
        return self.state == "valid"


# --- reading -----------------------------------------------------------------------------------


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _json_segment(segment: str) -> dict[str, Any]:
    value = json.loads(_b64decode(segment))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def split_compact(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a compact JWS, unverified; ValueError if it is not one."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError("a compact JWS has three parts")
    try:
        return _json_segment(parts[0]), _json_segment(parts[1])
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(str(error)) from error


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a credential this system signed and stored itself."""
    return split_compact(token)[1]


def load_jwks(text: str | bytes | Mapping[str, Any]) -> KeySet:
    """A JWK Set from its JSON text (or parsed JSON); VerificationError if unusable."""
    try:
        value = json.loads(text) if isinstance(text, str | bytes) else dict(text)
        keys = value["keys"]
        if not isinstance(keys, list) or not keys:
            raise ValueError("no keys")
        return KeySet.import_key_set({"keys": keys})
    except (ValueError, KeyError, TypeError, JoseError) as error:
        raise VerificationError(
            _("The key set cannot be read as a JWK Set (%(error)s).") % {"error": error}
        ) from error


def _key(jwks: KeySet, kid: str) -> OKPKey | None:
    for key in jwks:
        if key.kid == kid and isinstance(key, OKPKey):
            return key
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _date(value: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(_text(value)[:10])
    except ValueError:
        return None


def _datetime(value: object) -> datetime.datetime | None:
    text = _text(value)
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _from_timestamp(value: object) -> datetime.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def _hours(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _holder_name(subject: Mapping[str, Any]) -> str:
    for identity in subject.get("identifier") or []:
        if (
            isinstance(identity, dict)
            and identity.get("identityType") == "name"
            and not identity.get("hashed")
        ):
            return _text(identity.get("identityHash"))
    return _text(subject.get("name"))


def facts_of(claims: Mapping[str, Any]) -> CredentialFacts:
    """The facts a credential's payload states (missing ones are empty, never guessed)."""
    issuer = claims.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {"id": issuer}
    subject = claims.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    source = subject.get("source")
    source = source if isinstance(source, dict) else {}
    address = source.get("address")
    address = address if isinstance(address, dict) else {}
    status = claims.get("credentialStatus")
    status = status if isinstance(status, dict) else {}
    return CredentialFacts(
        credential_id=_text(claims.get("id")),
        number=_text(claims.get("certificateNumber")),
        issuer_id=_text(issuer.get("id")),
        network_name=_text(issuer.get("name")),
        holder_name=_holder_name(subject),
        program_name=_text(achievement.get("name")),
        program_description=_text(achievement.get("description")),
        center_name=_text(source.get("name")),
        center_city=_text(address.get("addressLocality")),
        starts_on=_date(subject.get("activityStartDate")),
        ends_on=_date(subject.get("activityEndDate")),
        hours=_hours(subject.get("hoursOfInstruction")),
        issued_at=_datetime(claims.get("validFrom")),
        language=_text(achievement.get("inLanguage")),
        verify_url=_text(claims.get("id")),
        revocation_list_url=_text(status.get("id")),
    )


# --- checking ----------------------------------------------------------------------------------


def _verified_payload(token: str, jwks: KeySet) -> tuple[dict[str, Any], dict[str, Any], OKPKey]:
    """Check the JOSE layer: our algorithm, a key of the set, a matching signature.

    Raises ValueError with a message for a person."""
    # Only the header is read before the signature is checked: a payload is not even
    # parsed until it is known to be what the key signed.
    parts = token.strip().split(".")
    try:
        if len(parts) != 3:
            raise ValueError
        header = _json_segment(parts[0])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError(_("This is not a signed credential (a compact JWS).")) from None
    if header.get("alg") != ALGORITHM:
        raise ValueError(
            _("The credential is signed with %(alg)s; Kakehashi signs with %(expected)s.")
            % {"alg": header.get("alg") or "?", "expected": ALGORITHM}
        )
    kid = _text(header.get("kid"))
    key = _key(jwks, kid) if kid else None
    if key is None:
        raise ValueError(
            _("The credential is signed by key %(kid)s, which is not in the key set.")
            % {"kid": kid or "?"}
        )
    try:
        signed = jws.deserialize_compact(token.strip(), key, registry=REGISTRY)
    except JoseError:
        raise ValueError(
            _(
                "The signature does not match: the credential was altered after it was "
                "signed, or it was not signed with this key."
            )
        ) from None
    try:
        payload = json.loads(signed.payload)
    except (TypeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        raise ValueError(_("The signed payload is not a credential."))
    return header, payload, key


def _check_credential(claims: Mapping[str, Any], key: OKPKey, now: datetime.datetime) -> None:
    """Check the credential inside a good signature; ValueError with a message if wrong."""
    types = claims.get("type")
    contexts = claims.get("@context")
    if (
        not isinstance(types, list)
        or not all(kind in types for kind in CREDENTIAL_TYPES)
        or not isinstance(contexts, list)
        or contexts[:1] != [VC_CONTEXT]
        or OB_CONTEXT not in contexts
    ):
        raise ValueError(_("The signed payload is not an Open Badges 3.0 credential."))
    facts = facts_of(claims)
    subject = claims.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    valid_from = facts.issued_at
    if (
        claims.get("iss") != facts.issuer_id
        or claims.get("jti") != facts.credential_id
        or claims.get("sub") != subject_id
        or valid_from is None
        or claims.get("nbf") != int(valid_from.timestamp())
    ):
        raise ValueError(
            _("The credential's claims (iss, jti, sub, nbf) disagree with what it states.")
        )
    signs_for = key.get("issuer")
    if signs_for is not None and signs_for != facts.issuer_id:
        raise ValueError(
            _("The key %(kid)s signs for %(key_issuer)s, not for %(issuer)s.")
            % {"kid": key.kid, "key_issuer": signs_for, "issuer": facts.issuer_id}
        )
    if valid_from > now + CLOCK_SKEW:
        raise ValueError(_("The credential is not valid before %(when)s.") % {"when": valid_from})
    valid_until = _datetime(claims.get("validUntil")) or _from_timestamp(claims.get("exp"))
    if valid_until is not None and valid_until <= now:
        raise ValueError(_("The credential expired on %(when)s.") % {"when": valid_until})


def read_revocation_list(token: str, jwks: KeySet) -> RevocationList:
    """A signed revocation list, checked against the same key set as the credentials.

    VerificationError if it cannot be trusted: checking against it would prove nothing."""
    try:
        _header, payload, key = _verified_payload(token, jwks)
    except ValueError as error:
        raise VerificationError(
            _("The revocation list cannot be trusted: %(problem)s") % {"problem": error}
        ) from None
    issuer = _text(payload.get("iss"))
    signs_for = key.get("issuer")
    if not issuer or (signs_for is not None and signs_for != issuer):
        raise VerificationError(_("The revocation list is not signed by a key of its own issuer."))
    if payload.get("type") != REVOCATION_LIST_TYPE:
        raise VerificationError(_("This is not a revocation list."))
    revocations: dict[str, Revocation] = {}
    for entry in payload.get("revokedCredentials") or []:
        if isinstance(entry, dict) and _text(entry.get("id")):
            revocations[entry["id"]] = Revocation(
                credential_id=entry["id"],
                revoked_at=_datetime(entry.get("revokedAt")),
                reason=_text(entry.get("revocationReason")),
            )
    return RevocationList(
        issuer_id=issuer,
        issued_at=_from_timestamp(payload.get("iat")),
        revocations=revocations,
    )


def verify(
    token: str,
    jwks: KeySet,
    revocations: RevocationList | None = None,
    *,
    now: datetime.datetime | None = None,
) -> Verdict:
    """Is ``token`` a genuine, current Kakehashi certificate?

    Valid: signed by a key of ``jwks`` that signs for the credential's issuer, well formed,
    in force, and not on ``revocations`` (when given). A list from another issuer than the
    credential's raises VerificationError, since it cannot speak for this credential.
    """
    now = now or datetime.datetime.now(tz=datetime.UTC)
    try:
        header, claims, key = _verified_payload(token, jwks)
    except ValueError as error:
        return Verdict(state="invalid", problem=str(error), facts=_readable_facts(token))
    facts = facts_of(claims)
    try:
        _check_credential(claims, key, now)
    except ValueError as error:
        return Verdict(state="invalid", problem=str(error), facts=facts, kid=key.kid or "")
    if revocations is not None:
        if revocations.issuer_id != facts.issuer_id:
            raise VerificationError(
                _("The revocation list is from %(list)s, the credential from %(issuer)s.")
                % {"list": revocations.issuer_id, "issuer": facts.issuer_id}
            )
        revocation = revocations.revocations.get(facts.credential_id)
        if revocation is not None:
            return Verdict(
                state="revoked",
                problem=revocation.reason,
                facts=facts,
                revocation=revocation,
                kid=_text(header.get("kid")),
            )
    return Verdict(state="valid", facts=facts, kid=_text(header.get("kid")))


def _readable_facts(token: str) -> CredentialFacts | None:
    """What an unverifiable credential claims, to say which one failed (never to trust)."""
    try:
        return facts_of(unverified_claims(token))
    except ValueError:
        return None

"""A completed enrollment as an Open Badges 3.0 credential, signed as a VC-JWT.

The credential is written in the holder's language and states everything the certificate
shows, so that the PDF can be rendered again from it alone, and so that it still says who
learnt what, where and when once the database is gone. Where Open Badges has a property
for a fact it is used (the holder's name as an ``IdentityObject``, the cohort's dates as
``activityStartDate``/``activityEndDate``, the center as the subject's ``source``); the
certificate number and the hours of instruction are issuer-defined terms, which the VC 2.0
context allows.
"""

import datetime
import hashlib
import secrets
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from joserfc import jwt

from kakehashi.admissions.models import Enrollment
from kakehashi.credentials.keys import absolute, private_key
from kakehashi.credentials.models import SigningKey
from kakehashi.credentials.verification import (
    ALGORITHM,
    CREDENTIAL_TYPES,
    OB_CONTEXT,
    REGISTRY,
    REVOCATION_LIST_TYPE,
    VC_CONTEXT,
)

# Holder ids are name-based UUIDs within this namespace: the same participant keeps the
# same id on every certificate, and the id says nothing about them.
HOLDER_NAMESPACE = uuid.UUID("5b7f1d0e-8c1a-4f55-9a43-6a0c8e2f4b11")


def verify_url(number: str) -> str:
    return absolute(reverse("credentials:verify", args=[number]))


def revocation_list_url(network_slug: str) -> str:
    return absolute(reverse("credentials:revocations", args=[network_slug]))


def scheduled_hours(enrollment: Enrollment) -> Decimal:
    """The cohort's hours of instruction: the program's, or else its sessions' total."""
    program_hours = enrollment.cohort.program.hours
    if program_hours:
        return Decimal(program_hours)
    total = enrollment.cohort.sessions.aggregate(
        total=Sum(ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField()))
    )["total"]
    if not total:
        return Decimal(0)
    hours = (Decimal(int(total.total_seconds())) / Decimal(3600)).quantize(Decimal("0.01"))
    # Without trailing zeros and never in exponent form: 12, 1.5 (not 1.2E+1 or 1.50).
    return Decimal(format(hours.normalize(), "f"))


def _local_midnight(day: datetime.date, zone: datetime.tzinfo) -> str:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone).isoformat()


def _email_identity(email: str) -> dict[str, Any]:
    # Hashed with a salt, as OB 3.0 recommends: the holder can prove the address is
    # theirs, and nobody can read it off the credential.
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": salt,
    }


def build_credential(
    *,
    enrollment: Enrollment,
    number: str,
    key: SigningKey,
    issued_at: datetime.datetime,
    language: str,
) -> dict[str, Any]:
    """The credential (and its JWT claims) for a completed ``enrollment``, in ``language``."""
    cohort = enrollment.cohort
    program = cohort.program
    center = cohort.center
    network = center.network
    participant = enrollment.participant
    credential_id = verify_url(number)
    subject_id = "urn:uuid:" + str(
        uuid.uuid5(HOLDER_NAMESPACE, f"{key.issuer}#participant-{participant.pk}")
    )
    issued = issued_at.astimezone(datetime.UTC).replace(microsecond=0)
    valid_from = issued.isoformat().replace("+00:00", "Z")
    hours = scheduled_hours(enrollment)
    with translation.override(language):
        program_name = program.name
        center_name = center.name
        dates = {
            "start": formats.date_format(cohort.starts_on, "DATE_FORMAT"),
            "end": formats.date_format(cohort.ends_on, "DATE_FORMAT"),
        }
        achievement = {
            "id": absolute(reverse("portal:program", args=[network.slug, program.slug])),
            "type": ["Achievement"],
            "achievementType": "CertificateOfCompletion",
            "name": program_name,
            "description": program.description or program_name,
            "criteria": {
                "narrative": _(
                    "Took part in %(program)s at %(center)s from %(start)s to %(end)s "
                    "(hours of instruction: %(hours)s) and met the program's requirements "
                    "for completion."
                )
                % {"program": program_name, "center": center_name, "hours": hours, **dates}
            },
            "inLanguage": language,
            "humanCode": program.slug,
        }
        issuer = {"id": key.issuer, "type": ["Profile"], "name": network.name}
        source = {
            "id": f"{key.issuer}#center-{center.slug}",
            "type": ["Profile"],
            "name": center_name,
            "address": {"type": ["Address"], "addressLocality": center.city},
        }
        name = _("Certificate of completion: %(program)s") % {"program": program_name}
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": list(CREDENTIAL_TYPES),
        "issuer": issuer,
        "validFrom": valid_from,
        "awardedDate": valid_from,
        "name": name,
        "certificateNumber": number,
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": participant.full_name,
                },
                _email_identity(participant.email),
            ],
            "activityStartDate": _local_midnight(cohort.starts_on, center.tzinfo),
            "activityEndDate": _local_midnight(cohort.ends_on, center.tzinfo),
            "hoursOfInstruction": str(hours),
            "source": source,
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": revocation_list_url(network.slug),
            "type": REVOCATION_LIST_TYPE,
        },
        # The registered claims, as OB 3.0 §8.2 maps them.
        "iss": key.issuer,
        "nbf": int(issued.timestamp()),
        "jti": credential_id,
        "sub": subject_id,
    }


def sign(claims: dict[str, Any], key: SigningKey) -> str:
    """``claims`` as a compact JWS signed with ``key``'s private half (read from its file)."""
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": key.kid}
    return jwt.encode(header, claims, private_key(key), registry=REGISTRY)

"""Issuing and revoking certificates, and what is published about them.

A completed enrollment has exactly one certificate, issued in the transaction that
completes it (``issue_on_completion``, called by the ``enrollment_completed`` receiver).
The certificate's signed credential is the source of truth for everything it states; the
PDF is rendered from that credential and stored once.
"""

import datetime
import json
import re
import secrets
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kakehashi.admissions.models import Enrollment, Participant, Status
from kakehashi.core import audit
from kakehashi.core.actors import Actor, acting_user
from kakehashi.core.cleaning import clean_text
from kakehashi.core.errors import InvalidTransition, NotFound
from kakehashi.core.locking import lock_row
from kakehashi.core.roles import Perm
from kakehashi.credentials import keys, openbadges, verification
from kakehashi.credentials.models import Certificate, SigningKey
from kakehashi.network import access
from kakehashi.network.models import Network
from kakehashi.network.services import ensure_writable

# Crockford's base32: no I, L, O or U, so a number read aloud or copied by hand survives.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 8  # 40 random bits: unguessable, and short enough to type
NUMBER_ATTEMPTS = 5
# What a number may look like once normalized; anything else is not looked up at all.
NUMBER_SHAPE = re.compile(r"^[A-Z0-9]{1,8}-[0-9]{4}-[0-9A-Z]{8}$")


NO_SUCH_CERTIFICATE = gettext_lazy("There is no certificate with this number.")


class AlreadyRevoked(InvalidTransition):
    code = "already_revoked"


# --- numbers -----------------------------------------------------------------------------------


def center_code(slug: str) -> str:
    """The center's part of a number: the first three letters or digits of its address."""
    letters = "".join(char for char in slug.upper() if char.isascii() and char.isalnum())
    return letters[:3] or "KH"


def new_number(center_slug: str, year: int) -> str:
    """``<CENTER>-<YEAR>-<8 Crockford base32 characters>``, e.g. ``MOS-2026-7K3D9QXH``."""
    tail = "".join(secrets.choice(CROCKFORD) for _ in range(RANDOM_LENGTH))
    return f"{center_code(center_slug)}-{year:04d}-{tail}"


def normalize_number(text: str) -> str:
    """A number as someone typed it, in its canonical form: upper case, no spaces, and the
    letters Crockford's alphabet leaves out read as the digits they look like."""
    parts = "".join(text.split()).upper().split("-")
    if len(parts) < 3:
        return "-".join(parts)
    # The center's letters stay as they are; the year and the random part hold no I, L or O.
    digits = str.maketrans("OIL", "011")
    return "-".join([*parts[:-2], parts[-2].translate(digits), parts[-1].translate(digits)])


def looks_like_number(text: str) -> bool:
    """Is ``text`` (normalized) shaped like a certificate number?"""
    return bool(NUMBER_SHAPE.match(text))


# --- issuing -----------------------------------------------------------------------------------


def certificate_language(enrollment: Enrollment) -> str:
    """The holder's language: the one they applied in, else the cohort's, else the default."""
    known = {code for code, _name in settings.LANGUAGES}
    for language in (enrollment.participant.language, enrollment.cohort.language):
        if language in known:
            return language
    return settings.LANGUAGE_CODE


# Set by a certificate run while it completes someone: the run renders the PDF itself right
# after, so a background job for the same PDF would only do the work twice.
rendering_here: ContextVar[bool] = ContextVar("credentials_rendering_here", default=False)


def _existing(enrollment_id: int) -> Certificate | None:
    return Certificate.objects.filter(enrollment_id=enrollment_id).first()


def _issue(enrollment: Enrollment, actor: Actor, *, render: bool = True) -> Certificate:
    """Issue ``enrollment``'s certificate, or return the one it already has. Runs inside
    the caller's transaction."""
    existing = _existing(enrollment.pk)
    if existing is not None:
        return existing
    enrollment = Enrollment.objects.select_related(
        "participant", "cohort__program", "cohort__center__network"
    ).get(pk=enrollment.pk)
    if enrollment.status != Status.COMPLETED:
        raise InvalidTransition(
            _("Only a completed enrollment earns a certificate; this one is %(status)s.")
            % {"status": enrollment.get_status_display().lower()}
        )
    center = enrollment.cohort.center
    key = keys.active_key(center.network, actor=actor)
    issued_at = timezone.now()
    language = certificate_language(enrollment)
    year = timezone.localtime(issued_at, center.tzinfo).year
    for _attempt in range(NUMBER_ATTEMPTS):
        number = new_number(center.slug, year)
        claims = openbadges.build_credential(
            enrollment=enrollment, number=number, key=key, issued_at=issued_at, language=language
        )
        certificate = Certificate(
            enrollment=enrollment,
            number=number,
            network=center.network,
            center=center,
            language=language,
            credential=openbadges.sign(claims, key),
            key=key,
            issued_at=issued_at,
        )
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
        except IntegrityError:
            # Another worker issued this enrollment's certificate first (the one-to-one
            # index refused the second): theirs is the certificate. Otherwise the random
            # number was taken, and another one is drawn.
            existing = _existing(enrollment.pk)
            if existing is not None:
                return existing
            continue
        audit.record(
            chain_key=audit.chain_key_for_center(center.pk),
            action="credentials.certificate.issued",
            actor=actor,
            target=certificate,
            data={
                "number": number,
                "enrollment": enrollment.pk,
                "participant": enrollment.participant_id,
                "cohort": enrollment.cohort_id,
                "kid": key.kid,
                "language": language,
            },
        )
        if render and not rendering_here.get():
            transaction.on_commit(partial(_render_later, certificate.pk))
        return certificate
    raise RuntimeError("no free certificate number after several attempts")


def _render_later(certificate_id: int) -> None:
    # Imported here: tasks import this module.
    from kakehashi.credentials.tasks import render_certificate_pdf

    render_certificate_pdf(certificate_id)


def issue_on_completion(
    *, actor: Actor, enrollment: Enrollment, render: bool = True
) -> Certificate:
    """Issue the certificate of an enrollment just completed, in the completing transaction.

    The completion service has checked who may complete; the certificate follows from it.
    With ``render``, its PDF is made by a background job once the completion is committed;
    otherwise when first asked for.
    """
    return _issue(enrollment, actor, render=render)


@transaction.atomic
def issue_certificate(*, actor: Actor, enrollment: Enrollment) -> Certificate:
    """The certificate of a completed enrollment: issued now if it has none yet, else the
    one it has. Safe to call any number of times, from any number of workers at once."""
    cohort = enrollment.cohort
    center = cohort.center
    access.authorize(actor, Perm.CERTIFY, network=center.network_id, center=center)
    existing = _existing(enrollment.pk)
    if existing is not None:
        return existing
    ensure_writable(center)
    return _issue(enrollment, actor)


# --- revoking ----------------------------------------------------------------------------------


@transaction.atomic
def revoke_certificate(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate, for a reason that is kept and published with the revocation.

    The certificate stays on record (and its credential keeps its good signature); the
    revocation list and the verify page say from when and why it no longer counts."""
    locked = lock_row(Certificate.objects.select_related("center", "network"), pk=certificate.pk)
    access.authorize(actor, Perm.CERTIFY, network=locked.network_id, center=locked.center)
    ensure_writable(locked.center)
    reason = clean_text("reason", reason, max_length=2000, required=True)
    if locked.revoked_at is not None:
        raise AlreadyRevoked(
            _("Certificate %(number)s was already revoked on %(date)s (%(reason)s).")
            % {
                "number": locked.number,
                "date": timezone.localdate(locked.revoked_at, locked.center.tzinfo),
                "reason": locked.revocation_reason,
            }
        )
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason
    locked.revoked_by = acting_user(actor)
    locked.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    audit.record(
        chain_key=audit.chain_key_for_center(locked.center_id),
        action="credentials.certificate.revoked",
        actor=actor,
        target=locked,
        data={"number": locked.number, "reason": reason},
    )
    return locked


# --- what is published -------------------------------------------------------------------------


def revocation_list(network: Network, *, now: datetime.datetime | None = None) -> str | None:
    """The network's signed list of revoked certificates as of now (a compact JWS), or None
    while the network has never issued one (and so has no key to sign with)."""
    key = (
        SigningKey.objects.select_related("network")
        .filter(network=network, retired_at__isnull=True)
        .first()
    )
    if key is None:
        return None
    now = now or timezone.now()
    revoked = Certificate.objects.filter(network=network, revoked_at__isnull=False).order_by(
        "revoked_at", "pk"
    )
    entries = []
    for certificate in revoked.only("credential", "revoked_at", "revocation_reason"):
        assert certificate.revoked_at is not None
        entries.append(
            {
                "id": verification.unverified_claims(certificate.credential)["jti"],
                "revoked": True,
                "revokedAt": certificate.revoked_at.astimezone(datetime.UTC)
                .replace(microsecond=0)
                .isoformat()
                .replace("+00:00", "Z"),
                "revocationReason": certificate.revocation_reason,
            }
        )
    claims: dict[str, Any] = {
        "iss": key.issuer,
        "iat": int(now.timestamp()),
        "id": openbadges.revocation_list_url(network.slug),
        "type": verification.REVOCATION_LIST_TYPE,
        "issuer": {"id": key.issuer, "type": ["Profile"], "name": network.name},
        "revokedCredentials": entries,
    }
    return openbadges.sign(claims, key)


def issuer_profile(network: Network) -> dict[str, Any] | None:
    """The network as an Open Badges issuer profile (what ``iss`` points at)."""
    key = SigningKey.objects.filter(network=network).order_by("created_at", "pk").first()
    if key is None:
        return None
    return {
        "@context": [verification.VC_CONTEXT, verification.OB_CONTEXT],
        "id": key.issuer,
        "type": ["Profile"],
        "name": network.name,
    }


# --- reading a certificate back ----------------------------------------------------------------


def facts_of(certificate: Certificate) -> verification.CredentialFacts:
    """What the certificate states, read from its own signed credential."""
    return verification.facts_of(verification.unverified_claims(certificate.credential))


def verdict_of(certificate: Certificate) -> verification.Verdict:
    """The certificate checked as anyone would check it: its signature against its key,
    and its revocation as recorded here."""
    jwks = verification.load_jwks({"keys": [keys.published_jwk(certificate.key)]})
    verdict = verification.verify(certificate.credential, jwks)
    if verdict.is_valid and certificate.revoked_at is not None:
        revocation = verification.Revocation(
            credential_id=verdict.facts.credential_id if verdict.facts else "",
            revoked_at=certificate.revoked_at,
            reason=certificate.revocation_reason,
        )
        return verification.Verdict(
            state="revoked",
            problem=certificate.revocation_reason,
            facts=verdict.facts,
            revocation=revocation,
            kid=verdict.kid,
        )
    return verdict


def certificate_by_number(number: str) -> Certificate:
    canonical = normalize_number(number)
    found = (
        Certificate.objects.select_related("key__network", "center", "network")
        .filter(number=canonical)
        .first()
        if looks_like_number(canonical)
        else None
    )
    if found is None:
        raise NotFound(str(NO_SUCH_CERTIFICATE))
    return found


def credential_json(certificate: Certificate) -> str:
    """The credential's payload, pretty-printed for people."""
    return json.dumps(
        verification.unverified_claims(certificate.credential), ensure_ascii=False, indent=2
    )


# --- transcripts -------------------------------------------------------------------------------

# A transcript is for whoever took part without completing: still enrolled (the cohort under
# way, or ended without a completion), or withdrawn or cancelled once it had begun.
TRANSCRIPT_STATUSES = (Status.ENROLLED, Status.WITHDRAWN, Status.CANCELLED)


def enrollments_with_transcripts(participants: QuerySet[Participant]) -> list[Enrollment]:
    """The enrollments of ``participants`` that have a transcript, latest cohort first."""
    candidates = (
        Enrollment.objects.filter(
            participant__in=participants,
            status__in=TRANSCRIPT_STATUSES,
            cohort__starts_on__lte=timezone.localdate() + datetime.timedelta(days=1),
        )
        .select_related("participant", "cohort__program", "cohort__center")
        .order_by("-cohort__starts_on", "-pk")
    )
    found = []
    for enrollment in candidates:
        cohort = enrollment.cohort
        zone = cohort.center.tzinfo
        if cohort.starts_on > timezone.localdate(timezone=zone):
            continue
        left_on = timezone.localtime(enrollment.status_changed_at, zone).date()
        if enrollment.status != Status.ENROLLED and left_on < cohort.starts_on:
            continue  # left before the first day: there is nothing to show
        found.append(enrollment)
    return found

"""A participant's certificates and transcripts, and their downloads.

Reached the two ways "My programs" is: through the signed link mailed to the participant
(``/me/<token>/certificates/``, no account needed), or signed in, for the participants the
account has proven are its own (``/me/account/certificates/``). A download is only ever of
a certificate or transcript of a participant the link or the account proves.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kakehashi.admissions import notifications
from kakehashi.admissions.models import Enrollment, Participant
from kakehashi.core.models import User
from kakehashi.credentials import rendering, services
from kakehashi.credentials.models import Certificate
from kakehashi.credentials.verification import CredentialFacts


@dataclass(frozen=True)
class CertificateCard:
    certificate: Certificate
    facts: CredentialFacts
    pdf_url: str
    credential_url: str
    verify_url: str


@dataclass(frozen=True)
class TranscriptCard:
    enrollment: Enrollment
    outcome: str
    url: str


@dataclass(frozen=True)
class Links:
    """Where a page's downloads are: through the signed link, or the signed-in account."""

    pdf: Callable[[Certificate], str]
    credential: Callable[[Certificate], str]
    transcript: Callable[[Enrollment], str]


def _token_links(token: str) -> Links:
    return Links(
        pdf=lambda c: reverse("portal:participant_certificate_pdf", args=[token, c.number]),
        credential=lambda c: reverse(
            "portal:participant_certificate_credential", args=[token, c.number]
        ),
        transcript=lambda e: reverse("portal:participant_transcript", args=[token, e.pk]),
    )


ACCOUNT_LINKS = Links(
    pdf=lambda c: reverse("portal:my_certificate_pdf", args=[c.number]),
    credential=lambda c: reverse("portal:my_certificate_credential", args=[c.number]),
    transcript=lambda e: reverse("portal:my_transcript", args=[e.pk]),
)


def participants_of(user: User) -> QuerySet[Participant]:
    """The participants an account may act for: linked to it, or filed under its email once
    the account has proven that it owns that address (as on "My programs")."""
    mine = Q(user=user)
    if user.email_verified_at is not None and user.email:
        mine |= Q(email=user.email.strip().lower())
    return Participant.objects.filter(mine)


def _participant_or_404(token: str) -> Participant:
    participant_id = notifications.participant_id_from(token)
    if participant_id is None:
        raise Http404
    return get_object_or_404(Participant, pk=participant_id)


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def _page(
    request: HttpRequest, participants: QuerySet[Participant], links: Links, **context: object
) -> HttpResponse:
    certificates = (
        Certificate.objects.filter(enrollment__participant__in=participants)
        .select_related("center")
        .defer("pdf")
        .order_by("-issued_at", "-pk")
    )
    context["certificates"] = [
        CertificateCard(
            certificate=certificate,
            facts=services.facts_of(certificate),
            pdf_url=links.pdf(certificate),
            credential_url=links.credential(certificate),
            verify_url=reverse("credentials:verify", args=[certificate.number]),
        )
        for certificate in certificates
    ]
    context["transcripts"] = [
        TranscriptCard(
            enrollment=enrollment,
            outcome=rendering.transcript_outcome(enrollment),
            url=links.transcript(enrollment),
        )
        for enrollment in services.enrollments_with_transcripts(participants)
    ]
    return render(request, "credentials/my_certificates.html", context)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _certificate_pdf(certificate: Certificate) -> HttpResponse:
    if certificate.revoked_at is not None:
        raise Http404
    pdf = rendering.certificate_pdf(certificate)
    return _attachment(pdf, "application/pdf", f"certificate-{certificate.number}.pdf")


def _credential(certificate: Certificate) -> HttpResponse:
    # A text file the holder keeps: with the network's published key (jwks.json) anyone
    # can check it, with `kakehashi certificates verify` or any JOSE library.
    return _attachment(
        certificate.credential.encode(),
        "application/jwt",
        f"certificate-{certificate.number}.jwt",
    )


def _transcript(enrollment: Enrollment) -> HttpResponse:
    pdf = rendering.transcript_pdf(enrollment)
    return _attachment(pdf, "application/pdf", f"transcript-{enrollment.cohort.code}.pdf")


def _own_certificate(participants: QuerySet[Participant], number: str) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related("center"),
        number=number,
        enrollment__participant__in=participants,
    )


def _own_transcript(participants: QuerySet[Participant], enrollment_id: int) -> Enrollment:
    for enrollment in services.enrollments_with_transcripts(participants):
        if enrollment.pk == enrollment_id:
            return enrollment
    raise Http404


# --- through the signed link -------------------------------------------------------------------


def _by_token(token: str) -> tuple[Participant, QuerySet[Participant]]:
    participant = _participant_or_404(token)
    return participant, Participant.objects.filter(pk=participant.pk)


@never_cache
@require_safe
def participant_certificates(request: HttpRequest, token: str) -> HttpResponse:
    participant, participants = _by_token(token)
    return _page(
        request,
        participants,
        _token_links(token),
        participant=participant,
        programs_url=reverse("portal:participant", args=[token]),
    )


@never_cache
@require_safe
def participant_certificate_pdf(request: HttpRequest, token: str, number: str) -> HttpResponse:
    _participant, participants = _by_token(token)
    return _certificate_pdf(_own_certificate(participants, number))


@never_cache
@require_safe
def participant_certificate_credential(
    request: HttpRequest, token: str, number: str
) -> HttpResponse:
    _participant, participants = _by_token(token)
    return _credential(_own_certificate(participants, number))


@never_cache
@require_safe
def participant_transcript(request: HttpRequest, token: str, enrollment_id: int) -> HttpResponse:
    _participant, participants = _by_token(token)
    return _transcript(_own_transcript(participants, enrollment_id))


# --- signed in ---------------------------------------------------------------------------------


def _by_account(request: HttpRequest) -> QuerySet[Participant]:
    return participants_of(_signed_in(request))


@never_cache
@require_safe
@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        _by_account(request),
        ACCOUNT_LINKS,
        account=_signed_in(request),
        programs_url=reverse("portal:my_programs"),
    )


@never_cache
@require_safe
@login_required
def my_certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    return _certificate_pdf(_own_certificate(_by_account(request), number))


@never_cache
@require_safe
@login_required
def my_certificate_credential(request: HttpRequest, number: str) -> HttpResponse:
    return _credential(_own_certificate(_by_account(request), number))


@never_cache
@require_safe
@login_required
def my_transcript(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    return _transcript(_own_transcript(_by_account(request), enrollment_id))

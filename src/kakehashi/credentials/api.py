"""The certificates part of the REST API: a cohort's certificates, one certificate with its
signed credential, revoking, and the background run that completes a cohort."""

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from kakehashi.catalog.models import Cohort
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import NotFound
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.core.schemas import ERRORS, InputSchema
from kakehashi.credentials import runs, services
from kakehashi.credentials.models import Certificate, CertificateRun
from kakehashi.network import access

router = Router(tags=["credentials"])


class HolderOut(Schema):
    id: int
    full_name: str
    email: str


class CertificateOut(Schema):
    number: str
    enrollment: int
    cohort: int
    center: int
    holder: HolderOut
    language: str
    issued_at: datetime.datetime
    status: str = Field(..., description="valid or revoked")
    revoked_at: datetime.datetime | None
    revocation_reason: str
    verify_url: str


class CertificateDetailOut(CertificateOut):
    credential: str = Field(..., description="The signed credential: a compact JWS (VC-JWT).")
    kid: str


class RevokeIn(InputSchema):
    reason: str = Field(..., max_length=2000)


class FailureOut(Schema):
    name: str
    message: str


class RunOut(Schema):
    id: int
    cohort: int = Field(..., alias="cohort_id")
    state: str
    total: int
    done: int
    failed: int
    failures: list[FailureOut]
    error: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _out(certificate: Certificate) -> dict[str, object]:
    participant = certificate.enrollment.participant
    return {
        "number": certificate.number,
        "enrollment": certificate.enrollment_id,
        "cohort": certificate.enrollment.cohort_id,
        "center": certificate.center_id,
        "holder": {
            "id": participant.pk,
            "full_name": participant.full_name,
            "email": participant.email,
        },
        "language": certificate.language,
        "issued_at": certificate.issued_at,
        "status": "revoked" if certificate.is_revoked else "valid",
        "revoked_at": certificate.revoked_at,
        "revocation_reason": certificate.revocation_reason,
        "verify_url": services.facts_of(certificate).verify_url,
    }


def _detail(certificate: Certificate) -> dict[str, object]:
    return {**_out(certificate), "credential": certificate.credential, "kid": certificate.key.kid}


def _visible_cohort(request: HttpRequest, cohort_id: int) -> Cohort:
    centers = access.centers_visible_to(_user(request), Perm.VIEW_ROSTER).values("pk")
    return get_object_or_404(
        Cohort.objects.select_related("center__network"), pk=cohort_id, center__in=centers
    )


def _visible_certificate(request: HttpRequest, number: str) -> Certificate:
    certificate = services.certificate_by_number(number)
    if not access.has_perm(
        _user(request), Perm.VIEW_ROSTER, network=certificate.network_id, center=certificate.center
    ):
        raise NotFound(str(services.NO_SUCH_CERTIFICATE))
    return certificate


@router.get("/cohorts/{cohort_id}/certificates", response={200: list[CertificateOut], **ERRORS})
def list_certificates(request: HttpRequest, cohort_id: int) -> list[dict[str, object]]:
    """A cohort's certificates, by holder's name."""
    cohort = _visible_cohort(request, cohort_id)
    certificates = (
        Certificate.objects.filter(enrollment__cohort=cohort)
        .select_related("enrollment__participant")
        .defer("pdf")
        .order_by("enrollment__participant__full_name", "pk")
    )
    return [_out(certificate) for certificate in certificates]


@router.get("/certificates/{number}", response={200: CertificateDetailOut, **ERRORS})
def get_certificate(request: HttpRequest, number: str) -> dict[str, object]:
    """One certificate, with its signed credential (verify it with /.well-known/jwks.json)."""
    return _detail(_visible_certificate(request, number))


@router.post("/certificates/{number}/revoke", response={200: CertificateDetailOut, **ERRORS})
def revoke_certificate(request: HttpRequest, number: str, payload: RevokeIn) -> dict[str, object]:
    """Revoke a certificate; the reason is required and published with the revocation."""
    certificate = _visible_certificate(request, number)
    revoked = services.revoke_certificate(
        actor=StaffActor(_user(request)), certificate=certificate, reason=payload.reason
    )
    revoked.enrollment = certificate.enrollment
    revoked.key = certificate.key
    return _detail(revoked)


@router.post("/cohorts/{cohort_id}/certificate-runs", response={202: RunOut, **ERRORS})
def start_run(request: HttpRequest, cohort_id: int) -> HttpStatus[CertificateRun]:
    """Complete the cohort's eligible participants and issue their certificates in the
    background; follow the run at /certificate-runs/{id}. 409 while another run works."""
    cohort = _visible_cohort(request, cohort_id)
    run = runs.start_certificate_run(actor=StaffActor(_user(request)), cohort=cohort)
    run.refresh_from_db()
    return HttpStatus(202, run)


@router.get("/certificate-runs/{run_id}", response={200: RunOut, **ERRORS})
def get_run(request: HttpRequest, run_id: int) -> CertificateRun:
    """The progress of a run: how many of how many are done, and who failed and why."""
    centers = access.centers_visible_to(_user(request), Perm.VIEW_ROSTER).values("pk")
    return get_object_or_404(CertificateRun, pk=run_id, cohort__center__in=centers)

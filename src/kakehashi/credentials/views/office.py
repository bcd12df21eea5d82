"""The office's pages for certificates: a cohort's certificates with the button that
completes its eligible participants in the background (and the progress of that work), one
certificate with its revocation, and its PDF.

Another center's cohorts and certificates are not found (404); whoever may see a roster
sees its certificates, and only those who may certify (registrars, managers, the network
office) complete, issue and revoke: for anyone else the services refuse with 403.
"""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kakehashi.catalog.lookups import roster_url, visible_cohort
from kakehashi.catalog.models import Cohort
from kakehashi.core import errors
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.core.web.office import is_htmx, office_user, refuse, staff_required
from kakehashi.credentials import rendering, runs, services
from kakehashi.credentials.models import Certificate, CertificateRun
from kakehashi.delivery import services as delivery
from kakehashi.network import access


def _visible_certificates(user: User) -> QuerySet[Certificate]:
    centers = access.centers_visible_to(user, Perm.VIEW_ROSTER).values("pk")
    return Certificate.objects.filter(center__in=centers)


def _may_certify(user: User, cohort: Cohort) -> bool:
    center = cohort.center
    return not center.is_read_only and access.has_perm(
        user, Perm.CERTIFY, network=center.network_id, center=center
    )


def cohort_url(cohort: Cohort) -> str:
    return reverse("office:cohort-certificates", kwargs={"cohort_id": cohort.pk})


def _certificates_context(user: User, cohort: Cohort) -> dict[str, Any]:
    certificates = list(
        Certificate.objects.filter(enrollment__cohort=cohort)
        .select_related("enrollment__participant")
        .defer("pdf", "credential")
        .order_by("enrollment__participant__full_name", "pk")
    )
    may_certify = _may_certify(user, cohort)
    return {
        "cohort": cohort,
        "center": cohort.center,
        "certificates": certificates,
        "revoked_count": sum(1 for certificate in certificates if certificate.is_revoked),
        "may_certify": may_certify,
        "completable": len(delivery.completable_enrollments(cohort)) if may_certify else None,
    }


@staff_required
@require_safe
def cohort_certificates(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's certificates (number, holder, issued, status), and the work that issues
    them: how many participants may complete now, and the progress of the last run."""
    user = office_user(request)
    cohort = visible_cohort(user, cohort_id, Perm.VIEW_ROSTER)
    context = _certificates_context(user, cohort)
    context["run"] = CertificateRun.objects.filter(cohort=cohort).first()
    context["roster_url"] = roster_url(cohort)
    return render(request, "credentials/office/cohort_certificates.html", context)


def _run_context(user: User, run: CertificateRun, cohort: Cohort) -> dict[str, Any]:
    """The run's progress; once it is done, the refreshed certificates list comes with it."""
    context: dict[str, Any] = {"run": run, "cohort": cohort}
    if not run.is_active:
        context |= _certificates_context(user, cohort)
        context["refresh_list"] = True
    return context


@staff_required
@require_POST
def start_run(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Complete the cohort's eligible participants and issue their certificates, in the
    background. With htmx the answer is the run's progress (which then polls for itself)
    and the outcome in the live region; without, the page through a redirect."""
    user = office_user(request)
    cohort = visible_cohort(user, cohort_id, Perm.VIEW_ROSTER)
    error = False
    try:
        runs.start_certificate_run(actor=StaffActor(user), cohort=cohort)
    except runs.RunInProgress as refusal:
        text = refusal.message
    except errors.DomainError as refusal:
        refuse(refusal)
        text, error = refusal.message, True
    else:
        text = _("Completing the eligible participants and issuing their certificates has begun.")
    if is_htmx(request):
        run = CertificateRun.objects.filter(cohort=cohort).first()
        context: dict[str, Any] = {"cohort": cohort}
        if run is not None:
            context = _run_context(user, run, cohort)
        context["outcome"] = {"text": text, "error": error}
        response = render(request, "credentials/office/_run_started.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    messages.add_message(request, messages.ERROR if error else messages.INFO, text)
    return HttpResponseRedirect(cohort_url(cohort) + "#issue")


@staff_required
@require_safe
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress of one run, polled by the cohort's page while it works."""
    user = office_user(request)
    centers = access.centers_visible_to(user, Perm.VIEW_ROSTER).values("pk")
    run = get_object_or_404(
        CertificateRun.objects.select_related("cohort__center__network", "cohort__program"),
        pk=run_id,
        cohort__center__in=centers,
    )
    context: dict[str, Any] = {"run": run, "cohort": run.cohort}
    if is_htmx(request):
        context = _run_context(user, run, run.cohort)
    response = render(request, "credentials/office/_run.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _visible_certificate(user: User, number: str) -> Certificate:
    return get_object_or_404(
        _visible_certificates(user).select_related(
            "enrollment__participant",
            "enrollment__cohort__program",
            "center__network",
            "key__network",
            "revoked_by",
        ),
        number=services.normalize_number(number),
    )


@staff_required
@require_safe
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One certificate: what it states (from its signed credential), whether it verifies,
    and its revocation."""
    user = office_user(request)
    certificate = _visible_certificate(user, number)
    verdict = services.verdict_of(certificate)
    cohort = certificate.enrollment.cohort
    context = {
        "certificate": certificate,
        "cohort": cohort,
        "center": certificate.center,
        "facts": verdict.facts,
        "verdict": verdict,
        "credential_json": services.credential_json(certificate),
        "may_certify": _may_certify(user, cohort),
    }
    return render(request, "credentials/office/certificate.html", context)


@staff_required
@require_POST
def revoke(request: HttpRequest, number: str) -> HttpResponse:
    """Revoke a certificate, for a reason (required); back to the page it was asked from."""
    user = office_user(request)
    certificate = _visible_certificate(user, number)
    try:
        services.revoke_certificate(
            actor=StaffActor(user), certificate=certificate, reason=request.POST.get("reason", "")
        )
    except errors.DomainError as error:
        refuse(error)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Certificate %(number)s is revoked; the verify page and the revocation list say so.")
            % {"number": certificate.number},
        )
    if request.POST.get("back") == "cohort":
        return HttpResponseRedirect(
            cohort_url(certificate.enrollment.cohort) + f"#certificate-{certificate.number}"
        )
    return HttpResponseRedirect(reverse("office:certificate", args=[certificate.number]))


@staff_required
@require_safe
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The certificate's PDF, as the participant downloads it (to print or send on)."""
    user = office_user(request)
    certificate = _visible_certificate(user, number)
    response = HttpResponse(rendering.certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.pdf"'
    return response

"""The PDF documents: a certificate rendered from its signed credential, and a transcript.

A certificate's PDF is rendered from the facts its credential states (never from the
database's current idea of the program or the person, which may have changed since), and
stored once: the first rendering is the one every later download gets.
"""

import datetime
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.credentials import documents, services
from kakehashi.credentials.models import Certificate
from kakehashi.delivery import progress


def certificate_facts(certificate: Certificate) -> documents.CertificateFacts:
    """What the certificate's PDF prints, read out of its signed credential."""
    facts = services.facts_of(certificate)
    zone = certificate.center.tzinfo
    issued = facts.issued_at or certificate.issued_at
    return documents.CertificateFacts(
        language=facts.language or certificate.language,
        number=facts.number or certificate.number,
        holder_name=facts.holder_name,
        program_name=facts.program_name,
        center_name=facts.center_name,
        network_name=facts.network_name,
        starts_on=facts.starts_on or datetime.date.min,
        ends_on=facts.ends_on or datetime.date.min,
        hours=facts.hours if facts.hours is not None else Decimal(0),
        issued_on=timezone.localtime(issued, zone).date(),
        verify_url=facts.verify_url,
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a PDF: the stored one, or rendered now and stored.

    Two workers rendering at once both render; the first to store wins and the other's
    copy is dropped, so every download gets the same file."""
    if certificate.pdf is not None:
        return bytes(certificate.pdf)
    rendered = documents.render_certificate_pdf(certificate_facts(certificate))
    stored = Certificate.objects.filter(pk=certificate.pk, pdf__isnull=True).update(pdf=rendered)
    if not stored:
        certificate.refresh_from_db(fields=["pdf"])
        assert certificate.pdf is not None
        return bytes(certificate.pdf)
    certificate.pdf = rendered
    return rendered


def store_pdf(certificate_id: int) -> bool:
    """Render and store a certificate's PDF if it has none yet; True if it was rendered."""
    certificate = (
        Certificate.objects.select_related("center")
        .defer("pdf")
        .filter(pk=certificate_id, pdf__isnull=True)
        .first()
    )
    if certificate is None:
        return False
    certificate.pdf = None
    certificate_pdf(certificate)
    return True


def transcript_outcome(enrollment: Enrollment) -> str:
    """How the enrollment ended (or that it goes on), in the active language."""
    cohort = enrollment.cohort
    zone = cohort.center.tzinfo
    changed = formats.date_format(
        timezone.localtime(enrollment.status_changed_at, zone).date(), "DATE_FORMAT"
    )
    if enrollment.status == Status.WITHDRAWN:
        return _("Withdrawn on %(date)s") % {"date": changed}
    if enrollment.status == Status.CANCELLED:
        return _("Cancelled on %(date)s") % {"date": changed}
    if enrollment.status == Status.COMPLETED:
        return _("Completed on %(date)s") % {"date": changed}
    if cohort.ends_on < timezone.localdate(timezone=zone):
        ended = formats.date_format(cohort.ends_on, "DATE_FORMAT")
        return _("Not completed; the cohort ended on %(date)s") % {"date": ended}
    return _("In progress")


def transcript_pdf(enrollment: Enrollment) -> bytes:
    """What the participant did in the cohort, session by session, as a PDF in their
    language. Rendered afresh each time: it changes while the cohort goes on."""
    language = services.certificate_language(enrollment)
    with translation.override(language):
        transcript = progress.transcript_of(enrollment)
        facts = documents.TranscriptFacts(
            language=language,
            holder_name=transcript.holder_name,
            program_name=transcript.program_name,
            center_name=transcript.center_name,
            network_name=transcript.network_name,
            starts_on=transcript.starts_on,
            ends_on=transcript.ends_on,
            outcome=transcript_outcome(enrollment),
            lines=tuple(
                documents.TranscriptLine(
                    day=line.day, title=line.title, hours=line.hours, attendance=line.attendance
                )
                for line in transcript.lines
            ),
            hours_attended=transcript.hours_attended,
            hours_scheduled=transcript.hours_scheduled,
            result=transcript.result,
            issued_on=timezone.localdate(timezone=enrollment.cohort.center.tzinfo),
        )
    return documents.render_transcript_pdf(facts)

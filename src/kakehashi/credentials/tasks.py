"""Background work for certificates, run by the huey consumer."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kakehashi.credentials import rendering, runs
from kakehashi.credentials.models import CertificateRun

logger = logging.getLogger(__name__)


@db_task()
def run_certificates(run_id: int) -> None:
    """Complete a cohort's eligible participants and issue their certificates."""
    run = CertificateRun.objects.filter(pk=run_id).first()
    if run is not None:
        runs.generate_certificates(run)


@db_task()
def render_certificate_pdf(certificate_id: int) -> bool:
    """Store a newly issued certificate's PDF, so that its first download is instant.

    A failure is logged and left: the PDF is made on its first download instead."""
    try:
        return rendering.store_pdf(certificate_id)
    except Exception:
        logger.exception("Rendering the PDF of certificate %s failed", certificate_id)
        return False


@db_periodic_task(crontab(minute="*/5"))
def resume_stalled_runs() -> int:
    """Every five minutes, pick up the runs whose worker or job was lost."""
    stalled = runs.stalled_runs()
    for run in stalled:
        runs.generate_certificates(run)
    return len(stalled)

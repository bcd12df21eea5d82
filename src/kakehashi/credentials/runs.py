"""Completing a cohort's eligible participants and issuing their certificates, as
background work whose progress the office can watch.

Each participant is completed in a transaction of their own (through
``delivery.services.complete_enrollment``, which issues the certificate in the same
transaction), then their certificate's PDF is rendered and stored; the run's counts are
written after each one. So the page shows progress as it happens, and a worker that dies
half-way loses nothing: whoever picks the run up again finds the completed participants
completed and carries on with the rest. Running a run (or a cohort's runs) twice completes
nobody twice.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.admissions.models import Enrollment
from kakehashi.catalog.models import Cohort
from kakehashi.core import audit
from kakehashi.core.actors import Actor, StaffActor, SystemActor, acting_user
from kakehashi.core.errors import Conflict, DomainError, PermissionDenied
from kakehashi.core.locking import lock_row
from kakehashi.core.roles import Perm
from kakehashi.credentials import keys, rendering, services
from kakehashi.credentials.models import (
    ACTIVE_RUN_STATES,
    Certificate,
    CertificateRun,
    RunState,
    SigningKey,
)
from kakehashi.delivery import services as delivery
from kakehashi.network import access
from kakehashi.network.services import ensure_writable

logger = logging.getLogger(__name__)

# A run that has made no progress for this long has lost its worker; the sweep resumes it.
STALLED_AFTER = datetime.timedelta(minutes=5)
# Who works through a run: the background job, whoever asked for the run.
WORKER = SystemActor("credentials.run_certificates")


class RunInProgress(Conflict):
    code = "run_in_progress"

    def __init__(self, message: str, *, run: CertificateRun) -> None:
        super().__init__(message)
        self.run = run


def _pending_pdfs(cohort: Cohort) -> "list[int]":
    return list(
        Certificate.objects.filter(enrollment__cohort=cohort, pdf__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _check_key(cohort: Cohort) -> None:
    """Refuse at once when the network's key cannot sign, rather than fail everyone."""
    key = (
        SigningKey.objects.select_related("network")
        .filter(network_id=cohort.center.network_id, retired_at__isnull=True)
        .first()
    )
    if key is not None:
        keys.private_key(key)


def active_run(cohort: Cohort) -> CertificateRun | None:
    return CertificateRun.objects.filter(cohort=cohort, state__in=ACTIVE_RUN_STATES).first()


@transaction.atomic
def start_certificate_run(*, actor: Actor, cohort: Cohort) -> CertificateRun:
    """Ask for the cohort's eligible participants to be completed and their certificates
    issued, in the background. One run per cohort at a time: while one waits or runs,
    another is refused with RunInProgress (which carries the run, to show its progress)."""
    locked = lock_row(Cohort.objects.select_related("center__network", "program"), pk=cohort.pk)
    center = locked.center
    access.authorize(actor, Perm.CERTIFY, network=center.network_id, center=center)
    ensure_writable(center)
    running = active_run(locked)
    if running is not None:
        raise RunInProgress(
            _(
                "Certificates for this cohort are already being issued "
                "(%(processed)d of %(total)d done)."
            )
            % {"processed": running.processed, "total": running.total},
            run=running,
        )
    _check_key(locked)
    total = len(delivery.completable_enrollments(locked)) + len(_pending_pdfs(locked))
    try:
        with transaction.atomic():
            run = CertificateRun.objects.create(
                cohort=locked, requested_by=acting_user(actor), total=total
            )
    except IntegrityError:  # the one-active-run index: cannot happen while the lock works
        raise Conflict(_("Certificates for this cohort are already being issued.")) from None
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action="credentials.run.started",
        actor=actor,
        target=run,
        data={"cohort": locked.pk, "total": total},
    )
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    # Imported here: tasks import this module.
    from kakehashi.credentials.tasks import run_certificates

    run_certificates(run_id)


@transaction.atomic
def claim_certificate_run(*, actor: Actor, run: CertificateRun, now: datetime.datetime) -> bool:
    """Take the run for the worker ``actor`` names: a waiting run, or a running one whose
    worker has stopped making progress. True when this worker won it.

    The conditional update lets exactly one worker win, with no lock held while deciding;
    only the winner records the claim (a resumed run says so, for whoever reads the log).
    """
    if not isinstance(actor, SystemActor):
        raise PermissionDenied(_("Only a background worker takes up a certificate run."))
    stalled = Q(state=RunState.RUNNING, heartbeat_at__lt=now - STALLED_AFTER)
    runnable = CertificateRun.objects.filter(pk=run.pk)
    # Two conditional updates rather than one, so the log can say which it was.
    if runnable.filter(state=RunState.QUEUED).update(state=RunState.RUNNING, heartbeat_at=now):
        action = "credentials.run.claimed"
    elif runnable.filter(stalled).update(heartbeat_at=now):
        action = "credentials.run.resumed"
    else:
        return False
    audit.record(
        chain_key=audit.chain_key_for_center(run.cohort.center_id),
        action=action,
        actor=actor,
        target=run,
        data={"cohort": run.cohort_id, "worker": actor.purpose},
    )
    return True


@dataclass
class _Progress:
    run: CertificateRun
    done: int
    failed: int
    failures: list[dict[str, str]]

    def save(self, **extra: object) -> None:
        CertificateRun.objects.filter(pk=self.run.pk).update(
            done=self.done,
            failed=self.failed,
            failures=self.failures,
            heartbeat_at=timezone.now(),
            **extra,
        )

    def fail(self, name: str, message: str) -> None:
        self.failed += 1
        self.failures.append({"name": name, "message": message})
        self.save()

    def succeed(self) -> None:
        self.done += 1
        self.save()


def _render(progress: _Progress, certificate_id: int, name: str) -> None:
    try:
        rendering.store_pdf(certificate_id)
    except Exception:
        logger.exception("Rendering the PDF of certificate %s failed", certificate_id)
        progress.fail(
            name,
            _(
                "The certificate is issued, but its PDF could not be made; it is made when "
                "first downloaded, or by running this again."
            ),
        )
    else:
        progress.succeed()


def _complete(progress: _Progress, enrollment: Enrollment, actor: Actor) -> None:
    name = enrollment.participant.full_name
    here = services.rendering_here.set(True)
    try:
        delivery.complete_enrollment(actor=actor, enrollment=enrollment)
    except DomainError as error:
        # Completed meanwhile by someone else: the certificate is there all the same.
        if not Certificate.objects.filter(enrollment_id=enrollment.pk).exists():
            progress.fail(name, error.message)
            return
    except Exception:
        logger.exception("Completing enrollment %s failed", enrollment.pk)
        progress.fail(name, _("An unexpected error stopped this one; it is in the server log."))
        return
    finally:
        services.rendering_here.reset(here)
    certificate_id = (
        Certificate.objects.filter(enrollment_id=enrollment.pk).values_list("pk", flat=True).get()
    )
    _render(progress, certificate_id, name)


def _requester(run: CertificateRun) -> Actor:
    """Who the run acts as: the staff member who started it (a run started by a command or
    the demo has nobody, and acts as the system)."""
    if run.requested_by is not None:
        return StaffActor(run.requested_by)
    return SystemActor("credentials.certificate_run")


def generate_certificates(run: CertificateRun) -> CertificateRun:
    """Work through ``run``: complete each eligible participant (one transaction each) and
    store each certificate's PDF, counting as it goes. Does nothing for a run another
    worker holds or one already finished; picks up a stalled one where it stopped."""
    now = timezone.now()
    if not claim_certificate_run(actor=WORKER, run=run, now=now):
        run.refresh_from_db()
        return run
    run = CertificateRun.objects.select_related("cohort__center", "requested_by").get(pk=run.pk)
    cohort = run.cohort
    actor = _requester(run)
    # Counted afresh on every (re)start: whoever was completed before a crash is no longer
    # completable, and failures are tried again.
    progress = _Progress(run=run, done=run.done, failed=0, failures=[])
    try:
        enrollments = delivery.completable_enrollments(cohort)
        pending = _pending_pdfs(cohort)
        progress.save(
            total=run.done + len(enrollments) + len(pending),
            started_at=run.started_at or now,
        )
        for enrollment in enrollments:
            _complete(progress, enrollment, actor)
        names = dict(
            Certificate.objects.filter(pk__in=pending).values_list(
                "pk", "enrollment__participant__full_name"
            )
        )
        for certificate_id in pending:
            _render(progress, certificate_id, names.get(certificate_id, ""))
    except Exception as error:
        logger.exception("Certificate run %s stopped", run.pk)
        message = error.message if isinstance(error, DomainError) else str(error)
        _finish(progress, RunState.FAILED, error=message)
    else:
        _finish(progress, RunState.FINISHED)
    run.refresh_from_db()
    return run


def _finish(progress: _Progress, state: RunState, *, error: str = "") -> None:
    run = progress.run
    with transaction.atomic():
        progress.save(state=state, error=error, finished_at=timezone.now())
        audit.record(
            chain_key=audit.chain_key_for_center(run.cohort.center_id),
            action=f"credentials.run.{state}",
            actor=_requester(run),
            target=run,
            data={
                "cohort": run.cohort_id,
                "done": progress.done,
                "failed": progress.failed,
                "error": error,
            },
        )


def stalled_runs(now: datetime.datetime | None = None) -> "list[CertificateRun]":
    """Runs waiting longer than a worker should take to pick them up, or running without
    progress: their worker (or their job) was lost."""
    now = now or timezone.now()
    cutoff = now - STALLED_AFTER
    return list(
        CertificateRun.objects.filter(
            Q(state=RunState.QUEUED, created_at__lt=cutoff)
            | Q(state=RunState.RUNNING, heartbeat_at__lt=cutoff)
        ).order_by("pk")
    )

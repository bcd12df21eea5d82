"""Staff decide on applications: accept, reject, put on the waiting list, complete."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.admissions.services import common
from kakehashi.admissions.signals import enrollment_completed
from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import clean_text
from kakehashi.core.errors import Conflict, InvalidTransition


@transaction.atomic
def accept(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Accept an application: offer a seat that the participant must confirm in time."""
    cohort, enrollment = common.begin(
        enrollment,
        actor,
        allowed=(Status.APPLIED,),
        refusal=_("Only a pending application can be accepted; this one is %(status)s."),
    )
    held = common.seats_held(cohort)
    if held >= cohort.capacity:
        raise common.CohortFull(
            ngettext(
                "The cohort's %(capacity)d seat is held. "
                "Put the application on the waiting list instead.",
                "All %(capacity)d seats are held. Put the application on the waiting list instead.",
                cohort.capacity,
            )
            % {"capacity": cohort.capacity}
        )
    if Enrollment.objects.filter(cohort=cohort, status=Status.WAITLISTED).exists():
        raise Conflict(
            _("People are waiting for a seat in this cohort; a free seat goes to them first.")
        )
    common.make_offer(cohort, enrollment, actor, now=timezone.now(), action="offered")
    return enrollment


@transaction.atomic
def reject(*, actor: Actor, enrollment: Enrollment, reason: str = "") -> Enrollment:
    """Turn down an application (pending or on the waiting list)."""
    cohort, enrollment = common.begin(
        enrollment,
        actor,
        allowed=(Status.APPLIED, Status.WAITLISTED),
        refusal=_("Only a pending or waiting application can be rejected; this one is %(status)s."),
    )
    reason = clean_text("reason", reason, max_length=2000)
    common.set_status(enrollment, Status.REJECTED, now=timezone.now(), note=reason)
    common.log(cohort, enrollment, actor, "rejected", reason=reason)
    return enrollment


@transaction.atomic
def waitlist(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Accept an application onto the waiting list; if a seat is free it is offered at once."""
    cohort, enrollment = common.begin(
        enrollment,
        actor,
        allowed=(Status.APPLIED,),
        refusal=_(
            "Only a pending application can be put on the waiting list; this one is %(status)s."
        ),
    )
    now = timezone.now()
    common.set_status(enrollment, Status.WAITLISTED, now=now, waitlisted_at=now)
    common.log(cohort, enrollment, actor, "waitlisted")
    common.promote(cohort, actor, now=now)
    enrollment.refresh_from_db()
    return enrollment


@transaction.atomic
def complete(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Mark an enrolled participant as having completed the cohort."""
    cohort, enrollment = common.begin(
        enrollment,
        actor,
        allowed=(Status.ENROLLED,),
        refusal=_("Only an enrolled participant can complete; this one is %(status)s."),
    )
    if cohort.starts_on > timezone.localdate(timezone=cohort.center.tzinfo):
        raise InvalidTransition(_("Nobody can complete a cohort that has not started yet."))
    common.set_status(enrollment, Status.COMPLETED, now=timezone.now())
    common.log(cohort, enrollment, actor, "completed")
    enrollment_completed.send(sender=Enrollment, enrollment=enrollment, actor=actor, recorded=False)
    return enrollment

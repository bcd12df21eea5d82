"""A center's history: participants of cohorts that ended before Kakehashi."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.admissions.models import LIVE, Enrollment, Status
from kakehashi.admissions.services import common
from kakehashi.admissions.services.applying import participant_for
from kakehashi.admissions.signals import enrollment_completed
from kakehashi.catalog.models import SEAT_HOLDING, Cohort
from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import choice_list, clean_text
from kakehashi.core.errors import InvalidInput, InvalidTransition
from kakehashi.core.roles import Perm
from kakehashi.network import access
from kakehashi.network.services import ensure_writable

PAST_OUTCOMES = (Status.COMPLETED, Status.WITHDRAWN)


@transaction.atomic
def record_past_participant(
    *,
    actor: Actor,
    cohort: Cohort,
    applicant: common.Applicant,
    outcome: str = Status.COMPLETED,
    note: str = "",
) -> Enrollment:
    """Record someone who took part in a cohort that has already ended, from the center's
    earlier records (paper files, a previous system). Applications to an ended cohort are
    refused; this is how its history gets in, audited as ``recorded``."""
    applicant = applicant.cleaned()
    locked = common.lock_cohort(cohort.pk)
    access.authorize(
        actor, Perm.ENROLL_OTHERS, network=locked.center.network_id, center=locked.center
    )
    ensure_writable(locked.center)
    if locked.ends_on >= timezone.localdate(timezone=locked.center.tzinfo):
        raise InvalidTransition(
            _("This cohort has not ended yet; enroll participants the usual way.")
        )
    if outcome not in PAST_OUTCOMES:
        raise InvalidInput(
            _("%(outcome)s is not an outcome of a past cohort.") % {"outcome": outcome},
            fields={
                "outcome": _("Choose one of: %(choices)s.")
                % {"choices": choice_list((status, status.label) for status in PAST_OUTCOMES)}
            },
        )
    if outcome in SEAT_HOLDING and common.seats_held(locked) >= locked.capacity:
        raise common.CohortFull(
            ngettext(
                "The %(capacity)d seat of this cohort is already recorded as taken.",
                "All %(capacity)d seats of this cohort are already recorded as taken.",
                locked.capacity,
            )
            % {"capacity": locked.capacity}
        )
    participant = participant_for(locked, applicant, None)
    if Enrollment.objects.filter(cohort=locked, participant=participant, status__in=LIVE).exists():
        raise common.AlreadyApplied(
            _("%(email)s is already recorded in this cohort.") % {"email": participant.email}
        )
    now = timezone.now()
    enrollment = Enrollment.objects.create(
        cohort=locked,
        participant=participant,
        status=outcome,
        note=clean_text("note", note, max_length=2000),
        created_at=now,
        status_changed_at=now,
    )
    common.log(locked, enrollment, actor, "recorded", email=participant.email, note=enrollment.note)
    if outcome == Status.COMPLETED:
        enrollment_completed.send(
            sender=Enrollment, enrollment=enrollment, actor=actor, recorded=True
        )
    return enrollment

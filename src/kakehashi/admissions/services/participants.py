"""The participant's own actions on an enrollment: confirm or decline an offer, withdraw.

Staff who may enroll others can do these for a participant too.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.admissions.services import common
from kakehashi.admissions.services.offers import OFFER_EXPIRY, expire
from kakehashi.catalog.models import Cohort
from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import clean_text
from kakehashi.core.errors import InvalidTransition


def confirm(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """The participant takes the offered seat. An offer past its time expires instead:
    the expiry is saved (and the seat passed on) before OfferExpired is raised."""
    with transaction.atomic():
        cohort, enrollment = common.begin(
            enrollment,
            actor,
            allowed=(Status.OFFERED,),
            refusal=_("There is no open offer to confirm; this enrollment is %(status)s."),
            participant_may=True,
        )
        now = timezone.now()
        expired = enrollment.offer_expires_at is not None and enrollment.offer_expires_at <= now
        if expired:
            expire(cohort, enrollment, now=now)
            common.promote(cohort, OFFER_EXPIRY, now=now)
        else:
            common.set_status(enrollment, Status.ENROLLED, now=now, offer_expires_at=None)
            common.record_fee(cohort, enrollment, actor)
            common.log(cohort, enrollment, actor, "enrolled")
    if expired:
        raise common.OfferExpired(
            _("This offer expired; the seat has gone to the next person waiting.")
        )
    return enrollment


@transaction.atomic
def decline(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """The participant turns down the offered seat, which goes to the next person waiting."""
    cohort, enrollment = common.begin(
        enrollment,
        actor,
        allowed=(Status.OFFERED,),
        refusal=_("There is no open offer to decline; this enrollment is %(status)s."),
        participant_may=True,
    )
    now = timezone.now()
    common.set_status(enrollment, Status.DECLINED, now=now, offer_expires_at=None)
    common.log(cohort, enrollment, actor, "declined")
    common.promote(cohort, actor, now=now)
    return enrollment


WITHDRAWABLE = (Status.APPLIED, Status.WAITLISTED, Status.OFFERED, Status.ENROLLED)


def cohort_has_ended(cohort: Cohort, *, now: datetime.datetime) -> bool:
    """Is the cohort's last day over, at its center?"""
    return cohort.ends_on < now.astimezone(cohort.center.tzinfo).date()


def may_withdraw(enrollment: Enrollment, *, now: datetime.datetime) -> bool:
    """Would :func:`withdraw` accept this enrollment now (leaving who asks aside)?"""
    cohort = enrollment.cohort
    return (
        not cohort.center.is_read_only
        and enrollment.status in WITHDRAWABLE
        and not cohort_has_ended(cohort, now=now)
    )


@transaction.atomic
def withdraw(*, actor: Actor, enrollment: Enrollment, reason: str = "") -> Enrollment:
    """Leave a cohort (or its waiting list) until its last day; after it has ended there is
    nothing left to leave. A freed seat goes to the longest-waiting person."""
    cohort, enrollment = common.begin(
        enrollment,
        actor,
        allowed=WITHDRAWABLE,
        refusal=_("This enrollment is %(status)s and can no longer be withdrawn."),
        participant_may=True,
    )
    now = timezone.now()
    if cohort_has_ended(cohort, now=now):
        raise InvalidTransition(_("This cohort has ended, so it can no longer be withdrawn from."))
    freed = enrollment.holds_seat
    was_enrolled = enrollment.status == Status.ENROLLED
    reason = clean_text("reason", reason, max_length=2000)
    common.set_status(enrollment, Status.WITHDRAWN, now=now, offer_expires_at=None, note=reason)
    if was_enrolled:
        common.cancel_unpaid_fee(cohort, enrollment, actor, now=now)
    common.log(cohort, enrollment, actor, "withdrawn", reason=reason)
    if freed:
        common.promote(cohort, actor, now=now)
    return enrollment

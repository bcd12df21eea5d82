"""The waiting list, offers and their expiry."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.admissions.services import common
from kakehashi.catalog.models import Cohort
from kakehashi.core.actors import Actor, SystemActor
from kakehashi.core.errors import PermissionDenied
from kakehashi.core.roles import Perm
from kakehashi.network import access


def promote_from_waitlist(*, actor: Actor, cohort: Cohort) -> list[Enrollment]:
    """Offer any free seats of ``cohort`` to its waiting list, longest-waiting first.
    Staff who review applications at the center, or the system."""
    with transaction.atomic():
        locked = common.lock_cohort(cohort.pk)
        access.authorize(actor, Perm.REVIEW, network=locked.center.network_id, center=locked.center)
        return common.promote(locked, actor, now=timezone.now())


# An offer that runs out is the rule's doing, whoever happens to find it late (the sweep, or
# the participant confirming too late): the system expires it and passes the seat on.
OFFER_EXPIRY = SystemActor("admissions.expire_offers")


def expire(cohort: Cohort, enrollment: Enrollment, *, now: datetime.datetime) -> None:
    """Expire ``enrollment``'s offer; the cohort must be locked."""
    _expire_as(OFFER_EXPIRY, cohort, enrollment, now=now)


def _expire_as(
    actor: Actor, cohort: Cohort, enrollment: Enrollment, *, now: datetime.datetime
) -> None:
    common.set_status(enrollment, Status.EXPIRED, now=now)
    common.log(cohort, enrollment, actor, "expired", offer_expires_at=enrollment.offer_expires_at)


def expire_offers(*, actor: Actor, now: datetime.datetime | None = None) -> int:
    """Expire every offer past its time and pass each seat on; one transaction per cohort.

    Returns how many offers expired. Safe to run from several workers at once: each cohort
    is locked and its offers read again before anything changes. Only the system expires
    offers (the jobs, the demo), named by ``actor``.
    """
    if not isinstance(actor, SystemActor):
        raise PermissionDenied(_("Offers expire by themselves; nobody expires them by hand."))
    now = now or timezone.now()
    cohort_ids = sorted(
        set(
            Enrollment.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).values_list(
                "cohort_id", flat=True
            )
        )
    )
    expired = 0
    for cohort_id in cohort_ids:
        with transaction.atomic():
            cohort = common.lock_cohort(cohort_id)
            if cohort.center.is_read_only:
                continue
            due = list(
                Enrollment.objects.filter(
                    cohort=cohort, status=Status.OFFERED, offer_expires_at__lte=now
                ).order_by("offer_expires_at", "pk")
            )
            for enrollment in due:
                _expire_as(actor, cohort, enrollment, now=now)
            common.promote(cohort, actor, now=now)
            expired += len(due)
    return expired

"""What every admissions use case shares: its errors, the facts it counts, and the steps it
takes inside its transaction with the cohort locked.

Every use case locks the cohort row first and then reads the facts (seats held, the
waiting list) again, so capacity is decided on fresh data by one request at a time per
cohort. Seats held are always counted from enrollments, never from a stored number.

The other modules of the package call these steps through the module
(``common.seats_held``), so that a test can take one out in one place.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kakehashi.admissions.models import Enrollment, Participant, Status
from kakehashi.catalog.models import SEAT_HOLDING, Cohort
from kakehashi.core import audit
from kakehashi.core.actors import Actor, ParticipantActor, StaffActor
from kakehashi.core.cleaning import clean_text
from kakehashi.core.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from kakehashi.core.locking import lock_row
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.network import access
from kakehashi.network.services import ensure_writable
from kakehashi.payments import services as payments


class CohortFull(Conflict):
    code = "cohort_full"


class ApplicationsClosed(Conflict):
    code = "applications_closed"


class AlreadyApplied(Conflict):
    code = "already_applied"


class OfferExpired(Conflict):
    code = "offer_expired"


@dataclass(frozen=True)
class Applicant:
    """Who is applying, as typed into a form or sent to the API."""

    email: str
    full_name: str
    company: str = ""
    position: str = ""
    industry: str = ""
    phone: str = ""

    def cleaned(self) -> "Applicant":
        email = clean_text("email", self.email, max_length=254).lower()
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                _("%(email)s is not a valid email address.") % {"email": self.email or "''"},
                fields={"email": _("Enter a valid email address.")},
            ) from None
        full_name = " ".join(clean_text("full_name", self.full_name, max_length=200).split())
        if not full_name:
            raise InvalidInput(
                _("Tell us your full name."), fields={"full_name": _("This field is required.")}
            )
        values = {
            "full_name": full_name,
            "company": clean_text("company", self.company, max_length=200),
            "position": clean_text("position", self.position, max_length=200),
            "industry": clean_text("industry", self.industry, max_length=200),
            "phone": clean_text("phone", self.phone, max_length=40),
        }
        return Applicant(email=email, **values)


# --- facts about a cohort, always counted --------------------------------------------------


def seats_held(cohort: Cohort) -> int:
    return Enrollment.objects.filter(cohort=cohort, status__in=SEAT_HOLDING).count()


# The waiting list's one order: who joined it first; between two who joined at the same
# instant, the earlier enrollment (the lower id). Everything that lists, numbers or promotes
# the waiting list uses this, so a page never shows an order the next offer does not follow.
WAITING_ORDER = ("waitlisted_at", "pk")


def waiting_order(enrollment: Enrollment) -> tuple[datetime.datetime, int]:
    """The sort key of :data:`WAITING_ORDER`, for enrollments already read."""
    joined = enrollment.waitlisted_at or enrollment.created_at
    return joined, enrollment.pk


def in_waiting_order(enrollments: Iterable[Enrollment]) -> list[Enrollment]:
    """``enrollments`` (the waiting ones, already read) in the waiting list's order."""
    return sorted(enrollments, key=waiting_order)


def waiting(cohort: Cohort) -> QuerySet[Enrollment]:
    """The cohort's waiting list as a query, longest-waiting first."""
    return (
        Enrollment.objects.filter(cohort=cohort, status=Status.WAITLISTED)
        .select_related("participant")
        .order_by(*WAITING_ORDER)
    )


def waiting_list(cohort: Cohort) -> list[Enrollment]:
    return list(waiting(cohort))


def ahead_in_waiting_list(waitlisted_at: object, pk: object) -> Q:
    """Those ahead of the person who joined at ``waitlisted_at`` with id ``pk`` (values or
    ``OuterRef`` expressions), in :data:`WAITING_ORDER`."""
    return Q(waitlisted_at__lt=waitlisted_at) | Q(waitlisted_at=waitlisted_at, pk__lt=pk)


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1 for the longest-waiting person; None when not on the waiting list."""
    if enrollment.status != Status.WAITLISTED or enrollment.waitlisted_at is None:
        return None
    ahead = Enrollment.objects.filter(
        ahead_in_waiting_list(enrollment.waitlisted_at, enrollment.pk),
        cohort_id=enrollment.cohort_id,
        status=Status.WAITLISTED,
    ).count()
    return ahead + 1


# --- who may act -----------------------------------------------------------------------------


def participant_actor(participant: Participant, *, user: User | None = None) -> ParticipantActor:
    """The participant acting: signed in to ``user`` when given (an account that owns their
    address), otherwise through the signed link mailed to them."""
    if user is not None:
        return ParticipantActor(participant_id=participant.pk, via="account", user=user)
    return ParticipantActor(participant_id=participant.pk, via="link")


def may_enroll_others(actor: Actor, cohort: Cohort) -> bool:
    """Staff who may add people to ``cohort`` outside the usual rules of applying."""
    return isinstance(actor, StaffActor) and access.actor_may(
        actor, Perm.ENROLL_OTHERS, network=cohort.center.network_id, center=cohort.center
    )


def require_self_or_staff(actor: Actor, cohort: Cohort, enrollment: Enrollment) -> None:
    """The participant themself (by their signed link, or signed in to the account the
    participant is linked to), the system, or staff who may enroll others at the center.
    A participant's link never opens another participant's enrollment."""
    if isinstance(actor, ParticipantActor):
        if actor.participant_id == enrollment.participant_id:
            return
    elif isinstance(actor, StaffActor) and actor.user.pk == enrollment.participant.user_id:
        return
    if access.actor_may(
        actor, Perm.ENROLL_OTHERS, network=cohort.center.network_id, center=cohort.center
    ):
        return
    raise PermissionDenied(
        _("Only the participant or the center's registrars can change this enrollment.")
    )


# --- steps, each run inside a caller's transaction with the cohort locked --------------------


def lock_cohort(cohort_id: int) -> Cohort:
    return lock_row(Cohort.objects.select_related("center", "program"), pk=cohort_id)


def lock_enrollment(enrollment_id: int) -> tuple[Cohort, Enrollment]:
    """Lock the enrollment's cohort, then read the enrollment afresh.

    The cohort is locked first by every use case, so no two requests ever lock in the
    opposite order.
    """
    cohort_id = Enrollment.objects.values_list("cohort_id", flat=True).get(pk=enrollment_id)
    cohort = lock_cohort(cohort_id)
    enrollment = Enrollment.objects.select_related("participant").get(pk=enrollment_id)
    return cohort, enrollment


def log(cohort: Cohort, enrollment: Enrollment, actor: Actor, action: str, **data: object) -> None:
    audit.record(
        chain_key=audit.chain_key_for_center(cohort.center_id),
        action=f"admissions.enrollment.{action}",
        actor=actor,
        target=enrollment,
        data={
            "cohort": cohort.pk,
            "participant": enrollment.participant_id,
            "status": enrollment.status,
            **data,
        },
    )


def record_fee(cohort: Cohort, enrollment: Enrollment, actor: Actor) -> None:
    """An enrollment in a cohort with a fee: the fee becomes an amount due, in the same
    transaction, so nobody is enrolled without owing it (nor owes for a rolled-back seat)."""
    if not cohort.fee:
        return
    participant = enrollment.participant
    payments.record_amount_due(
        actor=actor,
        center=cohort.center,
        subject=f"admissions.enrollment:{enrollment.pk}",
        amount=cohort.fee,
        currency=cohort.currency,
        description=str(cohort),
        payer=payments.Payer(
            name=participant.full_name,
            email=participant.email,
            language=participant.language,
            ref=f"admissions.participant:{participant.pk}",
            user_id=participant.user_id,
        ),
        group=f"catalog.cohort:{cohort.pk}",
        starts_on=cohort.starts_on,
        key="enrollment",
    )


def cancel_unpaid_fee(
    cohort: Cohort, enrollment: Enrollment, actor: Actor, *, now: datetime.datetime
) -> None:
    """Leaving before the cohort starts: what is still unpaid of the fee is no longer owed
    (a new ledger entry, in this transaction). Money already paid stays paid until staff
    refund it. Call before ``log``: the account is locked before the audit chain."""
    if cohort.starts_on <= now.astimezone(cohort.center.tzinfo).date():
        return
    payments.cancel_amount_due(
        actor=actor,
        subject=f"admissions.enrollment:{enrollment.pk}",
        reason=_("Withdrew before the cohort started."),
    )


def set_status(
    enrollment: Enrollment, status: str, *, now: datetime.datetime, **extra: object
) -> None:
    enrollment.status = status
    enrollment.status_changed_at = now
    fields = ["status", "status_changed_at"]
    for name, value in extra.items():
        setattr(enrollment, name, value)
        fields.append(name)
    enrollment.save(update_fields=fields)


def make_offer(
    cohort: Cohort,
    enrollment: Enrollment,
    actor: Actor,
    *,
    now: datetime.datetime,
    action: str,
) -> None:
    expires = cohort.offer_expiry(now)
    set_status(enrollment, Status.OFFERED, now=now, offer_expires_at=expires)
    log(cohort, enrollment, actor, action, offer_expires_at=expires)
    transaction.on_commit(partial(_expire_when_due, expires))
    # Imported here: notifications build on this package. The mail goes in this transaction,
    # so an offer is never made without telling the person, nor told and then rolled back.
    from kakehashi.admissions.notifications import queue_offer_mail

    queue_offer_mail(enrollment)


def _expire_when_due(expires: datetime.datetime) -> None:
    # Imported here: tasks import this package. The per-minute sweep catches any offer
    # whose job was lost, so a queue outage delays an expiry but never skips it.
    from kakehashi.admissions.tasks import expire_due_offers_at

    expire_due_offers_at.schedule(eta=expires)


def promote(cohort: Cohort, actor: Actor, *, now: datetime.datetime) -> list[Enrollment]:
    """Offer every free seat to the longest-waiting people, in order. Cohort must be locked."""
    if (
        not cohort.center.accepts_applications
        or cohort.ends_on < now.astimezone(cohort.center.tzinfo).date()
    ):
        return []
    free = cohort.capacity - seats_held(cohort)
    if free <= 0:
        return []
    promoted = list(waiting(cohort)[:free])
    for enrollment in promoted:
        make_offer(cohort, enrollment, actor, now=now, action="promoted")
    return promoted


def begin(
    enrollment: Enrollment,
    actor: Actor,
    *,
    allowed: tuple[str, ...],
    refusal: str,
    perm: Perm = Perm.REVIEW,
    participant_may: bool = False,
) -> tuple[Cohort, Enrollment]:
    """The start every change of an enrollment shares: lock its cohort, read it afresh,
    check who is asking, that the center still changes, and that the change fits the
    status. Staff need ``perm``; with ``participant_may`` the participant themself may act
    too (and staff who may enroll others). ``refusal`` names the status as ``%(status)s``."""
    cohort, enrollment = lock_enrollment(enrollment.pk)
    if participant_may:
        require_self_or_staff(actor, cohort, enrollment)
    else:
        access.authorize(actor, perm, network=cohort.center.network_id, center=cohort.center)
    ensure_writable(cohort.center)
    if enrollment.status not in allowed:
        raise InvalidTransition(refusal % {"status": enrollment.get_status_display().lower()})
    return cohort, enrollment

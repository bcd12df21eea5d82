"""Admissions: applying, deciding, confirming, withdrawing and the waiting list.

Every use case locks the cohort row first and then reads the facts (seats held, the
waiting list) again, so capacity is decided on fresh data by one request at a time per
cohort. Seats held are always counted from enrollments, never from a stored number.
"""

import datetime
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.admissions.models import LIVE, Enrollment, Participant, Status
from kakehashi.admissions.signals import enrollment_completed
from kakehashi.catalog.models import SEAT_HOLDING, Admission, Cohort
from kakehashi.core import audit
from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import choice_list, clean_text
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


def waiting_list(cohort: Cohort) -> "list[Enrollment]":
    return list(
        Enrollment.objects.filter(cohort=cohort, status=Status.WAITLISTED)
        .select_related("participant")
        .order_by("waitlisted_at", "pk")
    )


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1 for the longest-waiting person; None when not on the waiting list."""
    if enrollment.status != Status.WAITLISTED or enrollment.waitlisted_at is None:
        return None
    at = enrollment.waitlisted_at
    ahead = Enrollment.objects.filter(
        Q(waitlisted_at__lt=at) | Q(waitlisted_at=at, pk__lt=enrollment.pk),
        cohort_id=enrollment.cohort_id,
        status=Status.WAITLISTED,
    ).count()
    return ahead + 1


# --- internal steps, each run inside a caller's transaction with the cohort locked -----------


def _lock_cohort(cohort_id: int) -> Cohort:
    return lock_row(Cohort.objects.select_related("center", "program"), pk=cohort_id)


def _lock_enrollment(enrollment_id: int) -> tuple[Cohort, Enrollment]:
    """Lock the enrollment's cohort, then read the enrollment afresh.

    The cohort is locked first by every use case, so no two requests ever lock in the
    opposite order.
    """
    cohort_id = Enrollment.objects.values_list("cohort_id", flat=True).get(pk=enrollment_id)
    cohort = _lock_cohort(cohort_id)
    enrollment = Enrollment.objects.select_related("participant").get(pk=enrollment_id)
    return cohort, enrollment


def _log(cohort: Cohort, enrollment: Enrollment, actor: Actor, action: str, **data: object) -> None:
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


def _record_fee(cohort: Cohort, enrollment: Enrollment, actor: Actor) -> None:
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


def _cancel_unpaid_fee(
    cohort: Cohort, enrollment: Enrollment, actor: Actor, *, now: datetime.datetime
) -> None:
    """Leaving before the cohort starts: what is still unpaid of the fee is no longer owed
    (a new ledger entry, in this transaction). Money already paid stays paid until staff
    refund it. Call before ``_log``: the account is locked before the audit chain."""
    if cohort.starts_on <= now.astimezone(cohort.center.tzinfo).date():
        return
    payments.cancel_amount_due(
        actor=actor,
        subject=f"admissions.enrollment:{enrollment.pk}",
        reason=_("Withdrew before the cohort started."),
    )


def _set_status(
    enrollment: Enrollment, status: str, *, now: datetime.datetime, **extra: object
) -> None:
    enrollment.status = status
    enrollment.status_changed_at = now
    fields = ["status", "status_changed_at"]
    for name, value in extra.items():
        setattr(enrollment, name, value)
        fields.append(name)
    enrollment.save(update_fields=fields)


def _offer(
    cohort: Cohort,
    enrollment: Enrollment,
    actor: Actor,
    *,
    now: datetime.datetime,
    action: str,
) -> None:
    expires = cohort.offer_expiry(now)
    _set_status(enrollment, Status.OFFERED, now=now, offer_expires_at=expires)
    _log(cohort, enrollment, actor, action, offer_expires_at=expires)
    transaction.on_commit(partial(_expire_when_due, expires))
    # Imported here: notifications build on this module. The mail goes in this transaction,
    # so an offer is never made without telling the person, nor told and then rolled back.
    from kakehashi.admissions.notifications import queue_offer_mail

    queue_offer_mail(enrollment)


def _expire_when_due(expires: datetime.datetime) -> None:
    # Imported here: tasks import this module. The per-minute sweep catches any offer
    # whose job was lost, so a queue outage delays an expiry but never skips it.
    from kakehashi.admissions.tasks import expire_due_offers_at

    expire_due_offers_at.schedule(eta=expires)


def _promote(cohort: Cohort, actor: Actor, *, now: datetime.datetime) -> list[Enrollment]:
    """Offer every free seat to the longest-waiting people, in order. Cohort must be locked."""
    if (
        not cohort.center.accepts_applications
        or cohort.ends_on < now.astimezone(cohort.center.tzinfo).date()
    ):
        return []
    free = cohort.capacity - seats_held(cohort)
    if free <= 0:
        return []
    promoted = list(
        Enrollment.objects.filter(cohort=cohort, status=Status.WAITLISTED)
        .select_related("participant")
        .order_by("waitlisted_at", "pk")[:free]
    )
    for enrollment in promoted:
        _offer(cohort, enrollment, actor, now=now, action="promoted")
    return promoted


def promote_from_waitlist(*, actor: Actor, cohort: Cohort) -> list[Enrollment]:
    """Offer any free seats of ``cohort`` to its waiting list, longest-waiting first."""
    with transaction.atomic():
        locked = _lock_cohort(cohort.pk)
        return _promote(locked, actor, now=timezone.now())


def _is_staff_for(actor: Actor, cohort: Cohort, perm: Perm) -> bool:
    return access.has_perm(actor, perm, network=cohort.center.network_id, center=cohort.center)


def _require_self_or_staff(
    actor: Actor, cohort: Cohort, enrollment: Enrollment, *, as_participant: bool
) -> None:
    """The participant themself (logged in, or proven by a signed link) or enrolling staff."""
    if as_participant:
        return
    if (
        actor is not None
        and enrollment.participant.user_id is not None
        and actor.pk == enrollment.participant.user_id
    ):
        return
    if _is_staff_for(actor, cohort, Perm.ENROLL_OTHERS):
        return
    raise PermissionDenied(
        _("Only the participant or the center's registrars can change this enrollment.")
    )


# --- use cases -------------------------------------------------------------------------------


def _current_language() -> str:
    code = (translation.get_language() or "").split("-")[0]
    return code if code in dict(settings.LANGUAGES) else ""


def _owns_address(user: User | None, email: str) -> bool:
    """Has ``user`` proven that ``email`` is theirs? Only then may the applications filed
    under it be tied to the account, since anyone can sign up with anyone's address."""
    return (
        user is not None
        and user.pk is not None
        and user.email_verified_at is not None
        and user.email.strip().lower() == email
    )


def _participant_for(cohort: Cohort, applicant: Applicant, user: User | None) -> Participant:
    owner = user if _owns_address(user, applicant.email) else None
    participant, created = Participant.objects.get_or_create(
        network_id=cohort.center.network_id,
        email=applicant.email,
        defaults={
            "full_name": applicant.full_name,
            "company": applicant.company,
            "position": applicant.position,
            "industry": applicant.industry,
            "phone": applicant.phone,
            "user": owner,
            "language": _current_language(),
        },
    )
    if not created:
        # Fill in what we did not know; never overwrite what the person told us before,
        # since anyone can type anyone's email into a form.
        changed = []
        for name in ("company", "position", "industry", "phone"):
            if not getattr(participant, name) and getattr(applicant, name):
                setattr(participant, name, getattr(applicant, name))
                changed.append(name)
        if owner is not None and participant.user_id is None:
            participant.user = owner
            changed.append("user")
        if changed:
            participant.save(update_fields=changed)
    return participant


def apply(
    *,
    actor: Actor,
    cohort: Cohort,
    applicant: Applicant,
    motivation: str = "",
) -> Enrollment:
    """Apply to a cohort.

    First-come cohorts enroll at once while seats last, then put people on the waiting
    list; review cohorts record the application for staff to decide. Staff who may enroll
    others can add people outside the application window.
    """
    applicant = applicant.cleaned()
    motivation = clean_text("motivation", motivation, max_length=5000)
    with transaction.atomic():
        return _apply(actor=actor, cohort_id=cohort.pk, applicant=applicant, motivation=motivation)


def _apply(*, actor: Actor, cohort_id: int, applicant: Applicant, motivation: str) -> Enrollment:
    cohort = _lock_cohort(cohort_id)
    center = cohort.center
    ensure_writable(center)
    now = timezone.now()
    staff = _is_staff_for(actor, cohort, Perm.ENROLL_OTHERS)
    if not center.accepts_applications:
        raise ApplicationsClosed(
            _("%(center)s is not taking applications now (it is %(status)s).")
            % {"center": center.name, "status": center.get_status_display().lower()}
        )
    if not staff and not cohort.applications_open(now):
        raise ApplicationsClosed(_("Applications for this cohort are closed."))
    if cohort.ends_on < now.astimezone(center.tzinfo).date():
        raise ApplicationsClosed(_("This cohort has already ended."))
    if cohort.admission == Admission.REVIEW and not motivation and not staff:
        raise InvalidInput(
            _("This cohort admits by review: tell us briefly why you want to take part."),
            fields={"motivation": _("This field is required.")},
        )
    participant = _participant_for(cohort, applicant, actor if not staff else None)
    existing = Enrollment.objects.filter(
        cohort=cohort, participant=participant, status__in=LIVE
    ).first()
    if existing is not None:
        if staff:
            raise AlreadyApplied(
                _("%(email)s already has an application for this cohort (%(status)s).")
                % {"email": participant.email, "status": existing.get_status_display().lower()}
            )
        # Anyone can type anyone's address: tell them no more than that it is taken.
        raise AlreadyApplied(
            _(
                "This email address already has an application for this cohort; the link in "
                "the mail we sent to it shows where the application stands."
            )
        )
    enrollment = Enrollment(
        cohort=cohort,
        participant=participant,
        motivation=motivation,
        created_at=now,
        status_changed_at=now,
    )
    if cohort.admission == Admission.REVIEW:
        enrollment.status = Status.APPLIED
        action = "applied"
    elif (
        seats_held(cohort) < cohort.capacity
        and not Enrollment.objects.filter(cohort=cohort, status=Status.WAITLISTED).exists()
    ):
        enrollment.status = Status.ENROLLED
        action = "enrolled"
    else:
        enrollment.status = Status.WAITLISTED
        enrollment.waitlisted_at = now
        action = "waitlisted"
    try:
        with transaction.atomic():
            enrollment.save(force_insert=True)
    except IntegrityError:
        # The partial unique index caught a second live enrollment that slipped past the
        # check above (it cannot while the cohort lock works; the index keeps the promise
        # regardless).
        raise AlreadyApplied(_("You have already applied to this cohort.")) from None
    # The fee before the audit event: locks are always taken account first, audit chain last.
    if enrollment.status == Status.ENROLLED:
        _record_fee(cohort, enrollment, actor)
    _log(cohort, enrollment, actor, action, email=participant.email)
    return enrollment


def _begin(
    enrollment: Enrollment,
    actor: Actor,
    *,
    allowed: tuple[str, ...],
    refusal: str,
    perm: Perm = Perm.REVIEW,
    as_participant: bool | None = None,
) -> tuple[Cohort, Enrollment]:
    """The start every change of an enrollment shares: lock its cohort, read it afresh,
    check who is asking, that the center still changes, and that the change fits the
    status. With ``as_participant`` None only staff holding ``perm`` may act; otherwise the
    participant may too. ``refusal`` names the current status as ``%(status)s``."""
    cohort, enrollment = _lock_enrollment(enrollment.pk)
    if as_participant is None:
        access.authorize(actor, perm, network=cohort.center.network_id, center=cohort.center)
    else:
        _require_self_or_staff(actor, cohort, enrollment, as_participant=as_participant)
    ensure_writable(cohort.center)
    if enrollment.status not in allowed:
        raise InvalidTransition(refusal % {"status": enrollment.get_status_display().lower()})
    return cohort, enrollment


@transaction.atomic
def accept(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Accept an application: offer a seat that the participant must confirm in time."""
    cohort, enrollment = _begin(
        enrollment,
        actor,
        allowed=(Status.APPLIED,),
        refusal=_("Only a pending application can be accepted; this one is %(status)s."),
    )
    held = seats_held(cohort)
    if held >= cohort.capacity:
        raise CohortFull(
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
    _offer(cohort, enrollment, actor, now=timezone.now(), action="offered")
    return enrollment


@transaction.atomic
def reject(*, actor: Actor, enrollment: Enrollment, reason: str = "") -> Enrollment:
    """Turn down an application (pending or on the waiting list)."""
    cohort, enrollment = _begin(
        enrollment,
        actor,
        allowed=(Status.APPLIED, Status.WAITLISTED),
        refusal=_("Only a pending or waiting application can be rejected; this one is %(status)s."),
    )
    reason = clean_text("reason", reason, max_length=2000)
    _set_status(enrollment, Status.REJECTED, now=timezone.now(), note=reason)
    _log(cohort, enrollment, actor, "rejected", reason=reason)
    return enrollment


@transaction.atomic
def waitlist(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Accept an application onto the waiting list; if a seat is free it is offered at once."""
    cohort, enrollment = _begin(
        enrollment,
        actor,
        allowed=(Status.APPLIED,),
        refusal=_(
            "Only a pending application can be put on the waiting list; this one is %(status)s."
        ),
    )
    now = timezone.now()
    _set_status(enrollment, Status.WAITLISTED, now=now, waitlisted_at=now)
    _log(cohort, enrollment, actor, "waitlisted")
    _promote(cohort, actor, now=now)
    enrollment.refresh_from_db()
    return enrollment


def confirm(*, actor: Actor, enrollment: Enrollment, as_participant: bool = False) -> Enrollment:
    """The participant takes the offered seat. An offer past its time expires instead:
    the expiry is saved (and the seat passed on) before OfferExpired is raised."""
    with transaction.atomic():
        cohort, enrollment = _begin(
            enrollment,
            actor,
            allowed=(Status.OFFERED,),
            refusal=_("There is no open offer to confirm; this enrollment is %(status)s."),
            as_participant=as_participant,
        )
        now = timezone.now()
        expired = enrollment.offer_expires_at is not None and enrollment.offer_expires_at <= now
        if expired:
            _expire(cohort, enrollment, now=now)
            _promote(cohort, None, now=now)
        else:
            _set_status(enrollment, Status.ENROLLED, now=now, offer_expires_at=None)
            _record_fee(cohort, enrollment, actor)
            _log(cohort, enrollment, actor, "enrolled")
    if expired:
        raise OfferExpired(_("This offer expired; the seat has gone to the next person waiting."))
    return enrollment


@transaction.atomic
def decline(*, actor: Actor, enrollment: Enrollment, as_participant: bool = False) -> Enrollment:
    """The participant turns down the offered seat, which goes to the next person waiting."""
    cohort, enrollment = _begin(
        enrollment,
        actor,
        allowed=(Status.OFFERED,),
        refusal=_("There is no open offer to decline; this enrollment is %(status)s."),
        as_participant=as_participant,
    )
    now = timezone.now()
    _set_status(enrollment, Status.DECLINED, now=now, offer_expires_at=None)
    _log(cohort, enrollment, actor, "declined")
    _promote(cohort, actor, now=now)
    return enrollment


WITHDRAWABLE = (Status.APPLIED, Status.WAITLISTED, Status.OFFERED, Status.ENROLLED)


@transaction.atomic
def withdraw(
    *, actor: Actor, enrollment: Enrollment, reason: str = "", as_participant: bool = False
) -> Enrollment:
    """Leave a cohort (or its waiting list). A freed seat goes to the longest-waiting person."""
    cohort, enrollment = _begin(
        enrollment,
        actor,
        allowed=WITHDRAWABLE,
        refusal=_("This enrollment is %(status)s and can no longer be withdrawn."),
        as_participant=as_participant,
    )
    now = timezone.now()
    freed = enrollment.holds_seat
    was_enrolled = enrollment.status == Status.ENROLLED
    reason = clean_text("reason", reason, max_length=2000)
    _set_status(enrollment, Status.WITHDRAWN, now=now, offer_expires_at=None, note=reason)
    if was_enrolled:
        _cancel_unpaid_fee(cohort, enrollment, actor, now=now)
    _log(cohort, enrollment, actor, "withdrawn", reason=reason)
    if freed:
        _promote(cohort, actor, now=now)
    return enrollment


@transaction.atomic
def complete(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Mark an enrolled participant as having completed the cohort."""
    cohort, enrollment = _begin(
        enrollment,
        actor,
        allowed=(Status.ENROLLED,),
        refusal=_("Only an enrolled participant can complete; this one is %(status)s."),
    )
    if cohort.starts_on > timezone.localdate(timezone=cohort.center.tzinfo):
        raise InvalidTransition(_("Nobody can complete a cohort that has not started yet."))
    _set_status(enrollment, Status.COMPLETED, now=timezone.now())
    _log(cohort, enrollment, actor, "completed")
    enrollment_completed.send(sender=Enrollment, enrollment=enrollment, actor=actor, recorded=False)
    return enrollment


def _expire(cohort: Cohort, enrollment: Enrollment, *, now: datetime.datetime) -> None:
    _set_status(enrollment, Status.EXPIRED, now=now)
    _log(cohort, enrollment, None, "expired", offer_expires_at=enrollment.offer_expires_at)


def expire_offers(*, now: datetime.datetime | None = None) -> int:
    """Expire every offer past its time and pass each seat on; one transaction per cohort.

    Returns how many offers expired. Safe to run from several workers at once: each cohort
    is locked and its offers read again before anything changes.
    """
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
            cohort = _lock_cohort(cohort_id)
            if cohort.center.is_read_only:
                continue
            due = list(
                Enrollment.objects.filter(
                    cohort=cohort, status=Status.OFFERED, offer_expires_at__lte=now
                ).order_by("offer_expires_at", "pk")
            )
            for enrollment in due:
                _expire(cohort, enrollment, now=now)
            _promote(cohort, None, now=now)
            expired += len(due)
    return expired


PAST_OUTCOMES = (Status.COMPLETED, Status.WITHDRAWN)


@transaction.atomic
def record_past_participant(
    *,
    actor: Actor,
    cohort: Cohort,
    applicant: Applicant,
    outcome: str = Status.COMPLETED,
    note: str = "",
) -> Enrollment:
    """Record someone who took part in a cohort that has already ended, from the center's
    earlier records (paper files, a previous system). Applications to an ended cohort are
    refused; this is how its history gets in, audited as ``recorded``."""
    applicant = applicant.cleaned()
    locked = _lock_cohort(cohort.pk)
    if actor is not None:
        access.require(
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
    if outcome in SEAT_HOLDING and seats_held(locked) >= locked.capacity:
        raise CohortFull(
            ngettext(
                "The %(capacity)d seat of this cohort is already recorded as taken.",
                "All %(capacity)d seats of this cohort are already recorded as taken.",
                locked.capacity,
            )
            % {"capacity": locked.capacity}
        )
    participant = _participant_for(locked, applicant, None)
    if Enrollment.objects.filter(cohort=locked, participant=participant, status__in=LIVE).exists():
        raise AlreadyApplied(
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
    _log(locked, enrollment, actor, "recorded", email=participant.email, note=enrollment.note)
    if outcome == Status.COMPLETED:
        enrollment_completed.send(
            sender=Enrollment, enrollment=enrollment, actor=actor, recorded=True
        )
    return enrollment

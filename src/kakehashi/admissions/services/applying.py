"""Applying to a cohort, from the public form, an account, the API or the office."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kakehashi.admissions.models import LIVE, Enrollment, Participant, Status
from kakehashi.admissions.services import common
from kakehashi.catalog.models import Admission, Cohort
from kakehashi.core.actors import Actor, acting_user
from kakehashi.core.cleaning import clean_text
from kakehashi.core.errors import InvalidInput
from kakehashi.core.models import User
from kakehashi.network.services import ensure_writable


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


def participant_for(cohort: Cohort, applicant: common.Applicant, user: User | None) -> Participant:
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
    applicant: common.Applicant,
    motivation: str = "",
) -> Enrollment:
    """Apply to a cohort.

    First-come cohorts enroll at once while seats last, then put people on the waiting
    list; review cohorts record the application for staff to decide. Staff who may enroll
    others can add people outside the application window; anyone else (the system too)
    applies as the public does. The applicant is mailed what became of the application,
    with the link to their own page, in this transaction.
    """
    applicant = applicant.cleaned()
    motivation = clean_text("motivation", motivation, max_length=5000)
    with transaction.atomic():
        return _apply(actor=actor, cohort_id=cohort.pk, applicant=applicant, motivation=motivation)


def _apply(
    *, actor: Actor, cohort_id: int, applicant: common.Applicant, motivation: str
) -> Enrollment:
    cohort = common.lock_cohort(cohort_id)
    center = cohort.center
    ensure_writable(center)
    now = timezone.now()
    staff = common.may_enroll_others(actor, cohort)
    if not center.accepts_applications:
        raise common.ApplicationsClosed(
            _("%(center)s is not taking applications now (it is %(status)s).")
            % {"center": center.name, "status": center.get_status_display().lower()}
        )
    if not staff and not cohort.applications_open(now):
        raise common.ApplicationsClosed(_("Applications for this cohort are closed."))
    if cohort.ends_on < now.astimezone(center.tzinfo).date():
        raise common.ApplicationsClosed(_("This cohort has already ended."))
    if cohort.admission == Admission.REVIEW and not motivation and not staff:
        raise InvalidInput(
            _("This cohort admits by review: tell us briefly why you want to take part."),
            fields={"motivation": _("This field is required.")},
        )
    participant = participant_for(cohort, applicant, None if staff else acting_user(actor))
    existing = Enrollment.objects.filter(
        cohort=cohort, participant=participant, status__in=LIVE
    ).first()
    if existing is not None:
        if staff:
            raise common.AlreadyApplied(
                _("%(email)s already has an application for this cohort (%(status)s).")
                % {"email": participant.email, "status": existing.get_status_display().lower()}
            )
        # Anyone can type anyone's address: tell them no more than that it is taken.
        raise common.AlreadyApplied(
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
        common.seats_held(cohort) < cohort.capacity
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
        raise common.AlreadyApplied(_("You have already applied to this cohort.")) from None
    # The fee before the audit event: locks are always taken account first, audit chain last.
    if enrollment.status == Status.ENROLLED:
        common.record_fee(cohort, enrollment, actor)
    common.log(cohort, enrollment, actor, action, email=participant.email)
    # Imported here: notifications build on this package.
    from kakehashi.admissions.notifications import queue_application_mail

    queue_application_mail(enrollment)
    return enrollment

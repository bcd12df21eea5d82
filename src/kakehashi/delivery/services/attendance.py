"""Taking attendance: who may mark a session and when, marking (one by one or everyone
present at once), and participants checking in with the code the instructor shows."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.admissions.models import Enrollment, Participant
from kakehashi.catalog.models import Cohort, Session
from kakehashi.core.actors import Actor, ParticipantActor, acting_user
from kakehashi.core.cleaning import choice_list
from kakehashi.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from kakehashi.core.roles import Perm
from kakehashi.core.schemas import MAX_ID
from kakehashi.delivery.codes import CodeInvalid, session_id_from_code
from kakehashi.delivery.models import TAKING_PART, Attendance, Mark, Source
from kakehashi.delivery.services.common import (
    CHECK_IN_OPENS,
    LATE_AFTER,
    MARKING_WINDOW,
    CheckInClosed,
    MarkingClosed,
    NotTakingPart,
    corrects_records,
    denied,
    local_time,
    lock_session,
    log,
)
from kakehashi.network.services import ensure_writable


def teaching_refusal(actor: Actor, session: Session) -> PermissionDenied | None:
    """Why ``actor`` may not take attendance at ``session`` at all (neither mark it nor show
    its check-in code); None when they may: its instructor, or whoever may correct records
    at the center."""
    center = session.cohort.center
    if corrects_records(actor, center):
        return None
    refusal = denied(actor, Perm.TEACH, center)
    if refusal is not None:
        return refusal
    instructor = acting_user(actor)
    if instructor is None or session.instructor_id != instructor.pk:
        return PermissionDenied(
            _(
                "Only the session's instructor and the center's registrars can take "
                "attendance at this session."
            )
        )
    return None


def marking_refusal(
    actor: Actor, session: Session, *, now: datetime.datetime | None = None
) -> DomainError | None:
    """Why ``actor`` may not mark ``session``'s attendance now; None when they may.

    Whoever may correct records at the center marks any of its sessions at any time. An
    instructor marks the sessions they teach, from the start until 48 hours after the end.
    """
    refusal = teaching_refusal(actor, session)
    if refusal is not None:
        return refusal
    center = session.cohort.center
    if corrects_records(actor, center):
        return None
    now = now or timezone.now()
    if now < session.starts_at:
        return MarkingClosed(
            _("Attendance can be marked from the start of the session, %(start)s.")
            % {"start": local_time(session.starts_at, center)}
        )
    if now > session.ends_at + MARKING_WINDOW:
        return MarkingClosed(
            _(
                "Instructors can mark attendance until 48 hours after the session ends "
                "(%(until)s); ask a registrar to correct it."
            )
            % {"until": local_time(session.ends_at + MARKING_WINDOW, center)}
        )
    return None


def may_mark(actor: Actor, session: Session, *, now: datetime.datetime | None = None) -> bool:
    return (
        not session.cohort.center.is_read_only and marking_refusal(actor, session, now=now) is None
    )


def may_show_check_in(actor: Actor, session: Session) -> bool:
    """May ``actor`` show the session's check-in code (its instructor, or a registrar)?"""
    return not session.cohort.center.is_read_only and teaching_refusal(actor, session) is None


def _clean_marks(cohort: Cohort, marks: Mapping[int, str]) -> list[tuple[Enrollment, str]]:
    """Check every mark before any is written: known statuses, and people taking part in
    this session's cohort."""
    wanted: dict[int, str] = {}
    for key, status in marks.items():
        try:
            if isinstance(key, bool):
                raise ValueError
            enrollment_id = int(key)
            if not 0 < enrollment_id <= MAX_ID:
                raise ValueError
        except (TypeError, ValueError):
            raise InvalidInput(
                _("%(key)s does not name an enrollment.") % {"key": key},
                fields={"marks": _("Name each person by their enrollment's number.")},
            ) from None
        if status not in Mark.values:
            raise InvalidInput(
                _("%(value)s is not an attendance mark.") % {"value": status or "''"},
                fields={
                    f"marks.{enrollment_id}": _("Choose one of: %(choices)s.")
                    % {"choices": choice_list(Mark.choices)}
                },
            )
        wanted[enrollment_id] = status
    found = {
        enrollment.pk: enrollment
        for enrollment in Enrollment.objects.filter(pk__in=wanted).select_related("participant")
    }
    cleaned = []
    for enrollment_id in sorted(wanted):
        enrollment = found.get(enrollment_id)
        if enrollment is None or enrollment.cohort_id != cohort.pk:
            raise InvalidInput(
                _("Enrollment %(id)s is not in this cohort.") % {"id": enrollment_id},
                fields={f"marks.{enrollment_id}": _("Not a participant of this cohort.")},
            )
        if enrollment.status not in TAKING_PART:
            raise InvalidInput(
                _(
                    "%(name)s is not taking part in this cohort (%(status)s), so their "
                    "attendance cannot be marked."
                )
                % {
                    "name": enrollment.participant.full_name,
                    "status": enrollment.get_status_display().lower(),
                },
                fields={f"marks.{enrollment_id}": _("Not taking part in this cohort.")},
            )
        cleaned.append((enrollment, wanted[enrollment_id]))
    return cleaned


def _write_mark(
    cohort: Cohort,
    session: Session,
    enrollment: Enrollment,
    status: str,
    existing: Attendance | None,
    *,
    actor: Actor,
    now: datetime.datetime,
) -> Attendance:
    """Mark one person (the cohort locked); audited as ``marked``, or as ``corrected`` with
    the old and the new mark. The same mark again changes nothing."""
    facts = {
        "session": session.pk,
        "enrollment": enrollment.pk,
        "participant": enrollment.participant_id,
        "status": status,
    }
    if existing is None:
        attendance = Attendance(
            session=session,
            enrollment=enrollment,
            status=status,
            source=Source.STAFF,
            recorded_by=acting_user(actor),
            recorded_at=now,
        )
        try:
            with transaction.atomic():
                attendance.save(force_insert=True)
        except IntegrityError:
            # The unique index caught a second mark that slipped past the read above (it
            # cannot while the cohort lock works; the index keeps the promise regardless).
            raise Conflict(
                _(
                    "%(name)s was marked by someone else at the same moment; reload the page "
                    "and check the mark."
                )
                % {"name": enrollment.participant.full_name}
            ) from None
        log(cohort.center_id, "attendance.marked", actor, attendance, **facts)
        return attendance
    if existing.status == status:
        return existing
    previous, previous_source = existing.status, existing.source
    existing.status = status
    existing.source = Source.STAFF
    existing.recorded_by = acting_user(actor)
    existing.recorded_at = now
    existing.save(update_fields=["status", "source", "recorded_by", "recorded_at"])
    log(
        cohort.center_id,
        "attendance.corrected",
        actor,
        existing,
        **facts,
        **{"from": previous, "to": status, "previous_source": previous_source},
    )
    return existing


def _begin_marking(actor: Actor, session: Session) -> tuple[Cohort, Session]:
    cohort, session = lock_session(session.pk)
    refusal = marking_refusal(actor, session)
    if refusal is not None:
        raise refusal
    ensure_writable(cohort.center)
    return cohort, session


@transaction.atomic
def mark_attendance(
    *, actor: Actor, session: Session, marks: Mapping[int, str]
) -> list[Attendance]:
    """Mark attendance at ``session``: ``marks`` maps enrollment ids to present, late,
    excused or absent.

    The session's instructor may, from its start until 48 hours after its end; whoever may
    correct records at the center may, at any time. Only people enrolled in (or who have
    completed) the session's cohort can be marked; any other, or an unknown mark, is
    refused before anything changes. Returns the marks, in the order of enrollment ids.
    """
    cohort, session = _begin_marking(actor, session)
    cleaned = _clean_marks(cohort, marks)
    existing = {
        attendance.enrollment_id: attendance
        for attendance in Attendance.objects.filter(
            session=session, enrollment_id__in=[enrollment.pk for enrollment, _s in cleaned]
        )
    }
    now = timezone.now()
    return [
        _write_mark(
            cohort, session, enrollment, status, existing.get(enrollment.pk), actor=actor, now=now
        )
        for enrollment, status in cleaned
    ]


@transaction.atomic
def mark_all_present(*, actor: Actor, session: Session) -> int:
    """Mark everyone taking part who has no mark at ``session`` yet as present; marks
    already made stay. Returns how many were marked. The same permissions as
    :func:`mark_attendance`."""
    cohort, session = _begin_marking(actor, session)
    marked = Attendance.objects.filter(session=session).values("enrollment_id")
    unmarked = list(
        Enrollment.objects.filter(cohort=cohort, status__in=TAKING_PART)
        .exclude(pk__in=marked)
        .order_by("pk")
    )
    now = timezone.now()
    for enrollment in unmarked:
        _write_mark(cohort, session, enrollment, Mark.PRESENT, None, actor=actor, now=now)
    return len(unmarked)


# --- checking in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """What a check-in did: ``already_marked`` when the person had a mark already (from an
    earlier check-in or from staff), which it left as it was."""

    attendance: Attendance
    already_marked: bool

    @property
    def message(self) -> str:
        label = self.attendance.get_status_display().lower()
        if not self.already_marked:
            if self.attendance.status == Mark.LATE:
                return _("You are checked in, marked late.")
            return _("You are checked in. Welcome!")
        if self.attendance.source == Source.CHECK_IN:
            return _("You had already checked in (%(mark)s); nothing changed.") % {"mark": label}
        return _(
            "Your attendance is already recorded by the staff as %(mark)s; nothing changed."
        ) % {"mark": label}


@transaction.atomic
def check_in(
    *,
    actor: Actor,
    participant: Participant,
    session: Session,
    code: str,
    now: datetime.datetime | None = None,
) -> CheckIn:
    """The participant checks in to ``session`` with the code the instructor shows.

    Open from 30 minutes before the start to the end of the session; after the first ten
    minutes the mark is ``late``. A second check-in changes nothing, and a mark made by
    staff is never replaced. Only someone enrolled in the session's cohort can check in.
    Only the participant themself checks in (by their link or their account), audited as
    them."""
    if not (isinstance(actor, ParticipantActor) and actor.participant_id == participant.pk):
        raise PermissionDenied(_("Only the participant can check themself in."))
    now = now or timezone.now()
    if session_id_from_code(code, now=now) != session.pk:
        raise CodeInvalid(
            _(
                "This check-in code is for another session. Scan the code on the "
                "instructor's screen again."
            )
        )
    cohort, session = lock_session(session.pk)
    ensure_writable(cohort.center)
    enrollment = (
        Enrollment.objects.filter(
            cohort=cohort, participant_id=participant.pk, status__in=TAKING_PART
        )
        .select_related("participant")
        .first()
    )
    if enrollment is None:
        raise NotTakingPart(
            _("%(name)s is not enrolled in %(program)s (%(code)s), so cannot check in to it.")
            % {"name": participant.full_name, "program": cohort.program.name, "code": cohort.code}
        )
    center = cohort.center
    if now < session.starts_at - CHECK_IN_OPENS:
        raise CheckInClosed(
            _("Check-in opens 30 minutes before the session starts, at %(time)s.")
            % {"time": local_time(session.starts_at - CHECK_IN_OPENS, center)}
        )
    if now > session.ends_at:
        raise CheckInClosed(
            _("This session is over, so check-in has closed; ask the instructor to mark you.")
        )
    existing = Attendance.objects.filter(session=session, enrollment=enrollment).first()
    if existing is not None:
        return CheckIn(attendance=existing, already_marked=True)
    status = Mark.LATE if now > session.starts_at + LATE_AFTER else Mark.PRESENT
    attendance = Attendance(
        session=session,
        enrollment=enrollment,
        status=status,
        source=Source.CHECK_IN,
        recorded_by=None,
        recorded_at=now,
    )
    try:
        with transaction.atomic():
            attendance.save(force_insert=True)
    except IntegrityError:
        raise Conflict(_("You were marked at the same moment; reload the page.")) from None
    log(
        center.pk,
        "attendance.checked_in",
        actor,
        attendance,
        session=session.pk,
        enrollment=enrollment.pk,
        participant=enrollment.participant_id,
        participant_name=enrollment.participant.full_name,
        status=status,
    )
    return CheckIn(attendance=attendance, already_marked=False)

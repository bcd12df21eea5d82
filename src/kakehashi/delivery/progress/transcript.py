"""A participant's transcript: every session of their cohort with what they did, the
hours, and the result, in the active language. The credentials app prints it."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Session
from kakehashi.delivery.models import ATTENDED, AssessmentResult, Attendance, Mark
from kakehashi.delivery.progress.rule import result_text, rule_for_program_id

HOUR = Decimal(3600)


def session_hours(session: Session) -> Decimal:
    """A session's length in hours, to the hundredth: 1.5 for ninety minutes."""
    seconds = Decimal(int((session.ends_at - session.starts_at).total_seconds()))
    return (seconds / HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def attendance_label(mark: str | None, *, over: bool) -> str:
    if mark is not None:
        return str(Mark(mark).label)
    return _("Not marked") if over else _("To come")


@dataclass(frozen=True)
class TranscriptLine:
    """One session of the cohort on a transcript."""

    day: datetime.date  # in the center's time zone
    title: str  # the session's title, or the program's name when it has none
    hours: Decimal
    attendance: str  # translated: "Present", "Late", "Excused", "Absent", "Not marked", ...


@dataclass(frozen=True)
class Transcript:
    """What a participant did in a cohort, session by session, with the texts already in
    the active language."""

    holder_name: str
    program_name: str
    center_name: str
    network_name: str
    cohort_code: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str  # translated status of the enrollment: "Completed", "Enrolled", ...
    outcome: str  # translated: "Completed on 1 October 2026", "Withdrawn on ...", ...
    lines: tuple[TranscriptLine, ...]
    hours_attended: Decimal
    hours_scheduled: Decimal
    result: str  # translated result of the final assessment, or "" without one
    language: str


def _outcome(enrollment: Enrollment, zone: datetime.tzinfo) -> str:
    on = date_format(timezone.localtime(enrollment.status_changed_at, zone).date(), "DATE_FORMAT")
    if enrollment.status == Status.COMPLETED:
        return _("Completed on %(date)s") % {"date": on}
    if enrollment.status == Status.WITHDRAWN:
        return _("Withdrawn on %(date)s") % {"date": on}
    if enrollment.status == Status.CANCELLED:
        return _("Cancelled on %(date)s") % {"date": on}
    return str(enrollment.get_status_display())


def transcript_of(enrollment: Enrollment, *, now: datetime.datetime | None = None) -> Transcript:
    """Every session of the enrollment's cohort with its date (at the center), title,
    hours and this participant's attendance, the hours attended (present or late) out of
    those scheduled, and the result; texts in the active language."""
    now = now or timezone.now()
    enrollment = Enrollment.objects.select_related(
        "participant", "cohort__program", "cohort__center__network"
    ).get(pk=enrollment.pk)
    cohort = enrollment.cohort
    zone = cohort.center.tzinfo
    marks = dict(
        Attendance.objects.filter(enrollment=enrollment).values_list("session_id", "status")
    )
    result = AssessmentResult.objects.filter(enrollment=enrollment).first()
    rule = rule_for_program_id(cohort.program_id)
    lines = []
    attended = scheduled = Decimal(0)
    for session in Session.objects.filter(cohort=cohort).order_by("starts_at", "pk"):
        hours = session_hours(session)
        mark = marks.get(session.pk)
        scheduled += hours
        if mark in ATTENDED:
            attended += hours
        lines.append(
            TranscriptLine(
                day=timezone.localtime(session.starts_at, zone).date(),
                title=session.title or cohort.program.name,
                hours=hours,
                attendance=attendance_label(mark, over=session.ends_at <= now),
            )
        )
    return Transcript(
        holder_name=enrollment.participant.full_name,
        program_name=cohort.program.name,
        center_name=cohort.center.name,
        network_name=cohort.center.network.name,
        cohort_code=cohort.code,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        status=str(enrollment.get_status_display()),
        outcome=_outcome(enrollment, zone),
        lines=tuple(lines),
        hours_attended=attended,
        hours_scheduled=scheduled,
        result=result_text(rule, result),
        language=(get_language() or settings.LANGUAGE_CODE).split("-")[0],
    )

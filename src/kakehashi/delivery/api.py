"""The delivery part of the REST API: attendance, a cohort's progress, results and
completing participants.

Reads answer in a fixed number of queries, however many participants and sessions (see
``tests/delivery/test_api.py``); writes go through ``kakehashi.delivery.services``.
"""

import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from kakehashi.admissions.api import EnrollmentOut
from kakehashi.admissions.models import Enrollment
from kakehashi.catalog.models import Cohort, Session
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.core.schemas import ERRORS, Id, InputSchema
from kakehashi.delivery import services
from kakehashi.delivery.models import TAKING_PART, AssessmentResult, Attendance, CompletionRule
from kakehashi.delivery.progress import ParticipantProgress, effective_rule, progress_of
from kakehashi.network import access

router = Router(tags=["delivery"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _decimal(value: Decimal | None) -> str | None:
    # A string, so that no client reads a score as a float.
    return None if value is None else f"{value:.2f}"


class PersonOut(Schema):
    id: int
    full_name: str
    email: str


class MarkOut(Schema):
    enrollment: int
    participant: PersonOut
    status: str | None
    source: str | None
    recorded_at: datetime.datetime | None


class SessionAttendanceOut(Schema):
    session: int
    cohort: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    marks: list[MarkOut]


class MarksIn(InputSchema):
    """Marks by enrollment id: ``{"marks": {"12": "present", "13": "late"}}``."""

    marks: dict[Id, Annotated[str, Field(max_length=32)]]


class ResultOut(Schema):
    enrollment: int
    score: str | None
    passed: bool | None
    note: str
    recorded_at: datetime.datetime | None
    recorded_by: str | None


class ResultIn(InputSchema):
    """``score`` for a scored assessment (a number or a string such as "82.5"), ``passed``
    for pass or fail."""

    score: Decimal | None = Field(None, max_digits=12)
    passed: bool | None = None
    note: str = Field("", max_length=2000)


class RuleOut(Schema):
    min_attendance_percent: int
    assessment: str
    pass_mark: str
    max_score: str


class ProgressOut(Schema):
    enrollment: int
    participant: PersonOut
    status: str
    state: str
    sessions_total: int
    sessions_held: int
    attended: int
    late: int
    excused: int
    absent: int
    unmarked: int
    share: str | None  # attended of all sessions, e.g. "0.3750" (rounded down)
    result: ResultOut | None
    reasons: list[str]


class CohortProgressOut(Schema):
    cohort: int
    rule: RuleOut
    participants: list[ProgressOut]


def _person(enrollment: Enrollment) -> PersonOut:
    person = enrollment.participant
    return PersonOut(id=person.pk, full_name=person.full_name, email=person.email)


def _result_out(result: AssessmentResult) -> ResultOut:
    return ResultOut(
        enrollment=result.enrollment_id,
        score=_decimal(result.score),
        passed=result.passed,
        note=result.note,
        recorded_at=result.recorded_at,
        recorded_by=result.recorded_by.get_username() if result.recorded_by else None,
    )


def _rule_out(rule: CompletionRule) -> RuleOut:
    return RuleOut(
        min_attendance_percent=rule.min_attendance_percent,
        assessment=rule.assessment,
        pass_mark=_decimal(rule.pass_mark) or "",
        max_score=_decimal(rule.max_score) or "",
    )


def _progress_out(row: ParticipantProgress) -> ProgressOut:
    share = row.share
    return ProgressOut(
        enrollment=row.enrollment.pk,
        participant=_person(row.enrollment),
        status=row.enrollment.status,
        state=row.state,
        sessions_total=row.sessions_total,
        sessions_held=row.sessions_held,
        attended=row.attended,
        late=row.late,
        excused=row.excused,
        absent=row.absent,
        unmarked=row.unmarked,
        share=None if share is None else str(share.quantize(Decimal("0.0001"), ROUND_FLOOR)),
        result=_result_out(row.result) if row.result is not None else None,
        reasons=list(row.reasons),
    )


def _visible_session(request: HttpRequest, session_id: int) -> Session:
    centers = access.centers_visible_to(_user(request), Perm.VIEW_ROSTER).values("pk")
    return get_object_or_404(
        Session.objects.filter(cohort__center__in=centers).select_related("cohort__center"),
        pk=session_id,
    )


def _attendance(session: Session) -> SessionAttendanceOut:
    marks = {
        attendance.enrollment_id: attendance
        for attendance in Attendance.objects.filter(session=session)
    }
    people = (
        Enrollment.objects.filter(cohort_id=session.cohort_id, status__in=TAKING_PART)
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    return SessionAttendanceOut(
        session=session.pk,
        cohort=session.cohort_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        marks=[
            MarkOut(
                enrollment=enrollment.pk,
                participant=_person(enrollment),
                status=marks[enrollment.pk].status if enrollment.pk in marks else None,
                source=marks[enrollment.pk].source if enrollment.pk in marks else None,
                recorded_at=marks[enrollment.pk].recorded_at if enrollment.pk in marks else None,
            )
            for enrollment in people
        ],
    )


@router.get("/sessions/{session_id}/attendance", response={200: SessionAttendanceOut, **ERRORS})
def get_attendance(request: HttpRequest, session_id: int) -> SessionAttendanceOut:
    """Everyone taking part in the session's cohort, with their mark (null: not marked)."""
    return _attendance(_visible_session(request, session_id))


@router.put("/sessions/{session_id}/attendance", response={200: SessionAttendanceOut, **ERRORS})
def put_attendance(request: HttpRequest, session_id: int, payload: MarksIn) -> SessionAttendanceOut:
    """Mark attendance: present, late, excused or absent, by enrollment id. The session's
    instructor may from its start until 48 hours after its end; registrars at any time.
    People not named keep their marks."""
    session = _visible_session(request, session_id)
    services.mark_attendance(actor=StaffActor(_user(request)), session=session, marks=payload.marks)
    return _attendance(session)


@router.get("/cohorts/{cohort_id}/progress", response={200: CohortProgressOut, **ERRORS})
def get_progress(request: HttpRequest, cohort_id: int) -> CohortProgressOut:
    """Each participant's attendance, result and standing against the program's completion
    rule (completed, eligible, on_track or at_risk), with the reasons."""
    centers = access.centers_visible_to(_user(request), Perm.VIEW_ROSTER).values("pk")
    cohort = get_object_or_404(
        Cohort.objects.filter(center__in=centers).select_related("program"), pk=cohort_id
    )
    rows = progress_of(cohort)
    rule = rows[0].rule if rows else effective_rule(cohort.program)
    return CohortProgressOut(
        cohort=cohort.pk, rule=_rule_out(rule), participants=[_progress_out(row) for row in rows]
    )


def _visible_enrollment(request: HttpRequest, enrollment_id: int) -> Enrollment:
    centers = access.centers_visible_to(_user(request), Perm.VIEW_ROSTER).values("pk")
    return get_object_or_404(
        Enrollment.objects.filter(cohort__center__in=centers).select_related("participant"),
        pk=enrollment_id,
    )


@router.put("/enrollments/{enrollment_id}/result", response={200: ResultOut, **ERRORS})
def put_result(request: HttpRequest, enrollment_id: int, payload: ResultIn) -> ResultOut:
    """Record (or correct) the result of the final assessment, of the kind the program's
    rule asks for."""
    enrollment = _visible_enrollment(request, enrollment_id)
    result = services.record_result(
        actor=StaffActor(_user(request)),
        enrollment=enrollment,
        score=payload.score,
        passed=payload.passed,
        note=payload.note,
    )
    return _result_out(result)


@router.post("/enrollments/{enrollment_id}/complete", response={200: EnrollmentOut, **ERRORS})
def complete_enrollment(request: HttpRequest, enrollment_id: int) -> Enrollment:
    """Complete a participant who meets the completion rule (``not_eligible``, with the
    reasons, otherwise); the certificate follows."""
    enrollment = _visible_enrollment(request, enrollment_id)
    completed = services.complete_enrollment(
        actor=StaffActor(_user(request)), enrollment=enrollment
    )
    completed.waitlist_position = None  # type: ignore[attr-defined]
    return completed

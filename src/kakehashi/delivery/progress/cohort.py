"""A cohort's participants against its program's completion rule, in a fixed number of
queries, however many participants and sessions."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort, Session
from kakehashi.delivery.models import (
    ATTENDED,
    TAKING_PART,
    AssessmentResult,
    Attendance,
    CompletionRule,
    Mark,
)
from kakehashi.delivery.progress.rule import (
    Standing,
    Tally,
    judge,
    percent_text,
    result_text,
    rule_for_program_id,
)


@dataclass(frozen=True)
class ParticipantProgress:
    """One participant of a cohort against the program's completion rule."""

    enrollment: Enrollment
    rule: CompletionRule
    tally: Tally
    result: AssessmentResult | None
    state: Standing
    reasons: tuple[str, ...]
    # Session id → mark, for the sessions this participant has one.
    marks: dict[int, str] = field(default_factory=dict)

    @property
    def sessions_total(self) -> int:
        return self.tally.total

    @property
    def sessions_held(self) -> int:
        return self.tally.held

    @property
    def attended(self) -> int:
        return self.tally.attended

    @property
    def late(self) -> int:
        return self.tally.late

    @property
    def excused(self) -> int:
        return self.tally.excused

    @property
    def absent(self) -> int:
        return self.tally.absent

    @property
    def unmarked(self) -> int:
        return self.tally.unmarked

    @property
    def share(self) -> Decimal | None:
        return self.tally.share

    @property
    def share_text(self) -> str:
        return percent_text(self.share) if self.share is not None else "—"

    @property
    def eligible(self) -> bool:
        return self.state == Standing.ELIGIBLE

    @property
    def completed(self) -> bool:
        return self.state == Standing.COMPLETED

    @property
    def result_text(self) -> str:
        return result_text(self.rule, self.result)


def _tally(
    sessions: list[tuple[int, datetime.datetime]], marks: dict[int, str], now: datetime.datetime
) -> Tally:
    counts: Counter[str] = Counter()
    held = unmarked = upcoming = 0
    for session_id, ends_at in sessions:
        over = ends_at <= now
        held += over
        mark = marks.get(session_id)
        if mark is not None:
            counts[mark] += 1
        elif over:
            unmarked += 1
        else:
            upcoming += 1
    return Tally(
        total=len(sessions),
        held=held,
        attended=sum(counts[mark] for mark in ATTENDED),
        late=counts[Mark.LATE],
        excused=counts[Mark.EXCUSED],
        absent=counts[Mark.ABSENT],
        unmarked=unmarked,
        upcoming=upcoming,
    )


def _progress(
    cohort: Cohort, *, now: datetime.datetime | None, only: int | None = None
) -> list[ParticipantProgress]:
    """Four queries, however many participants and sessions: the rule, the sessions, the
    participants with their results, and the marks."""
    now = now or timezone.now()
    rule = rule_for_program_id(cohort.program_id)
    sessions = list(
        Session.objects.filter(cohort_id=cohort.pk)
        .order_by("starts_at", "pk")
        .values_list("pk", "ends_at")
    )
    enrollments = Enrollment.objects.filter(cohort_id=cohort.pk, status__in=TAKING_PART)
    marks = Attendance.objects.filter(
        session__cohort_id=cohort.pk, enrollment__status__in=TAKING_PART
    )
    if only is not None:
        enrollments = enrollments.filter(pk=only)
        marks = marks.filter(enrollment_id=only)
    by_enrollment: dict[int, dict[int, str]] = defaultdict(dict)
    for enrollment_id, session_id, status in marks.values_list(
        "enrollment_id", "session_id", "status"
    ):
        by_enrollment[enrollment_id][session_id] = status
    rows = []
    for enrollment in enrollments.select_related(
        "participant", "assessment_result__recorded_by"
    ).order_by("participant__full_name", "pk"):
        result = getattr(enrollment, "assessment_result", None)
        tally = _tally(sessions, by_enrollment[enrollment.pk], now)
        state: Standing
        reasons: tuple[str, ...] = ()
        if enrollment.status == Status.COMPLETED:
            state = Standing.COMPLETED
        else:
            verdict = judge(rule, tally, result)
            state, reasons = verdict.standing, verdict.reasons
        rows.append(
            ParticipantProgress(
                enrollment=enrollment,
                rule=rule,
                tally=tally,
                result=result,
                state=state,
                reasons=reasons,
                marks=dict(by_enrollment[enrollment.pk]),
            )
        )
    return rows


def progress_of(
    cohort: Cohort, *, now: datetime.datetime | None = None
) -> list[ParticipantProgress]:
    """Every participant taking part in ``cohort`` (enrolled or completed), by name, with
    their attendance, result and standing, in a fixed number of queries."""
    return _progress(cohort, now=now)


def progress_of_enrollment(
    enrollment: Enrollment, *, now: datetime.datetime | None = None
) -> ParticipantProgress | None:
    """One participant's progress, judged exactly as :func:`progress_of` judges them; None
    when the enrollment is not taking part (neither enrolled nor completed)."""
    rows = _progress(enrollment.cohort, now=now, only=enrollment.pk)
    return rows[0] if rows else None

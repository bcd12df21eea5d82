"""Where each participant stands: the counts, the standing, the reasons a registrar reads,
the transcript, and the rule itself as a property over random marks and results."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.delivery import services
from kakehashi.delivery.models import Assessment, AssessmentResult, CompletionRule, Mark
from kakehashi.delivery.progress import (
    Standing,
    Tally,
    judge,
    progress_of,
    progress_of_enrollment,
    transcript_of,
)
from kakehashi.network.models import Center
from tests import factories
from tests.delivery.conftest import DAY, HOUR, Course, make_session, running_cohort, set_rule


def row_of(cohort: Cohort, enrollment: Enrollment):  # type: ignore[no-untyped-def]
    [row] = [row for row in progress_of(cohort) if row.enrollment.pk == enrollment.pk]
    return row


@pytest.fixture
def eight(center: Center, registrar: User) -> tuple[Cohort, list, Enrollment]:  # type: ignore[type-arg]
    """A cohort of eight sessions, six of them over, and one participant."""
    cohort = running_cohort(center)
    now = timezone.now()
    sessions = [make_session(cohort, now - (6 - n) * DAY) for n in range(6)]
    sessions += [make_session(cohort, now + n * DAY) for n in (1, 2)]
    person = factories.apply(cohort, "pavel")
    return cohort, sessions, person


def mark(registrar: User, sessions: list, person: Enrollment, *statuses: str) -> None:  # type: ignore[type-arg]
    for session, status in zip(sessions, statuses, strict=False):
        services.mark_attendance(
            actor=StaffActor(registrar), session=session, marks={person.pk: status}
        )


def test_a_share_out_of_reach_puts_the_participant_at_risk_and_says_why(
    eight: tuple,
    registrar: User,  # type: ignore[type-arg]
) -> None:
    cohort, sessions, person = eight
    mark(registrar, sessions, person, "present", "late", "present", "absent", "excused", "absent")

    row = row_of(cohort, person)

    assert (row.sessions_total, row.sessions_held, row.attended, row.late) == (8, 6, 3, 1)
    assert (row.excused, row.absent, row.unmarked) == (1, 2, 0)
    assert row.share == Decimal(3) / Decimal(8)
    assert row.state == Standing.AT_RISK
    assert row.reasons == (
        "Attended 3 of 8 sessions (37%); the program asks for 80%, and 2 sessions remain, "
        "so it can no longer be reached.",
    )


def test_a_participant_who_can_still_make_it_is_on_track(eight: tuple, registrar: User) -> None:  # type: ignore[type-arg]
    cohort, sessions, person = eight
    set_rule(cohort.program, percent=50)
    mark(registrar, sessions, person, "present", "present", "absent", "present")

    row = row_of(cohort, person)

    assert row.state == Standing.ON_TRACK
    assert row.reasons == (
        "Attended 3 of 8 sessions so far (37%); the program asks for 50%: 1 more of the 4 "
        "remaining sessions.",
        "2 past sessions have no attendance mark yet.",
    )


def test_having_to_attend_every_remaining_session_is_a_risk(eight: tuple, registrar: User) -> None:  # type: ignore[type-arg]
    cohort, sessions, person = eight
    set_rule(cohort.program, percent=75)  # 6 of 8
    mark(
        registrar, sessions, person, "present", "present", "present", "present", "absent", "absent"
    )

    row = row_of(cohort, person)

    assert row.state == Standing.AT_RISK
    assert "all 2 remaining sessions must be attended" in row.reasons[0]


def test_the_assessment_reasons_name_what_is_missing_or_failed(
    eight: tuple,
    registrar: User,  # type: ignore[type-arg]
) -> None:
    cohort, sessions, person = eight
    set_rule(cohort.program, percent=50, assessment=Assessment.SCORE)
    mark(registrar, sessions, person, *["present"] * 6)
    assert row_of(cohort, person).reasons == ("No result recorded for the final assessment.",)
    assert row_of(cohort, person).state == Standing.ON_TRACK  # two sessions still to come

    services.record_result(actor=StaffActor(registrar), enrollment=person, score=45)
    row = row_of(cohort, person)
    assert row.reasons == ("Score 45 is below the pass mark of 60.",)
    assert row.state == Standing.AT_RISK
    assert row.result_text == "Score 45 of 100: not passed"

    services.record_result(actor=StaffActor(registrar), enrollment=person, score="60")
    row = row_of(cohort, person)
    assert (row.state, row.reasons, row.result_text) == (
        Standing.ELIGIBLE,
        (),
        "Score 60 of 100: passed",
    )


def test_when_every_session_is_over_anything_missing_is_a_risk(
    course: Course, registrar: User
) -> None:
    set_rule(course.cohort.program, percent=25, assessment=Assessment.PASS_FAIL)
    anna = course.people[0]
    services.mark_attendance(
        actor=StaffActor(registrar), session=course.sessions[0], marks={anna.pk: "present"}
    )
    after_the_end = course.sessions[3].ends_at + HOUR

    [row] = [r for r in progress_of(course.cohort, now=after_the_end) if r.enrollment == anna]

    assert (row.sessions_held, row.unmarked) == (4, 3)
    assert row.state == Standing.AT_RISK
    assert row.reasons == (
        "3 past sessions have no attendance mark yet.",
        "No result recorded for the final assessment.",
    )


def test_the_reasons_speak_the_active_language(eight: tuple, registrar: User) -> None:  # type: ignore[type-arg]
    cohort, sessions, person = eight
    mark(registrar, sessions, person, "present")
    with translation.override("ru"):
        reason = row_of(cohort, person).reasons[0]
    # Russian numbers put a space before the percent sign; the words come with the catalogs.
    assert "12\xa0%" in reason


def test_completed_participants_are_listed_as_completed_and_others_are_left_out(
    course: Course, registrar: User
) -> None:
    anna, boris, vera = course.people
    Enrollment.objects.filter(pk=anna.pk).update(status=Status.COMPLETED)
    Enrollment.objects.filter(pk=vera.pk).update(status=Status.WITHDRAWN)

    rows = progress_of(course.cohort)

    assert [(row.enrollment.pk, row.state) for row in rows] == [
        (anna.pk, Standing.COMPLETED),
        (boris.pk, Standing.AT_RISK),  # 80 % of 4 sessions: all four must be attended
    ]
    assert progress_of_enrollment(vera) is None


def test_progress_of_a_cohort_takes_four_queries_however_many_people_and_sessions(
    center: Center, registrar: User
) -> None:
    cohort = running_cohort(center, capacity=40)
    set_rule(cohort.program, percent=50, assessment=Assessment.SCORE)
    first = make_session(cohort, timezone.now() - DAY)
    person = factories.apply(cohort, "first")
    services.mark_attendance(
        actor=StaffActor(registrar), session=first, marks={person.pk: "present"}
    )
    cohort = Cohort.objects.get(pk=cohort.pk)

    with CaptureQueriesContext(connection) as few:
        assert len(progress_of(cohort)) == 1

    sessions = [make_session(cohort, timezone.now() - n * HOUR * 3) for n in range(1, 10)]
    people = [factories.apply(cohort, f"many{n}") for n in range(25)]
    for session in sessions:
        services.mark_all_present(actor=StaffActor(registrar), session=session)
    for n, enrollment in enumerate(people):
        services.record_result(actor=StaffActor(registrar), enrollment=enrollment, score=n)
    cohort = Cohort.objects.get(pk=cohort.pk)

    with CaptureQueriesContext(connection) as many:
        rows = progress_of(cohort)
    assert len(rows) == 26
    assert {row.result is not None for row in rows[1:]} == {True}
    assert len(few.captured_queries) == len(many.captured_queries) == 4


# --- the transcript ------------------------------------------------------------------------------


def test_a_transcript_lists_every_session_in_the_centers_time_and_counts_hours(
    course: Course, registrar: User
) -> None:
    anna = course.people[0]
    set_rule(course.cohort.program, assessment=Assessment.SCORE)
    services.mark_attendance(
        actor=StaffActor(registrar), session=course.sessions[0], marks={anna.pk: "present"}
    )
    services.mark_attendance(
        actor=StaffActor(registrar), session=course.sessions[1], marks={anna.pk: "excused"}
    )
    services.mark_attendance(
        actor=StaffActor(registrar), session=course.sessions[2], marks={anna.pk: "late"}
    )
    services.record_result(actor=StaffActor(registrar), enrollment=anna, score="72.5")

    with translation.override("en"):
        transcript = transcript_of(anna)

    zone = course.center.tzinfo
    assert [line.day for line in transcript.lines] == [
        timezone.localtime(session.starts_at, zone).date() for session in course.sessions
    ]
    assert [line.attendance for line in transcript.lines] == [
        "Present",
        "Excused",
        "Late",
        "To come",
    ]
    assert [line.title for line in transcript.lines] == [f"Session {n}" for n in range(1, 5)]
    assert {line.hours for line in transcript.lines} == {Decimal("2.00")}
    assert (transcript.hours_attended, transcript.hours_scheduled) == (Decimal(4), Decimal(8))
    assert transcript.result == "Score 72.5 of 100: passed"
    assert transcript.holder_name == "Person anna (generated)"
    assert transcript.outcome == "Enrolled"

    with translation.override("ru"):
        assert "72,5" in transcript_of(anna).result


def test_a_session_of_ninety_minutes_is_one_and_a_half_hours(center: Center) -> None:
    cohort = running_cohort(center)
    make_session(cohort, timezone.now() - DAY, length=datetime.timedelta(minutes=90))
    person = factories.apply(cohort, "short")
    [line] = transcript_of(person).lines
    assert (line.hours, line.attendance, line.title) == (
        Decimal("1.50"),
        "Not marked",
        cohort.program.name,
    )


# --- the rule is one rule ------------------------------------------------------------------------

marks = st.sampled_from([Mark.PRESENT, Mark.LATE, Mark.EXCUSED, Mark.ABSENT, None])
kinds = st.sampled_from([Assessment.NONE, Assessment.SCORE, Assessment.PASS_FAIL])


@st.composite
def situations(draw: st.DrawFn) -> tuple[CompletionRule, Tally, AssessmentResult | None]:
    kind = draw(kinds)
    max_score = Decimal(draw(st.integers(1, 10_000))) / 100
    rule = CompletionRule(
        min_attendance_percent=draw(st.integers(0, 100)),
        assessment=kind,
        max_score=max_score,
        pass_mark=Decimal(draw(st.integers(0, int(max_score * 100)))) / 100,
    )
    sessions = draw(st.lists(st.tuples(marks, st.booleans()), min_size=1, max_size=30))
    tally = Tally(
        total=len(sessions),
        held=sum(over for _mark, over in sessions),
        attended=sum(mark in (Mark.PRESENT, Mark.LATE) for mark, _over in sessions),
        late=sum(mark == Mark.LATE for mark, _over in sessions),
        excused=sum(mark == Mark.EXCUSED for mark, _over in sessions),
        absent=sum(mark == Mark.ABSENT for mark, _over in sessions),
        unmarked=sum(mark is None and over for mark, over in sessions),
        upcoming=sum(mark is None and not over for mark, over in sessions),
    )
    result = draw(
        st.one_of(
            st.none(),
            st.builds(
                AssessmentResult,
                score=st.integers(0, int(max_score * 100)).map(lambda n: Decimal(n) / 100),
            ),
            st.builds(AssessmentResult, passed=st.booleans()),
        )
    )
    return rule, tally, result


def passed_by_hand(rule: CompletionRule, result: AssessmentResult | None) -> bool:
    if rule.assessment == Assessment.NONE:
        return True
    if rule.assessment == Assessment.SCORE:
        return result is not None and result.score is not None and result.score >= rule.pass_mark
    return result is not None and result.passed is True


@given(situations())
def test_eligible_exactly_when_the_share_reaches_the_rule_and_the_assessment_is_passed(
    situation: tuple[CompletionRule, Tally, AssessmentResult | None],
) -> None:
    rule, tally, result = situation
    share = Fraction(tally.attended, tally.total)

    verdict = judge(rule, tally, result)

    expected = share >= Fraction(rule.min_attendance_percent, 100) and passed_by_hand(rule, result)
    assert verdict.eligible == expected
    assert (verdict.standing == Standing.ELIGIBLE) == expected
    assert bool(verdict.reasons) != expected  # reasons exactly when not eligible
    if tally.upcoming == 0 and not expected:
        assert verdict.standing == Standing.AT_RISK


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    percent=st.integers(0, 100),
    kind=kinds,
    statuses=st.lists(marks, min_size=4, max_size=4),
    outcome=st.one_of(st.none(), st.integers(0, 100), st.booleans()),
)
def test_the_page_and_the_completion_service_never_disagree(
    course: Course,
    registrar: User,
    percent: int,
    kind: str,
    statuses: list[str | None],
    outcome: int | bool | None,
) -> None:
    anna = course.people[0]
    with transaction.atomic():
        set_rule(course.cohort.program, percent=percent, assessment=kind)
        for session, status in zip(course.sessions, statuses, strict=True):
            if status is not None:
                services.mark_attendance(
                    actor=StaffActor(registrar), session=session, marks={anna.pk: status}
                )
        if kind == Assessment.SCORE and isinstance(outcome, int) and not isinstance(outcome, bool):
            services.record_result(actor=StaffActor(registrar), enrollment=anna, score=outcome)
        elif kind == Assessment.PASS_FAIL and isinstance(outcome, bool):
            services.record_result(actor=StaffActor(registrar), enrollment=anna, passed=outcome)

        shown = row_of(Cohort.objects.get(pk=course.cohort.pk), anna)
        attended = sum(status in (Mark.PRESENT, Mark.LATE) for status in statuses)
        result = AssessmentResult.objects.filter(enrollment=anna).first()
        rule = CompletionRule.objects.get(program=course.cohort.program)
        assert shown.eligible == (
            Fraction(attended, 4) >= Fraction(percent, 100) and passed_by_hand(rule, result)
        )
        try:
            services.complete_enrollment(actor=StaffActor(registrar), enrollment=anna)
        except services.NotEligible as refusal:
            assert not shown.eligible
            assert all(reason in refusal.message for reason in shown.reasons)
        else:
            assert shown.eligible
        transaction.set_rollback(True)

"""The delivery services: who may mark, when, and what each change leaves in the record."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from kakehashi.admissions import notifications
from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Status
from kakehashi.admissions.services import participant_actor
from kakehashi.admissions.signals import enrollment_completed
from kakehashi.catalog.models import Session
from kakehashi.core.actors import Actor, StaffActor
from kakehashi.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from kakehashi.core.models import User
from kakehashi.delivery import codes, services
from kakehashi.delivery.models import (
    Assessment,
    AssessmentResult,
    Attendance,
    CompletionRule,
    Mark,
    Source,
)
from kakehashi.delivery.progress import effective_rule
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Network
from tests import factories
from tests.delivery.conftest import DAY, HOUR, Course, events, make_session, set_rule
from tests.factories import SYSTEM, by_link


def marks_of(course: Course, session_index: int) -> dict[str, str]:
    rows = Attendance.objects.filter(session=course.sessions[session_index]).select_related(
        "enrollment__participant"
    )
    return {row.enrollment.participant.email.split("@")[0]: row.status for row in rows}


def everyone(course: Course, status: str) -> dict[int, str]:
    return {person.pk: status for person in course.people}


# --- completion rules ----------------------------------------------------------------------------


def test_a_program_without_a_rule_of_its_own_asks_for_80_percent_and_no_assessment(
    course: Course,
) -> None:
    rule = effective_rule(course.cohort.program)
    assert rule.pk is None
    assert (rule.min_attendance_percent, rule.assessment) == (80, Assessment.NONE)
    assert (rule.pass_mark, rule.max_score) == (Decimal(60), Decimal(100))


def test_the_office_sets_a_rule_and_it_is_audited_on_the_networks_chain(
    office: User, course: Course
) -> None:
    program = course.cohort.program
    rule = services.set_completion_rule(
        actor=StaffActor(office),
        program=program,
        min_attendance_percent=75,
        assessment=Assessment.SCORE,
        pass_mark="55.5",
        max_score=Decimal(80),
    )
    assert effective_rule(program).pk == rule.pk
    assert (rule.min_attendance_percent, rule.pass_mark, rule.max_score) == (
        75,
        Decimal("55.50"),
        Decimal("80.00"),
    )
    [event] = events("delivery.completion_rule.set")
    assert event.actor == office
    assert event.chain.key == f"network:{program.network_id}"
    assert event.data["before"] is None
    assert event.data["after"]["pass_mark"] == "55.50"

    # The same rule again changes nothing and writes nothing.
    services.set_completion_rule(
        actor=StaffActor(office),
        program=program,
        min_attendance_percent=75,
        assessment=Assessment.SCORE,
    )
    assert len(events("delivery.completion_rule.set")) == 1


@pytest.mark.parametrize("persona", ["registrar", "instructor", "viewer", "outsider"])
def test_only_the_network_office_sets_completion_rules(
    request: pytest.FixtureRequest, persona: str, course: Course
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.set_completion_rule(
            actor=StaffActor(user),
            program=course.cohort.program,
            min_attendance_percent=50,
            assessment="none",
        )
    assert not CompletionRule.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        ({"pass_mark": "90", "max_score": "80"}, "pass_mark", "cannot be higher than the highest"),
        ({"min_attendance_percent": 101}, "min_attendance_percent", "from 0 to 100"),
        ({"min_attendance_percent": "most"}, "min_attendance_percent", "whole number"),
        ({"assessment": "essay"}, "assessment", "Pass or fail (pass_fail)"),
        ({"pass_mark": "55.555"}, "pass_mark", "more than two decimal places"),
        ({"max_score": "0"}, "max_score", "more than 0"),
        ({"max_score": "NaN"}, "max_score", "from more than 0"),
        ({"pass_mark": "-1"}, "pass_mark", "from 0"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field_and_nothing_changes(
    office: User, course: Course, values: dict[str, Any], field: str, says: str
) -> None:
    arguments: dict[str, Any] = {"min_attendance_percent": 80, "assessment": "score"} | values
    with pytest.raises(InvalidInput) as error:
        services.set_completion_rule(
            actor=StaffActor(office), program=course.cohort.program, **arguments
        )
    assert field in error.value.fields
    assert says in error.value.message + error.value.fields[field]
    assert not CompletionRule.objects.exists()
    assert events("delivery.completion_rule.set") == []


def test_the_database_refuses_a_pass_mark_above_the_highest_score(course: Course) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CompletionRule.objects.create(
            program=course.cohort.program, pass_mark=Decimal(101), max_score=Decimal(100)
        )


# --- marking attendance --------------------------------------------------------------------------


def test_the_instructor_marks_the_session_on_now_and_each_mark_is_audited(course: Course) -> None:
    anna, boris, vera = course.people
    marks = {anna.pk: "present", boris.pk: "late", vera.pk: "excused"}

    rows = services.mark_attendance(
        actor=StaffActor(course.instructor), session=course.now_on, marks=marks
    )

    assert [row.status for row in rows] == ["present", "late", "excused"]
    assert marks_of(course, 2) == {
        "personanna": "present",
        "personboris": "late",
        "personvera": "excused",
    }
    assert {row.source for row in rows} == {Source.STAFF}
    assert {row.recorded_by_id for row in rows} == {course.instructor.pk}
    marked = events("delivery.attendance.marked")
    assert [event.data["status"] for event in marked] == ["present", "late", "excused"]
    assert {event.actor_id for event in marked} == {course.instructor.pk}
    assert {event.chain.key for event in marked} == {f"center:{course.center.pk}"}


def test_changing_a_mark_is_audited_as_a_correction_from_old_to_new(course: Course) -> None:
    anna = course.people[0]
    services.mark_attendance(
        actor=StaffActor(course.instructor), session=course.now_on, marks={anna.pk: "absent"}
    )
    services.mark_attendance(
        actor=StaffActor(course.instructor), session=course.now_on, marks={anna.pk: "late"}
    )
    # The same mark again is no change.
    services.mark_attendance(
        actor=StaffActor(course.instructor), session=course.now_on, marks={anna.pk: "late"}
    )

    assert Attendance.objects.get(enrollment=anna).status == "late"
    assert len(events("delivery.attendance.marked")) == 1
    [correction] = events("delivery.attendance.corrected")
    assert (correction.data["from"], correction.data["to"]) == ("absent", "late")
    assert correction.actor == course.instructor


def test_an_instructor_marks_from_the_start_until_48_hours_after_the_end(course: Course) -> None:
    anna = course.people[0]
    later = course.sessions[3]
    with (
        time_machine.travel(later.starts_at - datetime.timedelta(minutes=1), tick=False),
        pytest.raises(services.MarkingClosed, match="from the start of the session"),
    ):
        services.mark_attendance(
            actor=StaffActor(course.instructor), session=later, marks={anna.pk: "present"}
        )
    with time_machine.travel(later.starts_at, tick=False):
        services.mark_attendance(
            actor=StaffActor(course.instructor), session=later, marks={anna.pk: "present"}
        )
    with time_machine.travel(later.ends_at + 47 * HOUR, tick=False):
        services.mark_attendance(
            actor=StaffActor(course.instructor), session=later, marks={anna.pk: "late"}
        )
    with (
        time_machine.travel(later.ends_at + 48 * HOUR + datetime.timedelta(seconds=1), tick=False),
        pytest.raises(services.MarkingClosed, match="ask a registrar"),
    ):
        services.mark_attendance(
            actor=StaffActor(course.instructor), session=later, marks={anna.pk: "absent"}
        )
    assert Attendance.objects.get(session=later).status == "late"


def test_a_registrar_marks_and_corrects_any_session_of_the_center_at_any_time(
    registrar: User, office: User, course: Course
) -> None:
    anna = course.people[0]
    # Long over, and still to come: registrars and the office are not bound to the window.
    long_ago = course.sessions[0]
    with time_machine.travel(long_ago.ends_at + 30 * DAY, tick=False):
        services.mark_attendance(
            actor=StaffActor(registrar), session=long_ago, marks={anna.pk: "absent"}
        )
        services.mark_attendance(
            actor=StaffActor(office), session=long_ago, marks={anna.pk: "excused"}
        )
    services.mark_attendance(
        actor=StaffActor(registrar), session=course.sessions[3], marks={anna.pk: "excused"}
    )
    assert marks_of(course, 0) == {"personanna": "excused"}
    assert marks_of(course, 3) == {"personanna": "excused"}
    [correction] = events("delivery.attendance.corrected")
    assert correction.actor == office


@pytest.mark.parametrize(
    ("persona", "says"),
    [
        ("colleague", "Only the session's instructor"),  # teaches, but not this session
        ("far_instructor", "not allowed"),  # another center's instructor
        ("other_registrar", "not allowed"),
        ("viewer", "not allowed"),
        ("outsider", "not allowed"),
    ],
)
def test_people_who_do_not_teach_the_session_may_not_mark_it(
    request: pytest.FixtureRequest, persona: str, says: str, course: Course
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied, match=says):
        services.mark_attendance(
            actor=StaffActor(user), session=course.now_on, marks=everyone(course, "present")
        )
    with pytest.raises(PermissionDenied):
        services.mark_all_present(actor=StaffActor(user), session=course.now_on)
    assert not Attendance.objects.exists()


def test_an_unknown_mark_is_refused_listing_the_choices_and_nothing_is_marked(
    course: Course,
) -> None:
    anna, boris, _vera = course.people
    with pytest.raises(InvalidInput) as error:
        services.mark_attendance(
            actor=StaffActor(course.instructor),
            session=course.now_on,
            marks={anna.pk: "present", boris.pk: "asleep"},
        )
    assert "asleep is not an attendance mark" in error.value.message
    assert (
        "Present (present), Late (late), Excused (excused), Absent (absent)"
        in (error.value.fields[f"marks.{boris.pk}"])
    )
    assert not Attendance.objects.exists()


def test_only_people_taking_part_in_the_cohort_can_be_marked(
    course: Course, center: Center
) -> None:
    anna, boris, vera = course.people
    admissions.withdraw(actor=by_link(vera), enrollment=vera)
    elsewhere = factories.apply(factories.make_cohort(center), "elsewhere")

    with pytest.raises(InvalidInput, match=r"Person vera \(generated\) is not taking part"):
        services.mark_attendance(
            actor=StaffActor(course.instructor),
            session=course.now_on,
            marks={anna.pk: "present", vera.pk: "present"},
        )
    with pytest.raises(InvalidInput, match=f"Enrollment {elsewhere.pk} is not in this cohort"):
        services.mark_attendance(
            actor=StaffActor(course.instructor),
            session=course.now_on,
            marks={elsewhere.pk: "present"},
        )
    with pytest.raises(InvalidInput, match="is not in this cohort"):
        services.mark_attendance(
            actor=StaffActor(course.instructor), session=course.now_on, marks={999999: "late"}
        )
    assert not Attendance.objects.exists()
    # A completed participant is still marked.
    Enrollment.objects.filter(pk=boris.pk).update(status=Status.COMPLETED)
    services.mark_attendance(
        actor=StaffActor(course.instructor), session=course.now_on, marks={boris.pk: "late"}
    )
    assert marks_of(course, 2) == {"personboris": "late"}


def test_all_present_marks_only_the_unmarked_and_keeps_the_marks_made(course: Course) -> None:
    boris = course.people[1]
    services.mark_attendance(
        actor=StaffActor(course.instructor), session=course.now_on, marks={boris.pk: "late"}
    )

    assert (
        services.mark_all_present(actor=StaffActor(course.instructor), session=course.now_on) == 2
    )
    assert (
        services.mark_all_present(actor=StaffActor(course.instructor), session=course.now_on) == 0
    )
    assert marks_of(course, 2) == {
        "personanna": "present",
        "personboris": "late",
        "personvera": "present",
    }
    assert len(events("delivery.attendance.marked")) == 3


def test_a_closed_centers_attendance_can_no_longer_change(
    registrar: User, office: User, course: Course
) -> None:
    for status in ("closing", "closed"):
        network_services.change_center_status(actor=SYSTEM, center=course.center, to_status=status)
    with pytest.raises(network_services.CenterClosed):
        services.mark_attendance(
            actor=StaffActor(office), session=course.now_on, marks=everyone(course, "present")
        )
    assert not services.may_mark(office, Session.objects.get(pk=course.now_on.pk))
    assert not Attendance.objects.exists()


# --- checking in ---------------------------------------------------------------------------------


def code_for(course: Course, index: int = 2, *, at: datetime.datetime | None = None) -> str:
    return codes.check_in_code(course.sessions[index], now=at)


def test_checking_in_in_the_first_ten_minutes_is_present_and_later_is_late(course: Course) -> None:
    anna, boris, _vera = course.people
    session = course.now_on
    early = session.starts_at + datetime.timedelta(minutes=10)
    late = early + datetime.timedelta(seconds=1)

    first = services.check_in(
        actor=participant_actor(anna.participant),
        participant=anna.participant,
        session=session,
        code=code_for(course, at=early),
        now=early,
    )
    second = services.check_in(
        actor=participant_actor(boris.participant),
        participant=boris.participant,
        session=session,
        code=code_for(course, at=late),
        now=late,
    )

    assert (first.attendance.status, second.attendance.status) == ("present", "late")
    assert (first.already_marked, second.already_marked) == (False, False)
    assert second.message == "You are checked in, marked late."
    row = Attendance.objects.get(enrollment=anna)
    assert (row.source, row.recorded_by) == (Source.CHECK_IN, None)
    [event, _other] = events("delivery.attendance.checked_in")
    assert event.actor is None
    assert event.actor_label == f"participant:{anna.participant_id} (link)"
    assert event.data["participant_name"] == "Person anna (generated)"


def test_check_in_opens_half_an_hour_before_the_start_and_closes_at_the_end(course: Course) -> None:
    anna = course.people[0]
    session = course.sessions[3]
    too_early = session.starts_at - datetime.timedelta(minutes=31)
    with pytest.raises(services.CheckInClosed, match="opens 30 minutes before"):
        services.check_in(
            actor=participant_actor(anna.participant),
            participant=anna.participant,
            session=session,
            code=code_for(course, 3, at=too_early),
            now=too_early,
        )
    too_late = session.ends_at + datetime.timedelta(seconds=1)
    with pytest.raises(services.CheckInClosed, match="over"):
        services.check_in(
            actor=participant_actor(anna.participant),
            participant=anna.participant,
            session=session,
            code=code_for(course, 3, at=too_late),
            now=too_late,
        )
    just_in_time = session.starts_at - datetime.timedelta(minutes=30)
    checked = services.check_in(
        actor=participant_actor(anna.participant),
        participant=anna.participant,
        session=session,
        code=code_for(course, 3, at=just_in_time),
        now=just_in_time,
    )
    assert checked.attendance.status == Mark.PRESENT


def test_checking_in_twice_changes_nothing_and_says_so(course: Course) -> None:
    anna = course.people[0]
    first = services.check_in(
        actor=participant_actor(anna.participant),
        participant=anna.participant,
        session=course.now_on,
        code=code_for(course),
    )
    again = services.check_in(
        actor=participant_actor(anna.participant),
        participant=anna.participant,
        session=course.now_on,
        code=code_for(course),
    )

    assert again.already_marked
    assert again.attendance.pk == first.attendance.pk
    assert "already checked in" in again.message
    assert Attendance.objects.count() == 1
    assert len(events("delivery.attendance.checked_in")) == 1


def test_a_check_in_never_replaces_a_mark_made_by_staff(course: Course) -> None:
    anna = course.people[0]
    services.mark_attendance(
        actor=StaffActor(course.instructor), session=course.now_on, marks={anna.pk: "absent"}
    )

    outcome = services.check_in(
        actor=participant_actor(anna.participant),
        participant=anna.participant,
        session=course.now_on,
        code=code_for(course),
    )

    assert outcome.already_marked
    assert "already recorded by the staff as absent" in outcome.message
    row = Attendance.objects.get(enrollment=anna)
    assert (row.status, row.source) == ("absent", Source.STAFF)
    assert events("delivery.attendance.checked_in") == []


def test_someone_not_enrolled_in_the_cohort_cannot_check_in(course: Course, center: Center) -> None:
    vera = course.people[2]
    admissions.withdraw(actor=by_link(vera), enrollment=vera)
    stranger = factories.apply(factories.make_cohort(center), "stranger").participant

    for participant in (vera.participant, stranger):
        with pytest.raises(services.NotTakingPart, match="is not enrolled in"):
            services.check_in(
                actor=participant_actor(participant),
                participant=participant,
                session=course.now_on,
                code=code_for(course),
            )
    assert not Attendance.objects.exists()


def test_a_code_works_for_five_minutes_after_it_was_shown(course: Course) -> None:
    anna, boris, _vera = course.people
    shown = timezone.now()
    code = code_for(course, at=shown)
    with time_machine.travel(shown + datetime.timedelta(minutes=5), tick=False):
        services.check_in(
            actor=participant_actor(anna.participant),
            participant=anna.participant,
            session=course.now_on,
            code=code,
        )
    with (
        time_machine.travel(shown + datetime.timedelta(minutes=5, seconds=1), tick=False),
        pytest.raises(codes.CodeExpired, match="expired"),
    ):
        services.check_in(
            actor=participant_actor(boris.participant),
            participant=boris.participant,
            session=course.now_on,
            code=code,
        )
    assert Attendance.objects.count() == 1


def test_forged_or_borrowed_codes_are_refused(course: Course) -> None:
    anna = course.people[0]
    genuine = code_for(course)
    payload, signature = genuine.split(":")
    other_payload = signing.Signer(salt="x").sign_object([course.now_on.pk, 2_000_000_000])
    forged = [
        f"{payload}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",  # signature changed
        f"{other_payload.split(':')[0]}:{signature}",  # payload changed
        other_payload,  # signed with another salt
        notifications.participant_token(anna.participant),  # another kind of signed link
        "not-a-code",
        "",
    ]
    for code in forged:
        with pytest.raises(codes.CodeInvalid):
            services.check_in(
                actor=participant_actor(anna.participant),
                participant=anna.participant,
                session=course.now_on,
                code=code,
            )
    # A genuine code of another session does not open this one.
    with pytest.raises(codes.CodeInvalid, match="another session"):
        services.check_in(
            actor=participant_actor(anna.participant),
            participant=anna.participant,
            session=course.now_on,
            code=code_for(course, 3),
        )
    assert not Attendance.objects.exists()


# --- results -------------------------------------------------------------------------------------


def test_the_instructor_records_a_score_and_a_correction_is_audited(course: Course) -> None:
    set_rule(course.cohort.program, assessment=Assessment.SCORE)
    anna = course.people[0]

    services.record_result(
        actor=StaffActor(course.instructor), enrollment=anna, score="75.5", note="Kaizen plan"
    )
    services.record_result(actor=StaffActor(course.instructor), enrollment=anna, score=Decimal(45))
    services.record_result(
        actor=StaffActor(course.instructor), enrollment=anna, score="45.00"
    )  # no change

    result = AssessmentResult.objects.get(enrollment=anna)
    assert (result.score, result.passed, result.note) == (Decimal(45), None, "")
    [recorded] = events("delivery.result.recorded")
    [corrected] = events("delivery.result.corrected")
    assert recorded.data["after"]["score"] == "75.50"
    assert (corrected.data["before"]["score"], corrected.data["after"]["score"]) == (
        "75.50",
        "45.00",
    )


@pytest.mark.parametrize(
    ("score", "says"),
    [
        ("100.01", "from 0 to 100"),
        ("-1", "from 0 to 100"),
        ("45.555", "more than two decimal places"),
        ("many", "must be a number"),
        ("Infinity", "from 0 to 100"),
        (None, "required"),
        ("", "required"),
    ],
)
def test_a_score_outside_the_rule_is_refused_and_nothing_is_recorded(
    course: Course, score: Any, says: str
) -> None:
    set_rule(course.cohort.program, assessment=Assessment.SCORE)
    with pytest.raises(InvalidInput, match=says) as error:
        services.record_result(
            actor=StaffActor(course.instructor), enrollment=course.people[0], score=score
        )
    assert "score" in error.value.fields
    assert not AssessmentResult.objects.exists()


def test_the_kind_of_result_must_be_the_one_the_rule_asks_for(course: Course) -> None:
    anna = course.people[0]
    program = course.cohort.program
    with pytest.raises(InvalidInput, match="no final assessment"):
        services.record_result(actor=StaffActor(course.instructor), enrollment=anna, score=50)
    set_rule(program, assessment=Assessment.SCORE)
    with pytest.raises(InvalidInput, match="give a score, not pass or fail") as error:
        services.record_result(actor=StaffActor(course.instructor), enrollment=anna, passed=True)
    assert "passed" in error.value.fields
    set_rule(program, assessment=Assessment.PASS_FAIL)
    with pytest.raises(InvalidInput, match="takes no score"):
        services.record_result(actor=StaffActor(course.instructor), enrollment=anna, score=50)
    with pytest.raises(InvalidInput, match="Say whether"):
        services.record_result(actor=StaffActor(course.instructor), enrollment=anna)
    assert not AssessmentResult.objects.exists()

    result = services.record_result(
        actor=StaffActor(course.instructor), enrollment=anna, passed=False
    )
    assert (result.score, result.passed) == (None, False)


@pytest.mark.parametrize(
    ("persona", "may"),
    [
        ("instructor", True),
        ("registrar", True),
        ("office", True),
        ("colleague", False),  # teaches at the center, not in this cohort
        ("far_instructor", False),
        ("other_registrar", False),
        ("viewer", False),
    ],
)
def test_results_are_recorded_by_the_cohorts_instructors_and_the_registrars(
    request: pytest.FixtureRequest, persona: str, may: bool, course: Course
) -> None:
    set_rule(course.cohort.program, assessment=Assessment.PASS_FAIL)
    user = request.getfixturevalue(persona)
    if may:
        services.record_result(actor=StaffActor(user), enrollment=course.people[0], passed=True)
        assert AssessmentResult.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.record_result(actor=StaffActor(user), enrollment=course.people[0], passed=True)
        assert not AssessmentResult.objects.exists()


def test_an_instructor_of_one_session_of_the_cohort_records_results(
    course: Course, colleague: User
) -> None:
    set_rule(course.cohort.program, assessment=Assessment.PASS_FAIL)
    make_session(course.cohort, timezone.now() + 5 * DAY, instructor=colleague)
    services.record_result(actor=StaffActor(colleague), enrollment=course.people[0], passed=True)
    assert AssessmentResult.objects.get().recorded_by == colleague


# --- completing ----------------------------------------------------------------------------------


@pytest.fixture
def completions() -> Any:
    received: list[tuple[int, Actor]] = []

    def receiver(sender: Any, enrollment: Enrollment, actor: Actor, **kwargs: Any) -> None:
        received.append((enrollment.pk, actor))

    enrollment_completed.connect(receiver, weak=False)
    yield received
    enrollment_completed.disconnect(receiver)


def attend_everything(course: Course, registrar: User, *people: Enrollment) -> None:
    for session in course.sessions:
        services.mark_attendance(
            actor=StaffActor(registrar),
            session=session,
            marks={person.pk: "present" for person in people},
        )


def test_completing_an_eligible_participant_completes_the_enrollment_and_says_so(
    registrar: User, course: Course, completions: list[Any]
) -> None:
    set_rule(course.cohort.program, assessment=Assessment.SCORE)
    anna = course.people[0]
    attend_everything(course, registrar, anna)
    services.record_result(actor=StaffActor(registrar), enrollment=anna, score=60)

    completed = services.complete_enrollment(actor=StaffActor(registrar), enrollment=anna)

    assert completed.status == Status.COMPLETED
    assert completions == [(anna.pk, StaffActor(registrar))]
    [verified] = events("delivery.completion.verified")
    assert (verified.data["attended"], verified.data["sessions"]) == (4, 4)
    assert len(events("admissions.enrollment.completed")) == 1


def test_completing_someone_who_does_not_meet_the_rule_is_refused_with_the_reasons(
    registrar: User, course: Course, completions: list[Any]
) -> None:
    set_rule(course.cohort.program, percent=50, assessment=Assessment.SCORE)
    anna = course.people[0]
    services.mark_attendance(
        actor=StaffActor(registrar), session=course.sessions[0], marks={anna.pk: "present"}
    )
    services.record_result(actor=StaffActor(registrar), enrollment=anna, score=45)

    with pytest.raises(services.NotEligible) as error:
        services.complete_enrollment(actor=StaffActor(registrar), enrollment=anna)

    assert isinstance(error.value, InvalidTransition)
    assert "Person anna (generated) cannot complete yet." in error.value.message
    assert "Attended 1 of 4 sessions so far (25%)" in error.value.message
    assert "Score 45 is below the pass mark of 60." in error.value.message
    anna.refresh_from_db()
    assert anna.status == Status.ENROLLED
    assert completions == []
    assert events("delivery.completion.verified") == []


@pytest.mark.parametrize("persona", ["instructor", "viewer", "other_registrar"])
def test_only_people_who_certify_at_the_center_complete_participants(
    request: pytest.FixtureRequest, persona: str, registrar: User, course: Course
) -> None:
    anna = course.people[0]
    attend_everything(course, registrar, anna)
    with pytest.raises(PermissionDenied):
        services.complete_enrollment(
            actor=StaffActor(request.getfixturevalue(persona)), enrollment=anna
        )
    anna.refresh_from_db()
    assert anna.status == Status.ENROLLED


def test_a_completed_participant_is_not_completed_again_and_their_result_stays(
    registrar: User, course: Course
) -> None:
    set_rule(course.cohort.program, assessment=Assessment.PASS_FAIL)
    anna = course.people[0]
    attend_everything(course, registrar, anna)
    services.record_result(actor=StaffActor(registrar), enrollment=anna, passed=True)
    services.complete_enrollment(actor=StaffActor(registrar), enrollment=anna)

    with pytest.raises(InvalidTransition, match="Only an enrolled participant"):
        services.complete_enrollment(actor=StaffActor(registrar), enrollment=anna)
    with pytest.raises(InvalidTransition, match="already completed"):
        services.record_result(actor=StaffActor(registrar), enrollment=anna, passed=False)


def test_completable_enrollments_are_those_who_meet_the_rule_and_are_not_completed(
    registrar: User, course: Course, network: Network
) -> None:
    anna, boris, _vera = course.people
    attend_everything(course, registrar, anna, boris)
    assert services.completable_enrollments(course.cohort) == [anna, boris]
    services.complete_enrollment(actor=StaffActor(registrar), enrollment=anna)
    assert services.completable_enrollments(course.cohort) == [boris]

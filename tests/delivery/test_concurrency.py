"""Marking the same person at the same session from two places at once (the instructor's
phone and a registrar's desk, or a check-in and "All present") ends with one mark, every
change audited, and no crash.

Each race widens the window between "read the current mark" and "write it" with a short
sleep. The test at the end takes the locking out and shows that the same race then loses a
change (PostgreSQL) or crashes (SQLite), so the lock proven here is the one doing the work.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection

from kakehashi.admissions.services import participant_actor
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import Conflict
from kakehashi.core.models import AuditEvent, User
from kakehashi.delivery import codes, services
from kakehashi.delivery.models import Attendance
from kakehashi.delivery.services import attendance, common
from tests.delivery.conftest import Course
from tests.support.race import race_each as race

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: a pause between reading a person's mark and writing it."""
    real = attendance._write_mark

    def slow_write_mark(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(attendance, "_write_mark", slow_write_mark)


@pytest.fixture
def locking_removed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Take the cohort lock out: no row lock, and plain deferred transactions on SQLite."""

    def no_lock(queryset: Any, **lookup: Any) -> Any:
        return queryset.get(**lookup)

    monkeypatch.setattr(common, "lock_row", no_lock)
    options = connection.settings_dict.setdefault("OPTIONS", {})
    previous = options.get("transaction_mode")
    if connection.vendor == "sqlite":
        options["transaction_mode"] = "DEFERRED"
    yield
    if connection.vendor == "sqlite":
        options["transaction_mode"] = previous


def attendance_events() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action__startswith="delivery.attendance.").order_by("seq")
    )


def test_two_people_marking_the_same_person_at_once_leave_one_mark_and_both_changes_audited(
    course: Course, registrar: User, slow_writes: None
) -> None:
    anna = course.people[0]
    session = course.now_on

    outcome = race(
        [
            lambda: services.mark_attendance(
                actor=StaffActor(course.instructor), session=session, marks={anna.pk: "present"}
            ),
            lambda: services.mark_attendance(
                actor=StaffActor(registrar), session=session, marks={anna.pk: "late"}
            ),
        ]
    )

    assert outcome.crashes == []
    assert outcome.refusals == []
    [mark] = Attendance.objects.filter(session=session, enrollment=anna)
    first, second = attendance_events()
    assert first.action == "delivery.attendance.marked"
    assert second.action == "delivery.attendance.corrected"
    assert second.data["from"] == first.data["status"]
    assert second.data["to"] == mark.status  # the later change is the one that stands
    assert {first.actor_id, second.actor_id} == {course.instructor.pk, registrar.pk}


def test_all_present_and_checking_in_at_once_give_everyone_one_mark(
    course: Course, registrar: User, slow_writes: None
) -> None:
    session = course.now_on
    code = codes.check_in_code(session)
    people = course.people

    outcome = race(
        [
            lambda: services.mark_all_present(actor=StaffActor(course.instructor), session=session),
            *(
                (
                    lambda person=person: services.check_in(
                        actor=participant_actor(person.participant),
                        participant=person.participant,
                        session=session,
                        code=code,
                    )
                )
                for person in people
            ),
        ]
    )

    assert outcome.crashes == []
    assert outcome.refusals == []
    marks = Attendance.objects.filter(session=session)
    assert sorted(marks.values_list("enrollment_id", flat=True)) == [p.pk for p in people]
    # Whoever came first marked each person; nobody was marked twice.
    assert len(attendance_events()) == len(people)


def test_without_locking_the_same_race_loses_a_change_or_crashes(
    course: Course, registrar: User, slow_writes: None, locking_removed: None
) -> None:
    anna = course.people[0]
    session = course.now_on

    outcome = race(
        [
            lambda: services.mark_attendance(
                actor=StaffActor(course.instructor), session=session, marks={anna.pk: "present"}
            ),
            lambda: services.mark_attendance(
                actor=StaffActor(registrar), session=session, marks={anna.pk: "late"}
            ),
        ]
    )

    if connection.vendor == "sqlite":
        # Deferred transactions read, then fail to upgrade to a write: a 500 for someone.
        assert any(isinstance(error, OperationalError) for error in outcome.crashes)
    else:
        # Both read "no mark yet" and both insert: the unique index stops the second, whose
        # change is lost (refused as a conflict, never a crash, but lost all the same).
        assert outcome.crashes == []
        assert any(isinstance(error, Conflict) for error in outcome.refusals)
        assert len(attendance_events()) == 1
    assert Attendance.objects.filter(session=session, enrollment=anna).count() == 1

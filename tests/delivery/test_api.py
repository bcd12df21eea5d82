"""The delivery part of the REST API: the same rules as the services, JSON errors that
name the field, nothing changed by a refusal, and reads in a fixed number of queries."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import AuditEvent, User
from kakehashi.delivery import services
from kakehashi.delivery.models import Assessment, AssessmentResult, Attendance
from tests import factories
from tests.delivery.conftest import Course, DeliveryApi, set_rule

Api = type[DeliveryApi]


def snapshot() -> tuple[Any, ...]:
    return (
        list(Attendance.objects.order_by("pk").values_list("pk", "status", "source")),
        list(AssessmentResult.objects.order_by("pk").values_list("pk", "score", "passed")),
        list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        # The accounts' chains record the API tokens the test issues, not what it marks.
        AuditEvent.objects.exclude(chain__key__startswith="account:").count(),
    )


def test_the_instructor_reads_and_marks_attendance(api: Api, course: Course) -> None:
    anna, boris, vera = course.people
    client = api(course.instructor)
    path = f"/sessions/{course.now_on.pk}/attendance"

    before = client.get(path).json()
    assert [mark["status"] for mark in before["marks"]] == [None, None, None]

    response = client.put(path, {"marks": {str(anna.pk): "present", str(boris.pk): "late"}})

    assert response.status_code == 200, response.content
    marks = {mark["enrollment"]: mark for mark in response.json()["marks"]}
    assert (marks[anna.pk]["status"], marks[boris.pk]["status"], marks[vera.pk]["status"]) == (
        "present",
        "late",
        None,
    )
    assert marks[anna.pk]["source"] == "staff"
    assert marks[anna.pk]["participant"]["full_name"] == "Person anna (generated)"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"marks": {"{anna}": "asleep"}}, "marks.{anna}"),
        ({"marks": {"999999": "present"}}, "marks.999999"),
        ({"marks": {"abc": "present"}}, "marks.abc"),
        ({"marks": {"0": "present"}}, "marks.0"),
        ({"marks": {"{anna}": "present"}, "extra": 1}, "extra"),
        ({"marks": ["present"]}, "marks"),
        ({}, "marks"),
    ],
)
def test_bad_marks_are_refused_naming_the_field_and_change_nothing(
    api: Api, course: Course, body: dict[str, Any], field: str
) -> None:
    anna = str(course.people[0].pk)
    if isinstance(body.get("marks"), dict):
        body = body | {"marks": {k.format(anna=anna): v for k, v in body["marks"].items()}}
    before = snapshot()
    response = api(course.instructor).put(f"/sessions/{course.now_on.pk}/attendance", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    # Keys are named as the schema reads them: "marks.abc.[key]" for a key that is no id.
    named = response.json()["fields"]
    assert any(name.startswith(field.format(anna=anna)) for name in named), named
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("colleague", 403),
        ("viewer", 403),
        ("other_registrar", 404),
        ("far_instructor", 404),
        ("outsider", 404),
    ],
)
def test_marking_is_refused_to_those_who_do_not_teach_the_session(
    request: pytest.FixtureRequest, api: Api, course: Course, persona: str, status: int
) -> None:
    user = request.getfixturevalue(persona)
    before = snapshot()
    response = api(user).put(
        f"/sessions/{course.now_on.pk}/attendance", {"marks": {str(course.people[0].pk): "present"}}
    )
    assert response.status_code == status
    assert response.json()["code"] in ("forbidden", "not_found")
    assert snapshot() == before


def test_an_instructor_past_the_window_is_told_to_ask_a_registrar(api: Api, course: Course) -> None:
    before = snapshot()
    response = api(course.instructor).put(
        f"/sessions/{course.sessions[0].pk}/attendance",  # ended three days ago
        {"marks": {str(course.people[0].pk): "present"}},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "marking_closed"
    assert "ask a registrar" in response.json()["message"]
    assert snapshot() == before


def test_progress_lists_each_participant_with_standing_and_reasons(
    api: Api, course: Course, registrar: User
) -> None:
    set_rule(course.cohort.program, percent=50, assessment=Assessment.SCORE, pass_mark="60")
    anna, boris, _vera = course.people
    for session in course.sessions[:2]:
        services.mark_attendance(
            actor=StaffActor(registrar),
            session=session,
            marks={anna.pk: "present", boris.pk: "late"},
        )
    services.record_result(actor=StaffActor(registrar), enrollment=anna, score="82.5")

    body = api(registrar).get(f"/cohorts/{course.cohort.pk}/progress").json()

    assert body["rule"] == {
        "min_attendance_percent": 50,
        "assessment": "score",
        "pass_mark": "60.00",
        "max_score": "100.00",
    }
    rows = {row["enrollment"]: row for row in body["participants"]}
    assert rows[anna.pk]["state"] == "eligible"
    assert rows[anna.pk]["share"] == "0.5000"
    assert rows[anna.pk]["result"]["score"] == "82.50"
    assert (rows[boris.pk]["state"], rows[boris.pk]["late"]) == ("on_track", 2)
    assert rows[boris.pk]["reasons"] == ["No result recorded for the final assessment."]


def test_results_are_recorded_and_checked_against_the_rule(
    api: Api, course: Course, registrar: User
) -> None:
    set_rule(course.cohort.program, assessment=Assessment.SCORE)
    anna = course.people[0]
    client = api(course.instructor)
    path = f"/enrollments/{anna.pk}/result"

    response = client.put(path, {"score": "74.5", "note": "Good plan"})
    assert response.status_code == 200, response.content
    assert response.json() | {"recorded_at": None} == {
        "enrollment": anna.pk,
        "score": "74.50",
        "passed": None,
        "note": "Good plan",
        "recorded_at": None,
        "recorded_by": "instructor",
    }

    before = snapshot()
    for body, field in (
        ({"score": "100.5"}, "score"),
        ({"score": 12.345}, "score"),
        ({"passed": True}, "passed"),
        ({"score": "NaN"}, "score"),
        ({"score": "1" * 20}, "score"),
        ({"note": "x" * 2001, "score": 1}, "note"),
    ):
        refused = client.put(path, body)
        assert refused.status_code == 422, (body, refused.content)
        assert field in refused.json()["fields"], (body, refused.json())
    assert snapshot() == before


def test_completing_through_the_api_checks_the_rule(
    api: Api, course: Course, registrar: User
) -> None:
    anna, boris, _vera = course.people
    for session in course.sessions:
        services.mark_attendance(
            actor=StaffActor(registrar), session=session, marks={anna.pk: "present"}
        )

    done = api(registrar).post(f"/enrollments/{anna.pk}/complete")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == Status.COMPLETED

    refused = api(registrar).post(f"/enrollments/{boris.pk}/complete")
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_eligible"
    assert "Person boris (generated) cannot complete yet." in refused.json()["message"]
    assert api(course.instructor).post(f"/enrollments/{boris.pk}/complete").status_code == 403


# Queries: the token, then the endpoint's own (each checked against the user's centers).
BASELINES = {
    "attendance": 4,  # the session, the people, their marks
    "progress": 6,  # the cohort, then progress_of's four
}


def test_reads_take_a_fixed_number_of_queries(api: Api, course: Course, registrar: User) -> None:
    set_rule(course.cohort.program, assessment=Assessment.SCORE)
    client = api(registrar)
    paths = {
        "attendance": f"/sessions/{course.now_on.pk}/attendance",
        "progress": f"/cohorts/{course.cohort.pk}/progress",
    }

    def count(path: str) -> int:
        client.get(path)  # the token's first use is recorded
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured.captured_queries)

    few = {name: count(path) for name, path in paths.items()}
    people = [factories.apply(course.cohort, f"api{n}") for n in range(6)]
    for session in course.sessions:
        services.mark_all_present(actor=StaffActor(registrar), session=session)
    for n, person in enumerate(people):
        services.record_result(actor=StaffActor(registrar), enrollment=person, score=n)
    many = {name: count(path) for name, path in paths.items()}
    assert few == many == BASELINES

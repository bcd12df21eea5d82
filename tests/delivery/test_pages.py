"""The office's teaching pages and the participant's check-in page, as each persona sees
them: what they show, what they refuse, and that bad input changes nothing."""

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone

from kakehashi.admissions import notifications
from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Status
from kakehashi.admissions.remembered import REMEMBERED_PARTICIPANTS
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import AuditEvent, User
from kakehashi.delivery import codes, services
from kakehashi.delivery import urls as delivery_urls
from kakehashi.delivery.models import Assessment, AssessmentResult, Attendance, CompletionRule
from kakehashi.network.models import Center
from tests import factories
from tests.delivery.conftest import DAY, HOUR, Course, as_user, make_session, set_rule
from tests.factories import SYSTEM, by_link

HX = {"HX-Request": "true"}


def text(response: Any) -> str:
    return response.content.decode()


def attendance_url(session_id: int) -> str:
    return reverse("office:session-attendance", args=[session_id])


def progress_url(cohort_id: int) -> str:
    return reverse("office:cohort-progress", args=[cohort_id])


def state() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    """Every delivery record and the number of audit events, to prove nothing changed."""
    return (
        list(Attendance.objects.order_by("pk").values_list("pk", "status", "source")),
        list(AssessmentResult.objects.order_by("pk").values_list("pk", "score", "passed")),
        list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        AuditEvent.objects.count(),
    )


# --- every URL, every persona --------------------------------------------------------------------


@dataclass
class Kind:
    """How a URL is used: "list" (GET, everyone on the staff, each their own), "page"
    (GET), "form" (GET and POST) or "action" (POST), and by whom ("registrar" of Moscow, or
    the network "office")."""

    owner: str
    kind: str
    # May a viewer of Moscow read it (a page) though not change anything?
    viewer_reads: bool = False


USES = {
    "teaching": Kind("registrar", "list"),
    "center-sessions-today": Kind("registrar", "page"),
    "session-attendance": Kind("registrar", "form", viewer_reads=True),
    "session-all-present": Kind("registrar", "action"),
    "session-check-in": Kind("registrar", "page"),
    "session-check-in-code": Kind("registrar", "page"),
    "cohort-progress": Kind("registrar", "page", viewer_reads=True),
    "enrollment-result": Kind("registrar", "action"),
    "enrollment-complete": Kind("registrar", "action"),
    "program-completion": Kind("office", "form"),
}


def patterns() -> list[URLPattern]:
    found = [p for p in delivery_urls.office_patterns if isinstance(p, URLPattern)]
    assert len(found) == len(delivery_urls.office_patterns)
    return found


@pytest.fixture
def world(course: Course) -> tuple[Course, dict[str, str], dict[str, dict[str, str]]]:
    """Moscow's course, each URL with its ids, and what a successful POST sends."""
    set_rule(course.cohort.program, percent=50, assessment=Assessment.SCORE)
    anna, boris, _vera = course.people
    services.mark_all_present(actor=SYSTEM, session=course.sessions[0])
    services.mark_all_present(actor=SYSTEM, session=course.sessions[1])
    services.record_result(actor=SYSTEM, enrollment=boris, score=90)
    ids = {
        "center_id": course.center.pk,
        "session_id": course.now_on.pk,
        "cohort_id": course.cohort.pk,
        "program_id": course.cohort.program_id,
    }
    enrollment_of = {"enrollment-result": anna.pk, "enrollment-complete": boris.pk}
    urls = {}
    for pattern in patterns():
        kwargs = {
            name: enrollment_of[str(pattern.name)] if name == "enrollment_id" else ids[name]
            for name in pattern.pattern.converters
        }
        urls[str(pattern.name)] = reverse(f"office:{pattern.name}", kwargs=kwargs)
    posts = {
        "session-attendance": {f"mark-{anna.pk}": "late"},
        "enrollment-result": {f"result-{anna.pk}-score": "71.5"},
        "program-completion": {"min_attendance_percent": "60", "assessment": "pass_fail"},
    }
    return course, urls, posts


def test_every_url_is_in_the_table() -> None:
    assert {str(p.name) for p in patterns()} == set(USES)


def test_every_url_sends_anonymous_people_to_the_login_page(world: Any) -> None:
    _course, urls, _posts = world
    before = state()
    for url in urls.values():
        for method in ("get", "post"):
            response = getattr(as_user(None), method)(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL)), url
    assert state() == before


@pytest.mark.parametrize("intruder", ["outsider", "other_registrar", "far_instructor"])
def test_every_url_refuses_people_of_other_centers_and_changes_nothing(
    request: pytest.FixtureRequest, world: Any, intruder: str
) -> None:
    course, urls, posts = world
    client = as_user(request.getfixturevalue(intruder))
    before = state()
    for name, url in urls.items():
        use = USES[name]
        for method in ("get", "post"):
            response = getattr(client, method)(url, posts.get(name, {}) if method == "post" else {})
            where = f"{intruder} {method.upper()} {url}"
            if intruder == "outsider":
                assert response.status_code == 403, where
            elif use.kind == "list" and method == "get":
                assert response.status_code == 200, where
                assert course.center.name not in text(response), where
                assert course.cohort.program.name not in text(response), where
            elif (use.kind in ("page", "list") and method == "post") or (
                use.kind == "action" and method == "get"
            ):
                assert response.status_code == 405, where
            elif name == "program-completion":
                # The catalog is the network's: staff read it, only the office sets rules.
                assert response.status_code == 403, where
            else:
                assert response.status_code == 404, where
            assert "Person anna" not in text(response), where
    assert state() == before


def test_a_viewer_reads_the_pages_but_every_change_is_refused(world: Any, viewer: User) -> None:
    _course, urls, posts = world
    client = as_user(viewer)
    before = state()
    for name, url in urls.items():
        use = USES[name]
        if use.kind in ("page", "form", "list"):
            expected = 200 if use.viewer_reads or use.kind == "list" else 403
            assert client.get(url).status_code == expected, url
        if use.kind in ("form", "action"):
            assert client.post(url, posts.get(name, {})).status_code == 403, url
            assert client.post(url, posts.get(name, {}), headers=HX).status_code == 403, url
    assert state() == before


def test_every_url_works_for_the_people_it_is_for(
    request: pytest.FixtureRequest, world: Any, registrar: User, office: User
) -> None:
    course, urls, posts = world
    for name, url in urls.items():
        use = USES[name]
        client = as_user(request.getfixturevalue(use.owner))
        if use.kind in ("list", "page", "form"):
            assert client.get(url).status_code == 200, url
        if use.kind in ("form", "action"):
            response = client.post(url, posts.get(name, {}))
            assert response.status_code == 302, (url, text(response)[-2000:])
            follow = client.get(response["Location"])
            assert 'class="message error"' not in text(follow), (url, text(follow)[-3000:])
    anna, boris, _vera = course.people
    assert Attendance.objects.get(session=course.now_on, enrollment=anna).status == "late"
    assert AssessmentResult.objects.get(enrollment=anna).score == 71.5
    assert Enrollment.objects.get(pk=boris.pk).status == Status.COMPLETED
    assert CompletionRule.objects.get().assessment == "pass_fail"


# --- my sessions ---------------------------------------------------------------------------------


def test_my_sessions_lists_today_the_next_two_weeks_and_past_ones_missing_marks(
    course: Course, registrar: User, center: Center
) -> None:
    instructor = course.instructor
    # Over, unmarked: listed. Over, all marked: not. Too far ahead or behind: not.
    services.mark_all_present(actor=StaffActor(registrar), session=course.sessions[1])
    far_ahead = make_session(course.cohort, timezone.now() + 16 * DAY, instructor=instructor)
    other = make_session(course.cohort, timezone.now() + 2 * DAY, instructor=registrar)

    html = text(as_user(instructor).get(reverse("office:teaching")))

    today, upcoming, missing = (
        html[html.index(f'id="{part}-title"') :] for part in ("today", "upcoming", "missing")
    )
    today = today[: today.index("</section>")]
    upcoming = upcoming[: upcoming.index("</section>")]
    missing = missing[: missing.index("</section>")]
    assert attendance_url(course.now_on.pk) in today
    assert attendance_url(course.sessions[3].pk) in upcoming
    assert attendance_url(far_ahead.pk) not in html
    assert attendance_url(other.pk) not in html
    assert attendance_url(course.sessions[0].pk) in missing
    assert "3 not marked" in missing
    assert attendance_url(course.sessions[1].pk) not in html
    # An instructor corrects no records: no center's day is offered.
    assert reverse("office:center-sessions-today", args=[center.pk]) not in html


def test_registrars_find_each_of_their_centers_sessions_of_the_day(
    course: Course, registrar: User, center: Center, other_center: Center
) -> None:
    html = text(as_user(registrar).get(reverse("office:teaching")))
    assert reverse("office:center-sessions-today", args=[center.pk]) in html
    assert reverse("office:center-sessions-today", args=[other_center.pk]) not in html

    day = text(as_user(registrar).get(reverse("office:center-sessions-today", args=[center.pk])))
    assert attendance_url(course.now_on.pk) in day
    assert attendance_url(course.sessions[3].pk) not in day


def test_my_sessions_takes_a_fixed_number_of_queries(course: Course, center: Center) -> None:
    client = as_user(course.instructor)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("office:teaching")).status_code == 200
        return len(captured.captured_queries)

    client.get(reverse("office:teaching"))
    few = count()
    now = timezone.now()
    for n in range(1, 8):
        make_session(course.cohort, now + n * DAY, instructor=course.instructor)
        make_session(course.cohort, now - n * DAY - HOUR * 3, instructor=course.instructor)
    assert count() == few


def test_an_instructor_may_not_open_a_centers_day(course: Course) -> None:
    url = reverse("office:center-sessions-today", args=[course.center.pk])
    assert as_user(course.instructor).get(url).status_code == 403


# --- taking attendance ---------------------------------------------------------------------------


def test_the_attendance_page_lists_the_people_taking_part_with_their_marks_and_counts(
    course: Course,
) -> None:
    anna, boris, vera = course.people
    admissions.withdraw(actor=by_link(vera), enrollment=vera)
    services.mark_attendance(
        actor=StaffActor(course.instructor), session=course.now_on, marks={anna.pk: "late"}
    )

    html = text(as_user(course.instructor).get(attendance_url(course.now_on.pk)))

    assert "Person anna (generated)" in html
    assert "Person boris (generated)" in html
    assert "Person vera" not in html
    assert re.search(rf'id="mark-{anna.pk}-late" value="late" checked', html)
    assert f'id="mark-{boris.pk}-present" value="present">' in html
    assert "<strong>1</strong> Late" in html
    assert "<strong>1</strong> Not marked" in html
    assert "All present" in html
    assert "<svg" in html  # the check-in code


def test_a_mark_sent_by_htmx_answers_with_the_row_and_the_counts(course: Course) -> None:
    anna = course.people[0]
    response = as_user(course.instructor).post(
        attendance_url(course.now_on.pk), {f"mark-{anna.pk}": "excused"}, headers=HX
    )
    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith(f'<li class="mark-row" id="mark-row-{anna.pk}"')
    assert f'id="mark-{anna.pk}-excused" value="excused" checked' in html
    assert 'id="attendance-counts" aria-label="Counts" hx-swap-oob="true"' in html
    assert "<strong>1</strong> Excused" in html
    assert "Person anna (generated): Excused." in html
    assert Attendance.objects.get().status == "excused"


def test_marks_posted_without_javascript_are_saved_and_the_page_comes_back(course: Course) -> None:
    anna, boris, _vera = course.people
    client = as_user(course.instructor)
    response = client.post(
        attendance_url(course.now_on.pk),
        {f"mark-{anna.pk}": "present", f"mark-{boris.pk}": "absent", "csrfmiddlewaretoken": "x"},
    )
    assert response.status_code == 302
    assert response["Location"] == attendance_url(course.now_on.pk)
    assert "2 marks saved." in text(client.get(response["Location"]))
    assert dict(Attendance.objects.values_list("enrollment_id", "status")) == {
        anna.pk: "present",
        boris.pk: "absent",
    }


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("mark-{anna}", "asleep", "asleep is not an attendance mark"),
        ("mark-{vera}", "present", "Person vera (generated) is not taking part"),
        ("mark-{elsewhere}", "present", "is not in this cohort"),
        ("mark-x1", "present", "does not name anyone on the list"),
        ("mark-99999999999999999999999", "present", "does not name anyone on the list"),
    ],
)
def test_bad_marks_are_refused_beside_the_person_and_change_nothing(
    course: Course, center: Center, field: str, value: str, says: str
) -> None:
    anna, boris, vera = course.people
    admissions.withdraw(actor=by_link(vera), enrollment=vera)
    elsewhere = factories.apply(factories.make_cohort(center), "elsewhere")
    name = field.format(anna=anna.pk, vera=vera.pk, elsewhere=elsewhere.pk)
    before = state()

    response = as_user(course.instructor).post(
        attendance_url(course.now_on.pk), {f"mark-{boris.pk}": "present", name: value}
    )

    assert response.status_code == 422
    assert says in text(response)
    assert 'class="message error"' in text(response)
    assert state() == before


def test_a_refused_htmx_mark_shows_the_stored_mark_again_with_the_reason(
    course: Course, registrar: User
) -> None:
    anna = course.people[0]
    services.mark_attendance(
        actor=StaffActor(registrar), session=course.now_on, marks={anna.pk: "absent"}
    )
    response = as_user(course.instructor).post(
        attendance_url(course.now_on.pk), {f"mark-{anna.pk}": "asleep"}, headers=HX
    )
    assert response.status_code == 200  # htmx swaps only successful answers
    html = text(response)
    assert f'id="mark-{anna.pk}-absent" value="absent" checked' in html
    assert f'id="mark-error-{anna.pk}"' in html
    assert "asleep is not an attendance mark" in html
    assert 'role="alert"' in html
    assert Attendance.objects.get().status == "absent"


def test_a_mark_for_someone_withdrawn_meanwhile_answers_htmx_with_the_whole_list(
    course: Course,
) -> None:
    vera = course.people[2]
    admissions.withdraw(actor=by_link(vera), enrollment=vera)
    response = as_user(course.instructor).post(
        attendance_url(course.now_on.pk), {f"mark-{vera.pk}": "present"}, headers=HX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#attendance"
    assert "Person vera (generated) is not taking part" in text(response)
    assert "mark-row-" in text(response) and f"mark-row-{vera.pk}" not in text(response)
    assert not Attendance.objects.exists()


def test_all_present_keeps_the_marks_made_and_says_how_many_it_marked(course: Course) -> None:
    anna, boris, vera = course.people
    client = as_user(course.instructor)
    client.post(attendance_url(course.now_on.pk), {f"mark-{boris.pk}": "late"}, headers=HX)
    url = reverse("office:session-all-present", args=[course.now_on.pk])

    response = client.post(url, headers=HX)

    assert response.status_code == 200
    assert '<section id="attendance"' in text(response)
    assert "2 people marked present." in text(response)
    assert dict(Attendance.objects.values_list("enrollment_id", "status")) == {
        anna.pk: "present",
        boris.pk: "late",
        vera.pk: "present",
    }
    again = client.post(url)
    assert again.status_code == 302
    assert "Everyone already has a mark; nothing changed." in text(client.get(again["Location"]))


def test_after_the_window_an_instructor_sees_the_marks_but_cannot_change_them(
    course: Course,
) -> None:
    anna = course.people[0]
    long_ago = course.sessions[0]
    services.mark_all_present(actor=SYSTEM, session=long_ago)
    client = as_user(course.instructor)
    html = text(client.get(attendance_url(long_ago.pk)))
    assert "until 48 hours after the session ends" in html
    assert reverse("office:session-all-present", args=[long_ago.pk]) not in html
    assert f'id="mark-{anna.pk}-present" value="present" checked disabled' in html
    before = state()
    response = client.post(attendance_url(long_ago.pk), {f"mark-{anna.pk}": "absent"})
    assert response.status_code == 409
    assert "ask a registrar" in text(response)
    assert state() == before


def test_a_colleague_sees_the_list_but_neither_marks_nor_shows_the_code(
    course: Course, colleague: User
) -> None:
    client = as_user(colleague)
    html = text(client.get(attendance_url(course.now_on.pk)))
    assert reverse("office:session-all-present", args=[course.now_on.pk]) not in html
    assert "<svg" not in html
    assert (
        client.get(reverse("office:session-check-in", args=[course.now_on.pk])).status_code == 403
    )
    assert (
        client.post(attendance_url(course.now_on.pk), {f"mark-{course.people[0].pk}": "late"})
    ).status_code == 403
    assert not Attendance.objects.exists()


def test_the_check_in_code_on_screen_opens_the_check_in_page(course: Course) -> None:
    client = as_user(course.instructor)
    screen = text(client.get(reverse("office:session-check-in", args=[course.now_on.pk])))
    assert "<svg" in screen
    assert 'hx-trigger="every 60s"' in screen
    fragment = text(client.get(reverse("office:session-check-in-code", args=[course.now_on.pk])))
    [url] = re.findall(r'href="(http://testserver/check-in/[^"]+/)"', fragment)
    assert as_user(None).get(url).status_code == 200


def test_the_attendance_and_progress_pages_take_a_fixed_number_of_queries(
    course: Course, registrar: User
) -> None:
    def count(url: str) -> int:
        client = as_user(registrar)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    set_rule(course.cohort.program, assessment=Assessment.SCORE)
    urls = (attendance_url(course.now_on.pk), progress_url(course.cohort.pk))
    few = [count(url) for url in urls]
    people = [factories.apply(course.cohort, f"more{n}") for n in range(7)]
    for session in course.sessions:
        services.mark_all_present(actor=StaffActor(registrar), session=session)
    for n, person in enumerate(people):
        services.record_result(actor=StaffActor(registrar), enrollment=person, score=n * 10)
    assert [count(url) for url in urls] == few


# --- the completion page -------------------------------------------------------------------------


def test_the_completion_page_lists_those_at_risk_first_with_their_reasons(
    course: Course, registrar: User
) -> None:
    set_rule(course.cohort.program, percent=50, assessment=Assessment.SCORE)
    anna, boris, vera = course.people
    for session in course.sessions[:2]:
        services.mark_attendance(
            actor=StaffActor(registrar),
            session=session,
            marks={anna.pk: "present", boris.pk: "present"},
        )
    services.record_result(actor=StaffActor(registrar), enrollment=anna, score=80)
    services.record_result(actor=StaffActor(registrar), enrollment=boris, score=30)

    html = text(as_user(registrar).get(progress_url(course.cohort.pk)))

    order = [html.index(f'id="enrollment-{person.pk}"') for person in (boris, vera, anna)]
    # boris failed the assessment (at risk), vera may still make it, anna can complete
    assert order == sorted(order)
    assert "Score 30 is below the pass mark of 60." in html
    assert "Attend at least 50% of the sessions." in html
    assert "Score 80 of 100: passed" in html
    # Only anna may complete; the rule is the network office's to change.
    assert reverse("office:enrollment-complete", args=[anna.pk]) in html
    assert reverse("office:enrollment-complete", args=[boris.pk]) not in html
    assert reverse("office:enrollment-complete", args=[vera.pk]) not in html
    assert reverse("office:program-completion", args=[course.cohort.program_id]) not in html


def test_an_instructor_records_results_but_completes_nobody(
    course: Course, registrar: User
) -> None:
    set_rule(course.cohort.program, percent=0)
    html = text(as_user(course.instructor).get(progress_url(course.cohort.pk)))
    assert "Record the result" not in html  # no assessment: nothing to record
    assert "/complete/" not in html
    set_rule(course.cohort.program, percent=0, assessment=Assessment.PASS_FAIL)
    html = text(as_user(course.instructor).get(progress_url(course.cohort.pk)))
    assert "Record the result" in html
    anna = course.people[0]
    response = as_user(course.instructor).post(
        reverse("office:enrollment-complete", args=[anna.pk])
    )
    assert response.status_code == 403
    assert Enrollment.objects.get(pk=anna.pk).status == Status.ENROLLED


def test_a_result_sent_by_htmx_rerenders_the_list_with_the_new_standing(
    course: Course, registrar: User
) -> None:
    set_rule(course.cohort.program, percent=0, assessment=Assessment.PASS_FAIL)
    anna = course.people[0]
    response = as_user(registrar).post(
        reverse("office:enrollment-result", args=[anna.pk]),
        {f"result-{anna.pk}-passed": "yes", f"result-{anna.pk}-note": "Presented the plan"},
        headers=HX,
    )
    assert response.status_code == 200
    html = text(response)
    assert '<section id="progress"' in html
    assert "The result of Person anna (generated) is saved." in html
    assert reverse("office:enrollment-complete", args=[anna.pk]) in html
    assert AssessmentResult.objects.get().note == "Presented the plan"


@pytest.mark.parametrize(
    ("score", "says", "beside"),
    [
        ("101", "Score must be from 0 to 100.", "Enter a number from 0 to 100."),
        ("7.125", "more than two decimal places", "Use at most two decimal places."),
        ("ten", "was not saved", "Enter a number."),
    ],
)
def test_a_bad_score_comes_back_beside_the_field_and_nothing_is_recorded(
    course: Course, registrar: User, score: str, says: str, beside: str
) -> None:
    set_rule(course.cohort.program, assessment=Assessment.SCORE)
    anna = course.people[0]
    before = state()
    response = as_user(registrar).post(
        reverse("office:enrollment-result", args=[anna.pk]), {f"result-{anna.pk}-score": score}
    )
    assert response.status_code == 422
    html = text(response)
    assert says in html
    field = html[html.index(f'id="id_result-{anna.pk}-score_error"') :]
    assert beside in field[: field.index("</div>")]
    assert f'value="{score}"' in html  # what was typed stays
    assert state() == before


def test_completing_from_the_page_completes_and_refusals_are_shown(
    course: Course, registrar: User
) -> None:
    anna, boris, _vera = course.people
    for session in course.sessions:
        services.mark_attendance(
            actor=StaffActor(registrar), session=session, marks={anna.pk: "present"}
        )
    client = as_user(registrar)

    done = client.post(reverse("office:enrollment-complete", args=[anna.pk]), headers=HX)
    assert done.status_code == 200
    assert "Person anna (generated) has completed the program." in text(done)
    assert Enrollment.objects.get(pk=anna.pk).status == Status.COMPLETED

    refused = client.post(reverse("office:enrollment-complete", args=[boris.pk]))
    assert refused.status_code == 302
    page = text(client.get(refused["Location"]))
    assert "Person boris (generated) cannot complete yet." in page
    assert Enrollment.objects.get(pk=boris.pk).status == Status.ENROLLED


# --- the completion rule -------------------------------------------------------------------------


def test_the_office_sets_a_programs_rule_on_its_page(course: Course, office: User) -> None:
    program = course.cohort.program
    url = reverse("office:program-completion", args=[program.pk])
    client = as_user(office)
    assert "(the default rule)" in text(client.get(url))
    response = client.post(
        url,
        {
            "min_attendance_percent": "75",
            "assessment": "score",
            "pass_mark": "55,5",
            "max_score": "70",
        },
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 302
    rule = CompletionRule.objects.get(program=program)
    assert (rule.min_attendance_percent, rule.pass_mark, rule.max_score) == (75, 55.5, 70)
    assert "Attend at least 75% of the sessions." in text(
        client.get(url, headers={"Accept-Language": "en"})
    )


def test_a_bad_rule_comes_back_beside_its_field_and_nothing_changes(
    course: Course, office: User
) -> None:
    url = reverse("office:program-completion", args=[course.cohort.program_id])
    before = state()
    response = as_user(office).post(
        url,
        {
            "min_attendance_percent": "80",
            "assessment": "score",
            "pass_mark": "90",
            "max_score": "80",
        },
    )
    assert response.status_code == 422
    html = text(response)
    error = html[html.index('id="id_pass_mark_error"') :]
    assert "Enter at most the highest score, 80." in error[: error.index("</div>")]
    assert "cannot be higher than the highest score" in html
    assert not CompletionRule.objects.exists()
    assert state() == before


# --- checking in ---------------------------------------------------------------------------------


def check_in_url(course: Course, at: datetime.datetime | None = None) -> str:
    return reverse("portal:check-in", args=[codes.check_in_code(course.now_on, now=at)])


def test_a_participant_who_opened_their_link_checks_in_with_one_tap(course: Course) -> None:
    anna = course.people[0]
    phone = Client()
    assert (
        phone.get(
            reverse("portal:participant", args=[notifications.participant_token(anna.participant)])
        ).status_code
        == 200
    )
    assert REMEMBERED_PARTICIPANTS in phone.cookies
    url = check_in_url(course)

    page = text(phone.get(url))
    assert course.cohort.program.name in page
    assert "Check in as Person anna (generated)" in page
    assert "Person boris" not in page

    done = phone.post(url, {"participant": anna.participant_id})
    assert done.status_code == 200
    assert "You are checked in" in text(done)
    assert Attendance.objects.get().enrollment == anna
    again = phone.post(url, {"participant": anna.participant_id})
    assert "already checked in" in text(again)
    assert Attendance.objects.count() == 1


def test_a_cookie_not_signed_by_kakehashi_recognises_nobody(course: Course) -> None:
    phone = Client()
    phone.cookies[REMEMBERED_PARTICIPANTS] = str(course.people[0].participant_id)
    page = text(phone.get(check_in_url(course)))
    assert "Check in as" not in page
    assert "We don't know who you are on this phone yet." in page


def test_a_signed_in_participant_with_a_verified_address_is_recognised(course: Course) -> None:
    anna = course.people[0]
    user = factories.make_user("anna-account")
    user.email = anna.participant.email
    user.save(update_fields=["email"])
    client = as_user(user)
    assert "Check in as" not in text(client.get(check_in_url(course)))  # not verified yet
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    assert "Check in as Person anna (generated)" in text(client.get(check_in_url(course)))


def test_nobody_known_is_told_how_to_be_recognised(course: Course) -> None:
    stranger = Client()
    page = text(stranger.get(check_in_url(course)))
    assert "We don't know who you are on this phone yet." in page
    assert "Log in" in page
    refused = stranger.post(check_in_url(course), {"participant": course.people[0].participant_id})
    assert refused.status_code == 422
    assert not Attendance.objects.exists()


def test_someone_known_but_not_in_the_cohort_is_told_so(course: Course, center: Center) -> None:
    outsider = factories.apply(factories.make_cohort(center), "elsewhere").participant
    phone = Client()
    phone.get(reverse("portal:participant", args=[notifications.participant_token(outsider)]))
    page = text(phone.get(check_in_url(course)))
    assert "You are not enrolled in this cohort" in page


def test_an_expired_or_forged_code_gets_a_clear_page_not_an_error(course: Course) -> None:
    expired = check_in_url(course, at=timezone.now() - datetime.timedelta(minutes=6))
    response = Client().get(expired)
    assert response.status_code == 400
    assert "This check-in code has expired" in text(response)
    assert Client().post(expired, {"participant": 1}).status_code == 400

    forged = reverse("portal:check-in", args=["WzEsMTc5NTg0ODU1OV0:forged"])
    response = Client().get(forged)
    assert response.status_code == 404
    assert "This check-in code is not valid" in text(response)


def test_a_check_in_too_early_is_refused_with_the_time_it_opens(course: Course) -> None:
    anna = course.people[0]
    later = make_session(course.cohort, timezone.now() + 2 * HOUR)
    phone = Client()
    phone.get(
        reverse("portal:participant", args=[notifications.participant_token(anna.participant)])
    )
    url = reverse("portal:check-in", args=[codes.check_in_code(later)])
    response = phone.post(url, {"participant": anna.participant_id})
    assert response.status_code == 409
    assert "Check-in opens 30 minutes before the session starts" in text(response)
    assert not Attendance.objects.exists()


# --- the way in ----------------------------------------------------------------------------------


def test_the_roster_and_the_program_lead_to_the_teaching_pages(
    course: Course, registrar: User, office: User
) -> None:
    roster = text(as_user(registrar).get(reverse("office:roster", args=[course.cohort.pk])))
    assert progress_url(course.cohort.pk) in roster
    for session in course.sessions:
        assert attendance_url(session.pk) in roster
    program = text(
        as_user(office).get(reverse("office:program-edit", args=[course.cohort.program_id]))
    )
    assert reverse("office:program-completion", args=[course.cohort.program_id]) in program

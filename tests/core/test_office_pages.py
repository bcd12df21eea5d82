"""The office: staff pages under /office/, by role and center."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from kakehashi import urls as root_urls
from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program, Session
from kakehashi.core.models import AuditEvent, User
from kakehashi.core.roles import Role
from kakehashi.credentials import runs as certificate_runs
from kakehashi.credentials.models import Certificate, CertificateRun
from kakehashi.delivery import services as delivery
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Network, Room
from kakehashi.payments import services as payments
from kakehashi.payments.models import Account, Entry, Kind, RefundPolicy
from tests import factories
from tests.factories import SYSTEM, by_link

MOTIVATION = "I run a plant in Tula and want to learn kaizen."

# Queries per page, whatever the number of rows: the session, the user, "is this person
# staff anywhere", then the page's own (see each test for what they are).
BASELINES = {
    "overview": 4,  # + the centers with their figures
    "center": 7,  # + the center, its cohorts, its next sessions, the person's roles there
    "roster": 7,  # + the cohort, its enrollments, its sessions, the person's roles there
    "session-create": 7,  # + the cohort, the person's roles, the rooms, the instructors
    "programs": 5,  # + the programs, the networks whose catalog the person may edit
    "search": 5,  # + the people, the cohorts
}


# --- helpers -----------------------------------------------------------------------------------


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: HttpResponse) -> str:
    return response.content.decode()


def section(html: str, section_id: str) -> str:
    """The HTML of ``<section id=...>`` up to its first closing tag (the roster's groups
    hold no sections of their own)."""
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def row(html: str, row_id: str) -> str:
    start = html.index(f'id="{row_id}"')
    return html[start : html.index("</tr>", start)]


def roster_url(cohort: Cohort) -> str:
    return reverse("office:roster", kwargs={"cohort_id": cohort.pk})


def decide_url(action: str, enrollment: Enrollment) -> str:
    return reverse(f"office:{action}", kwargs={"enrollment_id": enrollment.pk})


def login_url_for(path: str) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?next={path}"


def status_of(enrollment: Enrollment) -> str:
    enrollment.refresh_from_db()
    return enrollment.status


def review_cohort(center: Center, capacity: int = 3, **extra: Any) -> Cohort:
    return factories.make_cohort(center, capacity=capacity, admission="review", **extra)


def apply(cohort: Cohort, n: int | str, motivation: str = MOTIVATION) -> Enrollment:
    return factories.apply(cohort, n, motivation=motivation)


HX = {"HX-Request": "true"}


# --- who gets in ---------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_the_login_page(db: None) -> None:
    response = as_user(None).get("/office/")
    assert response.status_code == 302
    assert response["Location"] == login_url_for("/office/")


def test_an_htmx_request_without_a_session_sends_the_window_to_the_login_page(
    center: Center,
) -> None:
    cohort = review_cohort(center)
    enrollment = apply(cohort, 1)
    response = as_user(None).post(
        decide_url("accept", enrollment),
        headers={**HX, "HX-Current-URL": f"http://testserver{roster_url(cohort)}"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == login_url_for(roster_url(cohort))
    assert status_of(enrollment) == Status.APPLIED


def test_people_without_a_staff_role_are_refused(outsider: User, center: Center) -> None:
    assert as_user(outsider).get("/office/").status_code == 403


def test_a_superuser_may_open_the_office_before_any_network_exists(db: None) -> None:
    admin = factories.make_user("root", is_superuser=True, is_staff=True)
    assert as_user(admin).get("/office/").status_code == 200


# --- the overview ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees_moscow", "sees_vladivostok"),
    [
        ("office", True, True),
        ("registrar", True, False),
        ("viewer", True, False),
        ("other_registrar", False, True),
    ],
)
def test_the_overview_lists_the_centers_each_persona_may_see(
    request: pytest.FixtureRequest,
    persona: str,
    sees_moscow: bool,
    sees_vladivostok: bool,
    center: Center,
    other_center: Center,
) -> None:
    user: User = request.getfixturevalue(persona)
    html = text(as_user(user).get("/office/"))
    assert (f'id="center-{center.pk}"' in html) is sees_moscow
    assert (f'id="center-{other_center.pk}"' in html) is sees_vladivostok
    assert (center.name in html) is sees_moscow


def test_the_overview_counts_this_years_cohorts_participants_and_fill_rate(
    office: User, registrar: User, center: Center, other_center: Center
) -> None:
    today = timezone.localdate()
    this_year = {"starts_on": today, "ends_on": today + datetime.timedelta(days=1)}
    busy = factories.make_cohort(center, capacity=4, **this_year)
    for n in range(3):
        factories.apply(busy, n)  # first come: three enrolled
    factories.make_cohort(center, capacity=6, **this_year)
    review = review_cohort(center, capacity=5, **this_year)
    apply(review, "waiting-for-a-decision")
    next_year = datetime.date(today.year + 1, 3, 1)
    later = factories.make_cohort(
        center, capacity=10, starts_on=next_year, ends_on=next_year + datetime.timedelta(days=5)
    )
    factories.apply(later, "next-year")
    factories.make_cohort(other_center, capacity=2, **this_year)

    for user in (office, registrar):
        html = text(as_user(user).get("/office/"))
        moscow = row(html, f"center-{center.pk}")
        cells = re.findall(r'<td class="num">(.*?)</td>', moscow)
        # cohorts, participants, seats held, fill rate, to review
        assert cells == ["3", "3", "3 of 15", "20%", "1"], cells
    vladivostok = row(text(as_user(office).get("/office/")), f"center-{other_center.pk}")
    assert re.findall(r'<td class="num">(.*?)</td>', vladivostok) == ["1", "0", "0 of 2", "0%", "0"]


def test_the_overview_speaks_russian_with_russian_number_formats(
    registrar: User, center: Center
) -> None:
    today = timezone.localdate()
    cohort = factories.make_cohort(
        center, capacity=3, starts_on=today, ends_on=today + datetime.timedelta(days=1)
    )
    factories.apply(cohort, 1)
    html = text(as_user(registrar).get("/office/", headers={"Accept-Language": "ru"}))
    assert '<html lang="ru">' in html
    assert "33\xa0%" in row(html, f"center-{center.pk}")  # babel: "33 %" in Russian


# --- a center ----------------------------------------------------------------------------------


def test_a_centers_page_lists_its_cohorts_and_next_sessions_in_local_time(
    registrar: User, center: Center
) -> None:
    cohort = factories.make_cohort(
        center,
        starts_on=datetime.date(2031, 3, 1),
        ends_on=datetime.date(2031, 3, 31),
        fee=Decimal("15000"),
    )
    catalog.schedule_session(
        actor=SYSTEM,
        cohort=cohort,
        starts_at=datetime.datetime(2031, 3, 2, 10, 0),  # Moscow time: 07:00 UTC
        ends_at=datetime.datetime(2031, 3, 2, 13, 30),
        title="Kaizen on the shop floor",
    )
    past = factories.make_cohort(
        center, starts_on=datetime.date(2020, 3, 1), ends_on=datetime.date(2020, 3, 31)
    )
    html = text(as_user(registrar).get(reverse("office:center", args=[center.pk])))
    assert "<h1>" + center.name + "</h1>" in html
    current, past_part = html.split('id="past-title"')
    assert f'id="cohort-{cohort.pk}"' in current
    assert f'id="cohort-{past.pk}"' in past_part
    assert "RUB\u00a015,000.00" in current  # babel, in English, spaced as CLDR says
    assert "March 2, 2031, 10 a.m. – 1:30 p.m." in current
    assert "Europe/Moscow" in html


# --- the roster --------------------------------------------------------------------------------


@pytest.fixture
def crowded(center: Center) -> dict[str, Any]:
    """A review cohort of two seats: one enrolled, one offered, two waiting, one to decide."""
    cohort = review_cohort(center, capacity=2)
    people = {name: apply(cohort, name, motivation=f"Motivation of {name}") for name in "abcde"}
    admissions.accept(actor=SYSTEM, enrollment=people["a"])
    admissions.confirm(actor=by_link(people["a"]), enrollment=people["a"])
    admissions.accept(actor=SYSTEM, enrollment=people["b"])
    admissions.waitlist(actor=SYSTEM, enrollment=people["d"])  # waiting first
    admissions.waitlist(actor=SYSTEM, enrollment=people["c"])
    return {"cohort": cohort, **people}


def test_the_roster_groups_people_and_keeps_the_waiting_list_in_order(
    registrar: User, crowded: dict[str, Any]
) -> None:
    html = text(as_user(registrar).get(roster_url(crowded["cohort"])))
    enrolled, offered = section(html, "enrolled"), section(html, "offered")
    applied, waiting = section(html, "applied"), section(html, "waiting")
    assert "persona@example.org" in enrolled
    assert "personb@example.org" in offered
    expiry = timezone.localtime(crowded["b"].offer_expires_at, crowded["cohort"].center.tzinfo)
    assert f"{expiry:%Y}" in row(offered, f"enrollment-{crowded['b'].pk}")
    assert "Person e (generated)" in applied
    assert "Motivation of e" in applied  # the review queue shows why they applied
    assert "Motivation of a" not in applied
    rows = re.findall(r'<tr id="enrollment-(\d+)">\s*<td class="num">(\d+)</td>', waiting)
    assert rows == [(str(crowded["d"].pk), "1"), (str(crowded["c"].pk), "2")]
    assert "2 of 2 seats held" in html


DECISIONS = {
    # action: (who it is taken on, the status it leaves, the roster group they move to)
    "accept": ("e", Status.OFFERED, "offered"),
    "reject": ("d", Status.REJECTED, "ended"),
    "waitlist": ("e", Status.WAITLISTED, "waiting"),
    "withdraw": ("b", Status.WITHDRAWN, "ended"),
}


@pytest.fixture
def open_cohort(center: Center) -> dict[str, Any]:
    """A review cohort with seats free: e and d applied, b offered a seat."""
    cohort = review_cohort(center, capacity=5)
    people = {name: apply(cohort, name) for name in "bde"}
    admissions.accept(actor=SYSTEM, enrollment=people["b"])
    return {"cohort": cohort, **people}


@pytest.mark.parametrize("action", DECISIONS)
def test_a_decision_posted_without_javascript_changes_the_enrollment_and_comes_back(
    registrar: User, open_cohort: dict[str, Any], action: str
) -> None:
    who, status, _group = DECISIONS[action]
    enrollment = open_cohort[who]
    client = as_user(registrar)
    response = client.post(decide_url(action, enrollment), {"reason": "Checked by phone"})
    assert response.status_code == 302
    assert response["Location"] == roster_url(open_cohort["cohort"]) + "#roster"
    if action == "waitlist":
        # A free seat is offered at once to whoever joins the waiting list first.
        assert status_of(enrollment) == Status.OFFERED
    else:
        assert status_of(enrollment) == status
    page = text(client.get(response["Location"]))
    assert 'class="message success"' in page
    assert "Person " + who in page


@pytest.mark.parametrize("action", DECISIONS)
def test_a_decision_sent_by_htmx_rerenders_the_roster_in_place(
    registrar: User, center: Center, action: str
) -> None:
    # One seat, held by b: joining the waiting list promotes nobody. Two to accept one more.
    cohort = review_cohort(center, capacity=2 if action == "accept" else 1)
    people = {name: apply(cohort, name) for name in "bde"}
    admissions.accept(actor=SYSTEM, enrollment=people["b"])
    who, status, group = DECISIONS[action]
    enrollment = people[who]
    response = as_user(registrar).post(decide_url(action, enrollment), headers=HX)
    assert response.status_code == 200
    assert status_of(enrollment) == status
    html = text(response)
    assert "<html" not in html  # a fragment, not a page
    assert html.lstrip().startswith('<section id="roster"')
    assert f'id="enrollment-{enrollment.pk}"' in section(html, group)
    assert 'hx-swap-oob="innerHTML"' in html
    assert 'class="message success"' in html
    assert "HX-Request" in response["Vary"]


def test_a_withdrawal_offers_the_freed_seat_to_the_longest_waiting_and_shows_it(
    registrar: User, crowded: dict[str, Any]
) -> None:
    response = as_user(registrar).post(decide_url("withdraw", crowded["a"]), headers=HX)
    html = text(response)
    assert status_of(crowded["d"]) == Status.OFFERED
    assert f'id="enrollment-{crowded["d"].pk}"' in section(html, "offered")
    waiting = section(html, "waiting")
    assert re.findall(r'<tr id="enrollment-(\d+)">\s*<td class="num">(\d+)</td>', waiting) == [
        (str(crowded["c"].pk), "1")
    ]


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_accepting_into_a_full_cohort_shows_the_refusal_and_changes_nothing(
    registrar: User, center: Center, headers: dict[str, str]
) -> None:
    cohort = review_cohort(center, capacity=1)
    first, second = apply(cohort, 1), apply(cohort, 2)
    admissions.accept(actor=SYSTEM, enrollment=first)
    events = AuditEvent.objects.count()
    client = as_user(registrar)
    response = client.post(decide_url("accept", second), headers=headers, follow=True)
    assert response.status_code == 200
    html = text(response)
    assert 'class="message error"' in html
    assert "Put the application on the waiting list instead." in html
    assert status_of(second) == Status.APPLIED
    assert status_of(first) == Status.OFFERED
    assert AuditEvent.objects.count() == events
    assert f'id="enrollment-{second.pk}"' in section(html, "applied")


def test_a_decision_already_taken_by_someone_else_is_reported_not_repeated(
    registrar: User, open_cohort: dict[str, Any]
) -> None:
    enrollment = open_cohort["e"]
    admissions.reject(actor=SYSTEM, enrollment=enrollment)
    html = text(as_user(registrar).post(decide_url("accept", enrollment), headers=HX))
    assert "Only a pending application can be accepted" in html
    assert status_of(enrollment) == Status.REJECTED


def test_a_viewer_sees_the_roster_without_buttons_and_may_not_decide(
    viewer: User, open_cohort: dict[str, Any]
) -> None:
    client = as_user(viewer)
    html = text(client.get(roster_url(open_cohort["cohort"])))
    assert "Person e (generated)" in html
    assert "office:accept" not in html and "/accept/" not in html
    assert "/withdraw/" not in html
    response = client.post(decide_url("accept", open_cohort["e"]), headers=HX)
    assert response.status_code == 403
    assert status_of(open_cohort["e"]) == Status.APPLIED


def test_a_closed_centers_roster_is_read_only(
    office: User, network: Network, open_cohort: dict[str, Any]
) -> None:
    center = open_cohort["cohort"].center
    for status in ("closing", "closed"):
        network_services.change_center_status(actor=SYSTEM, center=center, to_status=status)
    client = as_user(office)
    html = text(client.get(roster_url(open_cohort["cohort"])))
    assert "/accept/" not in html and "Edit the cohort" not in html
    response = client.post(decide_url("accept", open_cohort["e"]), follow=True)
    assert "is closed" in text(response)
    assert status_of(open_cohort["e"]) == Status.APPLIED


def test_the_roster_downloads_as_csv_without_formulas(registrar: User, center: Center) -> None:
    cohort = review_cohort(center)
    admissions.apply(
        actor=SYSTEM,
        cohort=cohort,
        applicant=admissions.Applicant(
            email="ivan@example.org", full_name="Иван Петров", company="=HYPERLINK(1)"
        ),
        motivation=MOTIVATION,
    )
    response = as_user(registrar).get(reverse("office:roster-csv", args=[cohort.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "Иван Петров" in body
    assert "'=HYPERLINK(1)" in body


# --- forms -------------------------------------------------------------------------------------


def cohort_form(program: Program, **changes: Any) -> dict[str, Any]:
    return {
        "program": program.pk,
        "code": "spring-2031",
        "starts_on": "2031-03-01",
        "ends_on": "2031-03-31",
        "capacity": "12",
        "fee": "15000",
        "currency": "RUB",
        "language": "ru",
        "format": "in_person",
        "admission": "review",
        "applications_open_at": "2031-01-10T09:00",
        "applications_close_at": "2031-02-20T18:00",
        "offer_hours": "72",
        **changes,
    }


def test_scheduling_a_cohort_reads_times_at_the_center(registrar: User, center: Center) -> None:
    program = factories.make_program(center.network)
    url = reverse("office:cohort-create", args=[center.pk])
    response = as_user(registrar).post(url, cohort_form(program))
    cohort = Cohort.objects.get(code="spring-2031")
    assert response.status_code == 302
    assert response["Location"] == roster_url(cohort)
    assert cohort.capacity == 12 and cohort.fee == Decimal("15000")
    # 09:00 in Moscow is 06:00 UTC.
    assert cohort.applications_open_at == datetime.datetime(2031, 1, 10, 6, 0, tzinfo=datetime.UTC)


def test_a_cohort_with_bad_input_shows_errors_beside_the_fields_and_keeps_what_was_typed(
    registrar: User, center: Center
) -> None:
    program = factories.make_program(center.network)
    url = reverse("office:cohort-create", args=[center.pk])
    client = as_user(registrar)
    response = client.post(
        url, cohort_form(program, ends_on="2031-02-01", capacity="0", code="my code")
    )
    assert response.status_code == 200
    html = text(response)
    assert 'id="id_ends_on_error"' in html and "Must be on or after the start date." in html
    assert 'id="id_capacity_error"' in html
    assert re.search(r'<input[^>]*name="capacity"[^>]*aria-describedby="id_capacity_error"', html)
    assert re.search(r'name="capacity"[^>]*aria-invalid="true"', html)
    assert 'value="2031-02-01"' in html and 'value="my code"' in html
    assert 'value="2031-01-10T09:00"' in html  # the local time as typed
    assert 'role="alert"' in html
    assert not Cohort.objects.exists()

    # Refusals only the service can make land beside their fields too.
    response = client.post(url, cohort_form(program, currency="ZZZ"))
    html = text(response)
    assert re.search(r'id="id_currency_error"><p>Unknown currency.</p>', html)
    assert "ZZZ is not a known currency code" in html  # the message, above the form
    factories.make_cohort(center, program, code="taken")
    html = text(client.post(url, cohort_form(program, code="taken")))
    assert re.search(r'id="id_code_error"><p>Already taken; give another code.</p>', html)
    assert Cohort.objects.count() == 1


def test_editing_a_cohort_changes_only_what_was_changed(registrar: User, center: Center) -> None:
    cohort = factories.make_cohort(
        center,
        capacity=3,
        starts_on=datetime.date(2031, 3, 1),
        ends_on=datetime.date(2031, 3, 9),
        applications_open_at=datetime.datetime(2031, 1, 10, 6, 0, tzinfo=datetime.UTC),
    )
    url = reverse("office:cohort-edit", args=[cohort.pk])
    client = as_user(registrar)
    page = text(client.get(url))
    assert 'value="2031-03-01"' in page
    assert 'value="2031-01-10T09:00"' in page  # 06:00 UTC, as the clock reads in Moscow
    data = {
        "starts_on": "2031-03-01",
        "ends_on": "2031-03-09",
        "capacity": "8",
        "fee": "0.00",
        "currency": "RUB",
        "language": cohort.language,
        "format": cohort.format,
        "admission": cohort.admission,
        "applications_open_at": "2031-01-10T09:00",
        "applications_close_at": "",
        "offer_hours": str(cohort.offer_hours),
    }
    events = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.capacity == 8
    changed = AuditEvent.objects.order_by("pk").last()
    assert AuditEvent.objects.count() == events + 1
    assert changed is not None and changed.action == "catalog.cohort.changed"
    assert set(changed.data["after"]) == {"capacity"}


def test_a_session_is_scheduled_in_local_time_and_bad_times_are_refused_beside_the_field(
    registrar: User, center: Center
) -> None:
    cohort = factories.make_cohort(
        center, starts_on=datetime.date(2031, 3, 1), ends_on=datetime.date(2031, 3, 9)
    )
    room = network_services.add_room(actor=SYSTEM, center=center, name="Lecture hall")
    url = reverse("office:session-create", args=[cohort.pk])
    client = as_user(registrar)
    data = {
        "title": "Kaizen",
        "starts_at": "2031-03-02T10:00",
        "ends_at": "2031-03-02T13:00",
        "room": room.pk,
        "format": "",
        "online_url": "",
    }
    html = text(
        client.post(url, {**data, "starts_at": "2031-04-02T10:00", "ends_at": "2031-04-02T13:00"})
    )
    assert re.search(r'id="id_starts_at_error"><p>Choose a time within the cohort', html)
    assert 'value="2031-04-02T10:00"' in html
    html = text(client.post(url, {**data, "ends_at": "2031-03-02T09:00"}))
    assert re.search(r'id="id_ends_at_error"><p>Must be after the start.', html)
    assert not Session.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at == datetime.datetime(2031, 3, 2, 7, 0, tzinfo=datetime.UTC)
    assert session.room == room


def test_the_office_adds_a_program_in_three_languages(office: User, network: Network) -> None:
    client = as_user(office)
    url = reverse("office:program-create")
    data = {
        "slug": "lean-office",
        "name_en": "Lean office",
        "name_ru": "Бережливый офис",
        "name_ja": "リーンオフィス",
        "description_en": "",
        "description_ru": "",
        "description_ja": "",
        "topic": "production",
        "audience": "everyone",
        "hours": "24",
    }
    html = text(client.post(url, {**data, "name_en": "", "slug": "lean office!"}))
    assert 'id="id_name_en_error"' in html
    assert 'value="Бережливый офис"' in html
    assert not Program.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    program = Program.objects.get(slug="lean-office")
    assert (program.name_en, program.name_ru, program.name_ja) == (
        "Lean office",
        "Бережливый офис",
        "リーンオフィス",
    )
    edit = reverse("office:program-edit", args=[program.pk])
    response = client.post(
        edit, {**data, "name_ja": "リーン・オフィス", "is_active": ""}, follow=True
    )
    program.refresh_from_db()
    assert program.name_ja == "リーン・オフィス" and program.is_active is False
    assert "Retired" in text(response)


def test_a_registrar_reads_the_catalog_but_may_not_change_it(
    registrar: User, network: Network
) -> None:
    program = factories.make_program(network)
    client = as_user(registrar)
    html = text(client.get(reverse("office:programs")))
    assert program.slug in html and "Add a program" not in html
    assert client.get(reverse("office:program-create")).status_code == 403
    assert client.get(reverse("office:program-edit", args=[program.pk])).status_code == 403


# --- every staff URL, as the wrong people --------------------------------------------------------


@dataclass
class World:
    """Records of the Moscow center (and its network) that each office URL is tried on."""

    center: Center
    program: Program
    cohort: Cohort
    room: Room
    enrollments: dict[str, Enrollment]
    marker: str = "moscow-secret"
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    session: Session | None = None  # a session under way, for the teaching pages
    certificate_number: str = ""  # a certificate of a participant of an ended cohort
    run_id: int = 0  # the run that issues that cohort's certificates
    account_id: int = 0  # a participant's account in a cohort with a fee
    payment_id: int = 0  # a payment into that account


@pytest.fixture
def world(network: Network, center: Center, settings: Any, tmp_path: Path) -> World:
    settings.KAKEHASHI_KEY_DIR = tmp_path / "keys"  # signing keys of this test's own
    program = factories.make_program(network, "kaizen")
    cohort = review_cohort(center, capacity=10, code="moscow-secret")
    enrollments = {action: apply(cohort, f"moscow-{action}") for action in ("accept", "reject")}
    enrollments["waitlist"] = apply(cohort, "moscow-waitlist")
    enrollments["withdraw"] = apply(cohort, "moscow-withdraw")
    room = network_services.add_room(actor=SYSTEM, center=center, name="Hall")
    start = cohort.starts_on
    posts = {
        "cohort-create": cohort_form(program, code="moscow-new", starts_on=f"{start:%Y-%m-%d}")
        | {
            "ends_on": f"{cohort.ends_on:%Y-%m-%d}",
            "applications_open_at": "",
            "applications_close_at": "",
        },
        "cohort-edit": {
            "starts_on": f"{cohort.starts_on:%Y-%m-%d}",
            "ends_on": f"{cohort.ends_on:%Y-%m-%d}",
            "capacity": "11",
            "fee": "0",
            "currency": "RUB",
            "language": "ru",
            "format": "in_person",
            "admission": "review",
            "offer_hours": "48",
        },
        "session-create": {
            "starts_at": f"{start:%Y-%m-%d}T10:00",
            "ends_at": f"{start:%Y-%m-%d}T12:00",
            "room": room.pk,
        },
        "program-create": {
            "slug": "moscow-new-program",
            "name_en": "New program",
            "topic": "finance",
            "audience": "everyone",
            "hours": "10",
        },
        "program-edit": {
            "name_en": "Kaizen, renamed",
            "topic": "production",
            "audience": "everyone",
            "hours": "12",
            "is_active": "on",
        },
        "program-completion": {"min_attendance_percent": "70", "assessment": "none"},
    }
    # The teaching pages: a cohort under way with a session on now and one person enrolled,
    # whose program's rule (any attendance, pass or fail) they can meet once a result is in.
    today = timezone.localdate(timezone=center.tzinfo)
    under_way = factories.make_cohort(
        center,
        code="moscow-under-way",
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=5),
    )
    now = timezone.now()
    session = catalog.schedule_session(
        actor=SYSTEM,
        cohort=under_way,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    delivery.set_completion_rule(
        actor=SYSTEM, program=under_way.program, min_attendance_percent=0, assessment="pass_fail"
    )
    taking_part = apply(under_way, "moscow-taking-part")
    enrollments["enrollment-result"] = enrollments["enrollment-complete"] = taking_part
    posts["session-attendance"] = {f"mark-{taking_part.pk}": "present"}
    posts["enrollment-result"] = {f"result-{taking_part.pk}-passed": "yes"}
    # The certificate pages: a cohort that has ended, with a participant recorded as having
    # completed it (which issues their certificate), and the run that issues its certificates.
    ended = factories.make_cohort(
        center,
        code="moscow-ended",
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today - datetime.timedelta(days=30),
    )
    completed = admissions.record_past_participant(
        actor=SYSTEM,
        cohort=ended,
        applicant=factories.applicant("moscow-completed"),
        outcome=Status.COMPLETED,
    )
    certificate = Certificate.objects.get(enrollment=completed)
    run = certificate_runs.start_certificate_run(actor=SYSTEM, cohort=ended)
    posts["certificate-revoke"] = {"reason": "Issued in error."}
    # The payment pages: a cohort with a fee and a participant enrolled in it (which opens
    # their account with the amount due), part paid; the cohort refunds in full by its rule.
    paid = factories.make_cohort(
        center, code="moscow-paid", capacity=5, fee=Decimal("14000"), currency="RUB"
    )
    paying = apply(paid, "moscow-paying")
    account = Account.objects.get(subject=f"admissions.enrollment:{paying.pk}")
    payment = payments.record_payment(actor=SYSTEM, account=account, amount="10000")
    payments.set_refund_rule(
        actor=SYSTEM, center=center, group=f"catalog.cohort:{paid.pk}", rule="full"
    )
    posts["record-payment"] = {f"pay{account.pk}-amount": "1000", f"pay{account.pk}-method": "cash"}
    posts["grant-discount"] = {
        f"discount{account.pk}-amount": "2000",
        f"discount{account.pk}-reason": "Alumnus",
    }
    posts["refund"] = {
        f"refund{payment.pk}-amount": "1000",
        f"refund{payment.pk}-reason": "Missed a day",
    }
    posts["refund-rule"] = {"rule": "pro_rata"}
    return World(
        center,
        program,
        cohort,
        room,
        enrollments,
        posts=posts,
        session=session,
        certificate_number=certificate.number,
        run_id=run.pk,
        account_id=account.pk,
        payment_id=payment.pk,
    )


# How each office URL is used: by whom it must work ("registrar" of Moscow, or the network
# "office" for the network's catalog and a center's ledger), and whether it is a page (GET),
# a form (GET and POST) or an action (POST only). Lists answer everyone on the staff, showing
# only their own.
USES: dict[str, tuple[str, str]] = {
    "overview": ("registrar", "list"),
    "search": ("registrar", "list"),
    "programs": ("registrar", "list"),
    "center": ("registrar", "page"),
    "roster": ("registrar", "page"),
    "roster-csv": ("registrar", "page"),
    "cohort-create": ("registrar", "form"),
    "cohort-edit": ("registrar", "form"),
    "session-create": ("registrar", "form"),
    "program-create": ("office", "form"),
    "program-edit": ("office", "form"),
    "accept": ("registrar", "action"),
    "reject": ("registrar", "action"),
    "waitlist": ("registrar", "action"),
    "withdraw": ("registrar", "action"),
    # kakehashi.delivery: teaching, attendance, results and completion rules
    "teaching": ("registrar", "list"),
    "center-sessions-today": ("registrar", "page"),
    "session-attendance": ("registrar", "form"),
    "session-all-present": ("registrar", "action"),
    "session-check-in": ("registrar", "page"),
    "session-check-in-code": ("registrar", "page"),
    "cohort-progress": ("registrar", "page"),
    "enrollment-result": ("registrar", "action"),
    "enrollment-complete": ("registrar", "action"),
    "program-completion": ("office", "form"),
    # kakehashi.catalog: the calendar feeds
    "calendar": ("registrar", "list"),
    # kakehashi.credentials: certificates, the runs that issue them, their revocation
    "cohort-certificates": ("registrar", "page"),
    "certificate-run-start": ("registrar", "action"),
    "certificate-run": ("registrar", "page"),
    "certificate": ("registrar", "page"),
    "certificate-revoke": ("registrar", "action"),
    "certificate-pdf": ("registrar", "page"),
    # kakehashi.payments: a cohort's payments, and the center's ledger (which registrars may
    # not see: the network office stands for finance and managers)
    "cohort-payments": ("registrar", "page"),
    "refund-rule": ("registrar", "action"),
    "record-payment": ("registrar", "action"),
    "grant-discount": ("registrar", "action"),
    "refund": ("registrar", "action"),
    "refund-by-rule": ("registrar", "action"),
    "payment-document": ("registrar", "page"),
    "ledger": ("office", "page"),
    "ledger-export": ("office", "page"),
}
LIST_QUERY = {"search": "?q=moscow"}


def office_patterns() -> list[URLPattern]:
    """Every office URL, those of the apps' included URL lists too."""
    patterns: list[URLPattern] = []

    def walk(entries: list[Any]) -> None:
        for entry in entries:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            else:
                patterns.append(entry)

    walk(root_urls.office_patterns)
    return patterns


def tabled_patterns() -> list[URLPattern]:
    """The office URLs in USES (the coverage test fails for any missing from it)."""
    return [p for p in office_patterns() if p.name in USES]


def url_for(pattern: URLPattern, world: World) -> str:
    """The URL with the ids of Moscow's records filled in, by the names of its parameters."""
    ids = {
        "center_id": world.center.pk,
        "cohort_id": world.cohort.pk,
        "program_id": world.program.pk,
        "session_id": world.session.pk if world.session else 0,
        "run_id": world.run_id,
        "number": world.certificate_number,
        "account_id": world.account_id,
        "entry_id": world.payment_id,
        "fmt": "csv",
    }
    kwargs: dict[str, object] = {}
    for name in pattern.pattern.converters:
        if name == "enrollment_id":
            kwargs[name] = world.enrollments[str(pattern.name)].pk
        else:
            kwargs[name] = ids[name]
    path = reverse(f"office:{pattern.name}", kwargs=kwargs)
    return path + LIST_QUERY.get(str(pattern.name), "")


def money_and_certificates() -> tuple[Any, ...]:
    """The ledger, the refund rules, the certificates and their runs, as stored."""
    return (
        list(Entry.objects.order_by("pk").values_list("pk", "kind", "amount", "refund_of_id")),
        list(RefundPolicy.objects.order_by("pk").values_list("group", "rule")),
        list(Certificate.objects.order_by("pk").values_list("number", "revoked_at")),
        list(CertificateRun.objects.order_by("pk").values_list("pk", "state")),
    )


def test_every_office_url_is_covered_by_the_permission_tests() -> None:
    assert {p.name for p in office_patterns()} == set(USES)


def test_every_office_url_sends_anonymous_people_to_the_login_page(world: World) -> None:
    client = as_user(None)
    for pattern in tabled_patterns():
        url = url_for(pattern, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL)), url


@pytest.mark.parametrize("intruder", ["outsider", "other_registrar"])
def test_every_office_url_refuses_people_of_other_centers(
    request: pytest.FixtureRequest, world: World, intruder: str, other_center: Center
) -> None:
    user: User = request.getfixturevalue(intruder)
    client = as_user(user)
    before = {e.pk: e.status for e in Enrollment.objects.all()}
    counts = (Cohort.objects.count(), Program.objects.count(), Session.objects.count())
    stored = money_and_certificates()
    for pattern in tabled_patterns():
        url = url_for(pattern, world)
        _owner, kind = USES[str(pattern.name)]
        for method in ("get", "post"):
            data = world.posts.get(str(pattern.name), {}) if method == "post" else {}
            response = getattr(client, method)(url, data)
            where = f"{intruder} {method.upper()} {url}"
            if intruder == "outsider":
                assert response.status_code == 403, where
            elif kind == "list" and method == "get":
                # Their own list, with nothing of Moscow's in it.
                assert response.status_code == 200, where
                assert world.marker not in text(response), where
                assert world.center.name not in text(response), where
            elif (kind in ("page", "list") and method == "post") or (
                kind == "action" and method == "get"
            ):
                # Pages answer only GET, actions only POST.
                assert response.status_code == 405, where
            elif pattern.name in ("program-create", "program-edit", "program-completion"):
                # The catalog is the network's: a registrar reads it but may not change it.
                assert response.status_code == 403, where
            else:
                assert response.status_code == 404, where
            assert world.marker not in text(response), where
    assert {e.pk: e.status for e in Enrollment.objects.all()} == before
    assert (Cohort.objects.count(), Program.objects.count(), Session.objects.count()) == counts
    assert money_and_certificates() == stored


def test_every_office_url_works_for_the_people_it_is_for(
    request: pytest.FixtureRequest, world: World, registrar: User, office: User
) -> None:
    """The other side of the refusals: the same URLs, the same ids, the right people."""
    for pattern in tabled_patterns():
        name = str(pattern.name)
        owner, kind = USES[name]
        client = as_user(request.getfixturevalue(owner))
        url = url_for(pattern, world)
        if kind in ("list", "page", "form"):
            response = client.get(url)
            assert response.status_code == 200, url
            if kind == "list" and name != "programs":
                assert world.marker in text(response) or world.center.name in text(response), url
        if kind in ("form", "action"):
            response = client.post(url, world.posts.get(name, {}))
            assert response.status_code == 302, (url, text(response)[-3000:])
            follow = client.get(response["Location"])
            assert 'class="message error"' not in text(follow), url
    statuses = {action: status_of(e) for action, e in world.enrollments.items()}
    assert statuses == {
        "accept": Status.OFFERED,
        "reject": Status.REJECTED,
        "waitlist": Status.OFFERED,  # a seat was free
        "withdraw": Status.WITHDRAWN,
        "enrollment-result": Status.COMPLETED,  # the result, then the completion
        "enrollment-complete": Status.COMPLETED,
    }
    assert Cohort.objects.filter(code="moscow-new").exists()
    assert Session.objects.filter(cohort=world.cohort).exists()
    assert Program.objects.filter(slug="moscow-new-program").exists()
    entries = Entry.objects.filter(account_id=world.account_id).order_by("pk")
    assert [(e.kind, e.amount) for e in entries] == [
        (Kind.CHARGE, Decimal("14000")),
        (Kind.PAYMENT, Decimal("10000")),
        (Kind.PAYMENT, Decimal("1000")),
        (Kind.DISCOUNT, Decimal("2000")),
        (Kind.REFUND, Decimal("1000")),
        (Kind.REFUND, Decimal("9000")),  # the rest of the first payment, by the rule
    ]
    assert RefundPolicy.objects.get(group=f"catalog.cohort:{world.cohort.pk}").rule == "pro_rata"
    assert Certificate.objects.get(number=world.certificate_number).is_revoked
    assert CertificateRun.objects.filter(cohort=world.cohort).exists()


def test_another_networks_office_cannot_reach_this_networks_catalog(world: World) -> None:
    elsewhere = factories.make_network("elsewhere")
    their_office = factories.make_user("their-office")
    network_services.grant_role(
        actor=SYSTEM, user=their_office, network=elsewhere, role=Role.OFFICE, center=None
    )
    client = as_user(their_office)
    assert client.get(reverse("office:program-edit", args=[world.program.pk])).status_code == 404
    html = text(client.get(reverse("office:programs")))
    assert world.program.slug not in html
    assert world.center.name not in text(client.get("/office/"))


def test_search_finds_people_only_at_the_searchers_centers(
    registrar: User, other_registrar: User, center: Center, other_center: Center
) -> None:
    here, there = review_cohort(center), review_cohort(other_center)
    apply(here, "ivanov-moscow")
    apply(there, "ivanov-vladivostok")
    html = text(as_user(registrar).get(reverse("office:search"), {"q": "ivanov"}))
    assert "personivanov-moscow@example.org" in html
    assert "vladivostok" not in html


# --- query counts ------------------------------------------------------------------------------


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm up: the first request may record a login or a session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def assert_fixed(
    client: Client, url: str, baseline: int, add_rows: Callable[[], None], marker: str
) -> None:
    few_rows = text(client.get(url)).count(marker)
    few = queries(client, url)
    add_rows()
    many_rows = text(client.get(url)).count(marker)
    many = queries(client, url)
    assert many_rows >= few_rows + 10, "too few rows added to prove anything"
    assert (few, many) == (baseline, baseline), (
        f"{url}: {few} queries for {few_rows} rows, {many} for {many_rows}; baseline {baseline}"
    )


def test_the_overview_runs_a_fixed_number_of_queries(
    office: User, network: Network, center: Center
) -> None:
    factories.make_cohort(center)

    def add_rows() -> None:
        for n in range(12):
            more = factories.make_center(network, f"more-{n}")
            cohort = factories.make_cohort(more, capacity=2)
            for _ in range(n % 3):
                factories.apply(cohort)

    assert_fixed(as_user(office), "/office/", BASELINES["overview"], add_rows, 'id="center-')


def test_a_centers_page_runs_a_fixed_number_of_queries(
    registrar: User, network: Network, center: Center
) -> None:
    first = factories.make_cohort(
        center, starts_on=datetime.date(2031, 3, 1), ends_on=datetime.date(2031, 3, 31)
    )
    factories.apply(first)

    def add_rows() -> None:
        programs = [factories.make_program(network) for _ in range(3)]
        rooms = [Room.objects.create(center=center, name=f"Room {n}") for n in range(3)]
        for n in range(12):
            cohort = factories.make_cohort(
                center,
                programs[n % 3],
                starts_on=datetime.date(2031, 3, 1),
                ends_on=datetime.date(2031, 3, 31),
            )
            factories.apply(cohort)
            catalog.schedule_session(
                actor=SYSTEM,
                cohort=cohort,
                starts_at=datetime.datetime(2031, 3, 2 + n, 10, 0),
                ends_at=datetime.datetime(2031, 3, 2 + n, 12, 0),
                room=rooms[n % 3],
                instructor=registrar,
            )

    url = reverse("office:center", args=[center.pk])
    assert_fixed(as_user(registrar), url, BASELINES["center"], add_rows, 'id="cohort-')


def test_the_roster_runs_a_fixed_number_of_queries(registrar: User, center: Center) -> None:
    cohort = review_cohort(center, capacity=6)
    apply(cohort, "first")

    def add_rows() -> None:
        added = [apply(cohort, f"more-{n}") for n in range(16)]
        for enrollment in added[:4]:
            admissions.accept(actor=SYSTEM, enrollment=enrollment)
        for enrollment in added[4:8]:
            admissions.waitlist(actor=SYSTEM, enrollment=enrollment)
        for enrollment in added[8:10]:
            admissions.reject(actor=SYSTEM, enrollment=enrollment)

    url = roster_url(cohort)
    assert_fixed(as_user(registrar), url, BASELINES["roster"], add_rows, 'id="enrollment-')


def test_the_session_form_runs_a_fixed_number_of_queries(
    registrar: User, network: Network, center: Center
) -> None:
    cohort = factories.make_cohort(center)
    network_services.add_room(actor=SYSTEM, center=center, name="Hall")

    def add_rows() -> None:
        for n in range(6):
            network_services.add_room(actor=SYSTEM, center=center, name=f"Room {n}")
            teacher = factories.make_user(f"teacher{n}")
            network_services.grant_role(
                actor=SYSTEM, user=teacher, network=network, role=Role.INSTRUCTOR, center=center
            )

    url = reverse("office:session-create", args=[cohort.pk])
    baseline = BASELINES["session-create"]
    assert_fixed(as_user(registrar), url, baseline, add_rows, "<option value=")


@pytest.mark.parametrize(
    ("page", "url"),
    [("programs", "/office/programs/?q=found"), ("search", "/office/search/?q=found")],
)
def test_the_catalog_and_search_run_a_fixed_number_of_queries(
    registrar: User, network: Network, center: Center, page: str, url: str
) -> None:
    cohort = review_cohort(center, capacity=30)
    factories.make_program(network, "found-0")
    apply(cohort, "found-0")

    def add_rows() -> None:
        for n in range(1, 12):
            factories.make_program(network, f"found-{n}")
            apply(cohort, f"found-{n}")

    assert_fixed(as_user(registrar), url, BASELINES[page], add_rows, "found-")

"""The admin: staff manage centers, programs, cohorts, sessions and enrollments, and every
change goes through the services, which check roles and write the audit log."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort, Program, Session
from kakehashi.core.models import AuditEvent, User
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, CenterStatus, Network, Room
from tests import factories
from tests.factories import SYSTEM

# --- personas and helpers ----------------------------------------------------------------------


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("root", "root@example.org", "correct horse battery")


def staff(user: User) -> User:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args: object) -> str:
    return reverse(f"admin:{name}", args=args)


def no_inline_rows(*prefixes: str) -> dict[str, str]:
    """The management forms a browser posts for read-only inlines."""
    data: dict[str, str] = {}
    for prefix in prefixes:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def form_errors(response: Any) -> dict[str, list[str]]:
    form = response.context["adminform"].form
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def audited(action: str, actor: User | None = None) -> int:
    events = AuditEvent.objects.filter(action=action)
    if actor is not None:
        events = events.filter(actor=actor)
    return events.count()


START = timezone.localdate() + datetime.timedelta(days=30)


def new_cohort_form(program: Program, center: Center, **overrides: object) -> dict[str, object]:
    return {
        "program": program.pk,
        "center": center.pk,
        "code": "spring-intake",
        "starts_on": START.isoformat(),
        "ends_on": (START + datetime.timedelta(days=10)).isoformat(),
        "capacity": "12",
        "offer_hours": "72",
        "fee": "15000.00",
        "currency": "RUB",
        "language": "ru",
        "format": "in_person",
        "admission": "review",
        "applications_open_at_0": "",
        "applications_open_at_1": "",
        "applications_close_at_0": "",
        "applications_close_at_1": "",
        **overrides,
    }


def cohort_change_form(cohort: Cohort, **overrides: object) -> dict[str, object]:
    return {
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "capacity": str(cohort.capacity),
        "offer_hours": str(cohort.offer_hours),
        "fee": str(cohort.fee),
        "currency": cohort.currency,
        "language": cohort.language,
        "format": cohort.format,
        "admission": cohort.admission,
        "applications_open_at_0": "",
        "applications_open_at_1": "",
        "applications_close_at_0": "",
        "applications_close_at_1": "",
        **no_inline_rows("sessions"),
        **overrides,
    }


def center_status_form(center: Center | None = None, **fields: object) -> dict[str, object]:
    """What a browser posts from a center's page: its details as they are, and ``fields``."""
    details: dict[str, object] = {}
    if center is not None:
        center.refresh_from_db()
        for name in ("name", "city", "description", "address"):
            for code in ("en", "ru", "ja"):
                details[f"{name}_{code}"] = getattr(center, f"{name}_{code}") or ""
        details["timezone"] = center.timezone
        details["opened_on"] = center.opened_on.isoformat() if center.opened_on else ""
    return {**no_inline_rows("status_changes", "rooms"), **details, **fields}


# --- centers -----------------------------------------------------------------------------------


def test_superuser_plans_a_center_through_the_add_form_and_it_is_audited(
    superuser: User, network: Network
) -> None:
    response = logged_in(superuser).post(
        url("network_center_add"),
        {
            "network": network.pk,
            "slug": "khabarovsk",
            "name_en": "Japan Center in Khabarovsk",
            "name_ru": "Японский центр в Хабаровске",
            "name_ja": "ハバロフスク日本センター",
            "city_en": "Khabarovsk",
            "city_ru": "Хабаровск",
            "city_ja": "ハバロフスク",
            "timezone": "Asia/Vladivostok",
            "opened_on": "",
            "description_en": "",
            "description_ru": "",
            "description_ja": "",
            "address_en": "",
            "address_ru": "",
            "address_ja": "",
        },
    )

    assert response.status_code == 302, form_errors(response)
    center = Center.objects.get(slug="khabarovsk")
    assert (center.name_en, center.name_ru, center.name_ja) == (
        "Japan Center in Khabarovsk",
        "Японский центр в Хабаровске",
        "ハバロフスク日本センター",
    )
    assert center.status == CenterStatus.PLANNED
    assert audited("network.center.created", actor=superuser) == 1


def test_a_taken_center_address_is_shown_beside_the_slug_and_nothing_is_saved(
    superuser: User, center: Center
) -> None:
    before = Center.objects.count()
    response = logged_in(superuser).post(
        url("network_center_add"),
        {
            "network": center.network_id,
            "slug": center.slug,
            "name_en": "Another",
            "city_en": "Moscow",
            "timezone": "Europe/Moscow",
        },
    )

    assert response.status_code == 200
    errors = form_errors(response)
    assert "This network already has a center at moscow." in errors["__all__"]
    assert errors["slug"] == ["Already taken."]
    assert Center.objects.count() == before


def test_an_unknown_time_zone_is_shown_beside_its_field(superuser: User, network: Network) -> None:
    response = logged_in(superuser).post(
        url("network_center_add"),
        {
            "network": network.pk,
            "slug": "nowhere",
            "name_en": "X",
            "city_en": "Y",
            "timezone": "Mars/Base",
        },
    )

    assert response.status_code == 200
    assert form_errors(response)["timezone"] == ["Unknown time zone."]
    assert not Center.objects.filter(slug="nowhere").exists()


def test_office_moves_a_center_along_its_lifecycle_with_a_date_and_a_reason(
    office: User, network: Network
) -> None:
    center = factories.make_center(network, "tomsk", status=CenterStatus.PLANNED)
    client = logged_in(staff(office))
    effective = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        url("network_center_change", center.pk),
        center_status_form(
            center,
            new_status="operating",
            effective_on=effective.isoformat(),
            status_reason="Agreement signed",
        ),
    )

    assert response.status_code == 302, form_errors(response)
    center.refresh_from_db()
    assert (center.status, center.status_since, center.opened_on) == (
        CenterStatus.OPERATING,
        effective,
        effective,
    )
    last = center.status_changes.order_by("-pk").first()
    assert last is not None and (last.to_status, last.reason) == ("operating", "Agreement signed")
    assert audited("network.center.operating", actor=office) == 1
    page = client.get(url("network_center_change", center.pk))
    assert "Agreement signed" in page.content.decode()  # the status history, read-only


def test_a_status_change_dated_before_the_last_one_is_refused_on_the_form(
    superuser: User, center: Center
) -> None:
    response = logged_in(superuser).post(
        url("network_center_change", center.pk),
        center_status_form(center, new_status="suspended", effective_on="2000-01-01"),
    )

    assert response.status_code == 200
    errors = form_errors(response)
    assert errors["effective_on"] == ["Too early."]
    assert "cannot take effect before the previous one" in errors["__all__"][0]
    center.refresh_from_db()
    assert center.status == CenterStatus.OPERATING
    assert audited("network.center.suspended") == 0


def test_the_status_is_not_a_field_of_the_center_form_but_the_names_are(
    superuser: User, center: Center
) -> None:
    response = logged_in(superuser).post(
        url("network_center_change", center.pk),
        center_status_form(center, status="closed", name_en="Renamed"),
    )

    assert response.status_code == 302
    center.refresh_from_db()
    assert (center.status, center.name_en) == (CenterStatus.OPERATING, "Renamed")
    assert audited("network.center.changed") == 1
    assert audited("network.center.closed") == 0


def test_a_registrar_can_neither_plan_centers_nor_change_their_status(
    registrar: User, center: Center
) -> None:
    client = logged_in(staff(registrar))

    assert client.get(url("network_center_add")).status_code == 403
    page = client.get(url("network_center_change", center.pk))
    assert page.status_code == 200 and b"new_status" not in page.content
    response = client.post(
        url("network_center_change", center.pk), center_status_form(center, new_status="suspended")
    )
    assert response.status_code == 403
    center.refresh_from_db()
    assert center.status == CenterStatus.OPERATING


def test_a_closed_center_and_its_cohorts_are_read_only(superuser: User, center: Center) -> None:
    cohort = factories.make_cohort(center)
    for step in ("closing", "closed"):
        network_services.change_center_status(actor=SYSTEM, center=center, to_status=step)
    client = logged_in(superuser)

    page = client.get(url("network_center_change", center.pk))
    assert page.status_code == 200 and b"new_status" not in page.content
    assert (
        client.post(
            url("network_center_change", center.pk),
            center_status_form(
                center,
            ),
        ).status_code
        == 403
    )
    assert client.get(url("catalog_cohort_change", cohort.pk)).context["title"] == "View cohort"
    response = client.post(
        url("catalog_cohort_change", cohort.pk), cohort_change_form(cohort, capacity="9")
    )
    assert response.status_code == 403
    cohort.refresh_from_db()
    assert cohort.capacity == 3


def test_nothing_is_deleted_through_the_admin(superuser: User, center: Center) -> None:
    cohort = factories.make_cohort(center)
    client = logged_in(superuser)

    assert client.get(url("catalog_cohort_delete", cohort.pk)).status_code == 403
    assert client.post(url("network_center_delete", center.pk), {"post": "yes"}).status_code == 403
    changelist = client.get(url("catalog_cohort_changelist"))
    assert b"delete_selected" not in changelist.content
    assert Cohort.objects.filter(pk=cohort.pk).exists()


def test_a_manager_adds_a_room_through_the_service(network: Network, center: Center) -> None:
    manager = staff(factories.make_user("manager"))
    network_services.grant_role(
        actor=SYSTEM, user=manager, network=network, role="manager", center=center
    )

    response = logged_in(manager).post(
        url("network_room_add"), {"center": center.pk, "name": "Hall A", "capacity": "30"}
    )

    assert response.status_code == 302, form_errors(response)
    assert Room.objects.get(center=center).name == "Hall A"
    assert audited("network.room.created", actor=manager) == 1


# --- programs ----------------------------------------------------------------------------------


def test_office_adds_a_program_in_three_languages(office: User, network: Network) -> None:
    response = logged_in(staff(office)).post(
        url("catalog_program_add"),
        {
            "network": network.pk,
            "slug": "kaizen",
            "name_en": "Kaizen on the shop floor",
            "name_ru": "Кайдзен в цеху",
            "name_ja": "現場の改善",
            "topic": "production",
            "audience": "executives",
            "hours": "36",
            "description_en": "",
            "description_ru": "",
            "description_ja": "",
        },
    )

    assert response.status_code == 302, form_errors(response)
    program = Program.objects.get(slug="kaizen")
    assert (program.name_ru, program.name_ja, program.hours) == ("Кайдзен в цеху", "現場の改善", 36)
    assert audited("catalog.program.created", actor=office) == 1


def test_office_edits_and_retires_a_program(office: User, network: Network) -> None:
    program = factories.make_program(network, "kaizen")
    factories.make_center(network)
    client = logged_in(staff(office))

    response = client.post(
        url("catalog_program_change", program.pk),
        {
            "name_en": "Production management",
            "name_ru": "Управление производством",
            "name_ja": "生産管理",
            "topic": "production",
            "audience": "executives",
            "hours": "40",
            "description_en": "",
            "description_ru": "",
            "description_ja": "",
        },
    )

    assert response.status_code == 302, form_errors(response)
    program.refresh_from_db()
    assert (program.name_ja, program.hours, program.is_active) == ("生産管理", 40, False)
    assert audited("catalog.program.retired", actor=office) == 1


def test_a_program_without_an_english_name_is_refused_on_the_form(
    office: User, network: Network
) -> None:
    program = factories.make_program(network)
    factories.make_center(network)
    response = logged_in(staff(office)).post(
        url("catalog_program_change", program.pk),
        {
            "name_en": "",
            "topic": "production",
            "audience": "everyone",
            "hours": "1",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {"name_en": ["This field is required."]}
    program.refresh_from_db()
    assert program.name_en == "Production management"


def test_a_registrar_reads_the_catalog_but_cannot_add_to_it(
    registrar: User, network: Network
) -> None:
    program = factories.make_program(network)
    client = logged_in(staff(registrar))

    assert program.slug.encode() in client.get(url("catalog_program_changelist")).content
    assert client.get(url("catalog_program_add")).status_code == 403


# --- cohorts -----------------------------------------------------------------------------------


def test_superuser_schedules_a_cohort_through_the_add_form_and_it_is_audited(
    superuser: User, center: Center
) -> None:
    program = factories.make_program(center.network)

    response = logged_in(superuser).post(
        url("catalog_cohort_add"), new_cohort_form(program, center)
    )

    assert response.status_code == 302, form_errors(response)
    cohort = Cohort.objects.get(code="spring-intake")
    assert (cohort.center, cohort.capacity, cohort.fee) == (center, 12, Decimal("15000.00"))
    assert audited("catalog.cohort.created", actor=superuser) == 1


def test_a_cohort_ending_before_it_starts_is_refused_on_the_form_and_nothing_is_saved(
    superuser: User, center: Center
) -> None:
    program = factories.make_program(center.network)

    response = logged_in(superuser).post(
        url("catalog_cohort_add"),
        new_cohort_form(program, center, ends_on=(START - datetime.timedelta(days=1)).isoformat()),
    )

    assert response.status_code == 200
    errors = form_errors(response)
    assert errors["ends_on"] == ["Must be on or after the start date."]
    assert errors["__all__"][0].startswith("A cohort cannot end")
    assert "A cohort cannot end" in response.content.decode()
    assert not Cohort.objects.exists()
    assert audited("catalog.cohort.created") == 0


def test_a_cohort_without_seats_is_refused_on_the_form_and_nothing_is_saved(
    superuser: User, center: Center
) -> None:
    program = factories.make_program(center.network)

    response = logged_in(superuser).post(
        url("catalog_cohort_add"), new_cohort_form(program, center, capacity="0")
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["A cohort needs at least one seat."],
        "capacity": ["Enter 1 or more."],
    }
    assert not Cohort.objects.exists()


def test_a_number_too_large_for_its_column_is_a_form_error_not_a_crash(
    superuser: User, center: Center
) -> None:
    program = factories.make_program(center.network)

    response = logged_in(superuser).post(
        url("catalog_cohort_add"), new_cohort_form(program, center, capacity="99999999999999999999")
    )

    assert response.status_code == 200
    assert "capacity" in form_errors(response)
    assert not Cohort.objects.exists()


def test_a_registrar_sees_only_the_cohorts_of_their_center(
    registrar: User, center: Center, other_center: Center
) -> None:
    mine = factories.make_cohort(center, code="moscow-spring")
    theirs = factories.make_cohort(other_center, code="vladivostok-spring")

    page = logged_in(staff(registrar)).get(url("catalog_cohort_changelist"))

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [mine]
    assert b"vladivostok-spring" not in page.content
    assert theirs.pk  # exists, just not for this registrar


def test_a_registrar_cannot_open_or_change_another_centers_cohort(
    registrar: User, other_center: Center
) -> None:
    theirs = factories.make_cohort(other_center)
    client = logged_in(staff(registrar))

    assert client.get(url("catalog_cohort_change", theirs.pk)).status_code in (403, 404)
    response = client.post(
        url("catalog_cohort_change", theirs.pk), cohort_change_form(theirs, capacity="30")
    )
    assert response.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.capacity == 3


def test_a_registrar_cannot_schedule_a_cohort_at_another_center(
    registrar: User, other_center: Center
) -> None:
    program = factories.make_program(other_center.network)

    response = logged_in(staff(registrar)).post(
        url("catalog_cohort_add"), new_cohort_form(program, other_center)
    )

    assert response.status_code == 200
    assert "center" in form_errors(response)
    assert not Cohort.objects.exists()


def test_a_registrar_raises_capacity_through_the_update_service(
    registrar: User, center: Center
) -> None:
    cohort = factories.make_cohort(center, capacity=3)

    response = logged_in(staff(registrar)).post(
        url("catalog_cohort_change", cohort.pk), cohort_change_form(cohort, capacity="20")
    )

    assert response.status_code == 302, form_errors(response)
    cohort.refresh_from_db()
    assert cohort.capacity == 20
    event = AuditEvent.objects.get(action="catalog.cohort.changed")
    assert event.actor == registrar
    assert event.data == {"before": {"capacity": 3}, "after": {"capacity": 20}}


def test_capacity_below_the_seats_held_is_refused_and_nothing_changes(
    superuser: User, center: Center
) -> None:
    cohort = factories.make_cohort(center, capacity=3)
    factories.apply(cohort, 1)
    factories.apply(cohort, 2)

    response = logged_in(superuser).post(
        url("catalog_cohort_change", cohort.pk), cohort_change_form(cohort, capacity="1")
    )

    assert response.status_code == 200
    assert form_errors(response)["capacity"] == ["Enter 2 or more."]
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    assert audited("catalog.cohort.changed") == 0


def test_a_change_is_undone_when_the_page_comes_back_with_errors(
    superuser: User, center: Center
) -> None:
    # The service runs while the form validates; the sessions list's management form is
    # then found missing, so the admin shows the page again. The service's change and its
    # audit event must not stay behind a page that says nothing was saved.
    cohort = factories.make_cohort(center, capacity=3)
    data = cohort_change_form(cohort, capacity="20")
    del data["sessions-TOTAL_FORMS"]

    response = logged_in(superuser).post(url("catalog_cohort_change", cohort.pk), data)

    assert response.status_code == 200
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    assert audited("catalog.cohort.changed") == 0


def test_saving_an_unchanged_cohort_writes_no_audit_event(superuser: User, center: Center) -> None:
    cohort = factories.make_cohort(center)

    response = logged_in(superuser).post(
        url("catalog_cohort_change", cohort.pk), cohort_change_form(cohort)
    )

    assert response.status_code == 302, form_errors(response)
    assert audited("catalog.cohort.changed") == 0


def test_application_times_are_typed_and_shown_in_the_centers_time_zone(
    superuser: User, center: Center
) -> None:
    cohort = factories.make_cohort(center)  # Moscow: UTC+3
    client = logged_in(superuser)

    response = client.post(
        url("catalog_cohort_change", cohort.pk),
        cohort_change_form(
            cohort, applications_open_at_0=START.isoformat(), applications_open_at_1="09:00"
        ),
    )

    assert response.status_code == 302, form_errors(response)
    cohort.refresh_from_db()
    assert cohort.applications_open_at == datetime.datetime.combine(
        START, datetime.time(6, 0), tzinfo=datetime.UTC
    )
    page = client.get(url("catalog_cohort_change", cohort.pk))
    assert 'name="applications_open_at_1" value="09:00:00"' in page.content.decode()


def test_the_cohort_list_shows_seats_and_waiting_list_without_a_query_per_row(
    superuser: User, center: Center
) -> None:
    client = logged_in(superuser)
    full = factories.make_cohort(center, capacity=1, code="full")
    factories.apply(full, 1)
    factories.apply(full, 2)
    client.get(url("catalog_cohort_changelist"))  # warm up sessions and content types
    with CaptureQueriesContext(connection) as one_cohort:
        page = client.get(url("catalog_cohort_changelist"))
    row = page.context["cl"].result_list[0]
    assert (row.seats_held_count, row.waitlist_count) == (1, 1)

    for n in range(4):
        factories.make_cohort(center, code=f"more-{n}")
    with CaptureQueriesContext(connection) as five_cohorts:
        client.get(url("catalog_cohort_changelist"))

    assert len(five_cohorts) == len(one_cohort)


# --- sessions ----------------------------------------------------------------------------------


def test_a_session_typed_in_local_time_is_stored_in_utc(superuser: User, center: Center) -> None:
    cohort = factories.make_cohort(center)  # Moscow: UTC+3

    response = logged_in(superuser).post(
        url("catalog_session_add"),
        {
            "cohort": cohort.pk,
            "title": "Opening lecture",
            "starts_at_0": START.isoformat(),
            "starts_at_1": "10:00",
            "ends_at_0": START.isoformat(),
            "ends_at_1": "12:00",
            "room": "",
            "instructor": "",
            "format": "",
            "online_url": "",
        },
    )

    assert response.status_code == 302, form_errors(response)
    session = Session.objects.get(cohort=cohort)
    assert session.starts_at == datetime.datetime.combine(
        START, datetime.time(7, 0), tzinfo=datetime.UTC
    )
    assert session.format == cohort.format
    assert audited("catalog.session.scheduled", actor=superuser) == 1


def test_a_session_ending_before_it_starts_is_refused_on_the_form(
    superuser: User, center: Center
) -> None:
    cohort = factories.make_cohort(center)

    response = logged_in(superuser).post(
        url("catalog_session_add"),
        {
            "cohort": cohort.pk,
            "starts_at_0": START.isoformat(),
            "starts_at_1": "12:00",
            "ends_at_0": START.isoformat(),
            "ends_at_1": "10:00",
        },
    )

    assert response.status_code == 200
    assert form_errors(response)["ends_at"] == ["Must be after the start."]
    assert not Session.objects.exists()


# --- enrollments -------------------------------------------------------------------------------


def applied(cohort: Cohort, n: int) -> Enrollment:
    enrollment = factories.apply(cohort, n, motivation="I run a factory.")
    assert enrollment.status == Status.APPLIED
    return enrollment


def act(client: Client, action: str, *enrollments: Enrollment) -> Any:
    return client.post(
        url("admissions_enrollment_changelist"),
        {"action": action, "index": "0", "_selected_action": [e.pk for e in enrollments]},
        follow=True,
    )


def test_the_accept_action_offers_a_seat_to_an_applicant(registrar: User, center: Center) -> None:
    cohort = factories.make_cohort(center, admission="review")
    enrollment = applied(cohort, 1)

    response = act(logged_in(staff(registrar)), "accept", enrollment)

    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.status == Status.OFFERED
    assert enrollment.offer_expires_at is not None
    assert "Offered a seat to 1 applicant." in messages_of(response)
    assert audited("admissions.enrollment.offered", actor=registrar) == 1


def test_an_action_reports_each_refusal_by_name_and_does_the_rest(
    registrar: User, center: Center
) -> None:
    cohort = factories.make_cohort(center, capacity=1, admission="review")
    first, second = applied(cohort, 1), applied(cohort, 2)

    response = act(logged_in(staff(registrar)), "accept", first, second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.OFFERED, Status.APPLIED)
    shown = messages_of(response)
    assert "Offered a seat to 1 applicant." in shown
    assert any(
        text.startswith("Person 2 (generated)") and "1 seat is held" in text for text in shown
    )


def test_reject_waitlist_and_withdraw_actions_call_their_services(
    registrar: User, center: Center
) -> None:
    cohort = factories.make_cohort(center, capacity=1, admission="review")
    to_reject, to_waitlist = applied(cohort, 1), applied(cohort, 2)
    client = logged_in(staff(registrar))

    act(client, "reject", to_reject)
    act(client, "waitlist", to_waitlist)  # a seat is free: offered at once
    to_waitlist.refresh_from_db()
    assert to_waitlist.status == Status.OFFERED
    act(client, "withdraw", to_waitlist)

    to_reject.refresh_from_db()
    to_waitlist.refresh_from_db()
    assert (to_reject.status, to_waitlist.status) == (Status.REJECTED, Status.WITHDRAWN)
    assert audited("admissions.enrollment.rejected", actor=registrar) == 1
    assert audited("admissions.enrollment.withdrawn", actor=registrar) == 1


def test_a_registrar_cannot_act_on_another_centers_enrollments(
    registrar: User, other_center: Center
) -> None:
    theirs = applied(factories.make_cohort(other_center, admission="review"), 1)

    act(logged_in(staff(registrar)), "accept", theirs)

    theirs.refresh_from_db()
    assert theirs.status == Status.APPLIED
    assert audited("admissions.enrollment.offered") == 0


def test_enrollments_are_searched_by_participant_and_filtered_by_center(
    registrar: User, center: Center
) -> None:
    cohort = factories.make_cohort(center, admission="review")
    applied(cohort, 1)
    wanted = applied(cohort, 2)
    client = logged_in(staff(registrar))

    found = client.get(url("admissions_enrollment_changelist"), {"q": "person2@example.org"})
    by_center = client.get(
        url("admissions_enrollment_changelist"),
        {"cohort__center__id__exact": center.pk, "status__exact": "applied"},
    )

    assert list(found.context["cl"].result_list) == [wanted]
    assert by_center.context["cl"].result_count == 2


def test_a_viewer_reads_the_roster_but_is_offered_no_actions(viewer: User, center: Center) -> None:
    enrollment = applied(factories.make_cohort(center, admission="review"), 1)
    client = logged_in(staff(viewer))

    page = client.get(url("admissions_enrollment_changelist"))
    assert page.status_code == 200 and b'value="accept"' not in page.content
    act(client, "accept", enrollment)

    enrollment.refresh_from_db()
    assert enrollment.status == Status.APPLIED
    assert client.get(url("catalog_cohort_change", enrollment.cohort_id)).context["title"] == (
        "View cohort"
    )


def test_staff_without_a_role_see_nothing(outsider: User, center: Center) -> None:
    factories.make_cohort(center)
    client = logged_in(staff(outsider))

    index = client.get(url("index"))
    assert index.status_code == 200 and index.context["app_list"] == []
    assert client.get(url("catalog_cohort_changelist")).status_code == 403
    assert client.get(url("admissions_enrollment_changelist")).status_code == 403


def test_a_center_manager_corrects_the_time_zone_but_cannot_move_the_center_along(
    network: Network, center: Center
) -> None:
    manager = staff(factories.make_user("moscow.manager"))
    network_services.grant_role(
        actor=SYSTEM, user=manager, network=network, role="manager", center=center
    )
    client = logged_in(manager)

    page = client.get(url("network_center_change", center.pk))
    assert b"new_status" not in page.content
    response = client.post(
        url("network_center_change", center.pk),
        center_status_form(center, timezone="Europe/Samara", new_status="closed"),
    )

    assert response.status_code == 302, form_errors(response)
    center.refresh_from_db()
    assert (center.timezone, center.status) == ("Europe/Samara", CenterStatus.OPERATING)
    assert audited("network.center.changed", actor=manager) == 1


# --- memberships -------------------------------------------------------------------------------


def test_office_grants_and_revokes_a_role_and_both_are_audited(
    office: User, network: Network, center: Center
) -> None:
    newcomer = factories.make_user("newcomer")
    client = logged_in(staff(office))

    response = client.post(
        url("network_membership_add"),
        {"user": newcomer.pk, "network": network.pk, "center": center.pk, "role": "registrar"},
    )
    assert response.status_code == 302, form_errors(response)
    membership = newcomer.memberships.get()
    assert audited("network.membership.granted", actor=office) == 1

    response = client.post(url("network_membership_delete", membership.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not newcomer.memberships.exists()
    assert audited("network.membership.revoked", actor=office) == 1


def test_the_office_role_cannot_be_tied_to_one_center(
    office: User, network: Network, center: Center
) -> None:
    newcomer = factories.make_user("newcomer")
    response = logged_in(staff(office)).post(
        url("network_membership_add"),
        {"user": newcomer.pk, "network": network.pk, "center": center.pk, "role": "office"},
    )
    assert response.status_code == 200
    assert "center" in form_errors(response)
    assert not newcomer.memberships.exists()


def test_registrars_do_not_manage_memberships(registrar: User) -> None:
    client = logged_in(staff(registrar))
    assert client.get(url("network_membership_changelist")).status_code == 403
    assert client.get(url("network_membership_add")).status_code == 403

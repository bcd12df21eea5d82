import datetime
from decimal import Decimal

import pytest

from kakehashi.catalog import services
from kakehashi.catalog.models import Cohort
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import InvalidInput, PermissionDenied
from kakehashi.core.models import AuditEvent
from tests import factories
from tests.factories import SYSTEM


@pytest.fixture
def program(network):  # type: ignore[no-untyped-def]
    return factories.make_program(network, "production-management")


def create(center, program, **changes):  # type: ignore[no-untyped-def]
    start = datetime.date(2027, 3, 1)
    fields = {
        "starts_on": start,
        "ends_on": start + datetime.timedelta(days=5),
        "capacity": 20,
        "code": "pm-2027",
    }
    fields.update(changes)
    return services.create_cohort(actor=SYSTEM, program=program, center=center, **fields)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"ends_on": datetime.date(2027, 2, 1)}, "ends_on"),
        ({"fee": "-5"}, "fee"),
        ({"fee": "1500.5", "currency": "JPY"}, "fee"),
        ({"fee": "12.345", "currency": "RUB"}, "fee"),
        ({"fee": "lots"}, "fee"),
        ({"fee": "NaN"}, "fee"),
        ({"currency": "XYZ"}, "currency"),
        ({"language": "de"}, "language"),
        ({"format": "carrier-pigeon"}, "format"),
        ({"admission": "lottery"}, "admission"),
        ({"offer_hours": 0}, "offer_hours"),
        ({"fee": "1e20"}, "fee"),
        ({"fee": "1.234", "currency": "KWD"}, "currency"),
        ({"capacity": 10**12}, "capacity"),
        ({"code": "весна-2027"}, "code"),
        ({"code": "x" * 61}, "code"),
        ({"code": "spring\x002027"}, "code"),
    ],
)
def test_bad_cohort_input_is_named_and_changes_nothing(center, program, changes, field):
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as error:
        create(center, program, **changes)
    assert field in error.value.fields
    assert error.value.message
    assert not Cohort.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("fee", "currency", "stored"),
    [("1500", "JPY", Decimal(1500)), ("12.5", "RUB", Decimal("12.50")), (0, "USD", Decimal(0))],
)
def test_fees_are_exact_in_the_currencys_minor_units(center, program, fee, currency, stored):
    cohort = create(center, program, fee=fee, currency=currency.lower())
    cohort.refresh_from_db()
    assert cohort.fee == stored
    assert cohort.currency == currency


def test_cohort_codes_are_unique_per_center(center, program):
    create(center, program)
    with pytest.raises(InvalidInput) as error:
        create(center, program)
    assert "code" in error.value.fields


def test_session_times_are_the_centers_local_time(other_center, network):
    start = datetime.date(2027, 3, 1)
    cohort = factories.make_cohort(other_center, starts_on=start, ends_on=start)  # UTC+10
    session = services.schedule_session(
        actor=SYSTEM,
        cohort=cohort,
        starts_at=datetime.datetime(2027, 3, 1, 10, 0),
        ends_at=datetime.datetime(2027, 3, 1, 13, 0),
    )
    assert session.starts_at == datetime.datetime(2027, 3, 1, 0, 0, tzinfo=datetime.UTC)
    assert str(session).endswith("2027-03-01 10:00")


def test_a_session_must_end_after_it_starts(center):
    start = datetime.date(2027, 3, 1)
    cohort = factories.make_cohort(center, starts_on=start, ends_on=start)
    with pytest.raises(InvalidInput) as error:
        services.schedule_session(
            actor=SYSTEM,
            cohort=cohort,
            starts_at=datetime.datetime(2027, 3, 1, 10, 0),
            ends_at=datetime.datetime(2027, 3, 1, 9, 0),
        )
    assert "ends_at" in error.value.fields


def test_a_room_of_another_center_is_refused(center, other_center):
    from kakehashi.network.services import add_room

    room = add_room(actor=SYSTEM, center=other_center, name="Hall A")
    start = datetime.date(2027, 3, 1)
    cohort = factories.make_cohort(center, starts_on=start, ends_on=start)
    with pytest.raises(InvalidInput) as error:
        services.schedule_session(
            actor=SYSTEM,
            cohort=cohort,
            starts_at=datetime.datetime(2027, 3, 1, 10, 0),
            ends_at=datetime.datetime(2027, 3, 1, 12, 0),
            room=room,
        )
    assert "room" in error.value.fields


def test_registrars_schedule_only_at_their_center(center, other_center, registrar, program):
    start = datetime.date(2027, 3, 1)
    kwargs = {"starts_on": start, "ends_on": start, "capacity": 5}
    services.create_cohort(actor=StaffActor(registrar), program=program, center=center, **kwargs)
    with pytest.raises(PermissionDenied):
        services.create_cohort(
            actor=StaffActor(registrar), program=program, center=other_center, **kwargs
        )


def test_only_the_network_office_edits_the_catalog(network, registrar, office):
    with pytest.raises(PermissionDenied):
        factories.catalog.create_program(
            actor=StaffActor(registrar), network=network, slug="hr", name={"en": "HR"}, topic="hr"
        )
    program = factories.catalog.create_program(
        actor=StaffActor(office),
        network=network,
        slug="hr",
        name={"en": "HR", "ja": "人事管理"},
        topic="hr",
    )
    assert program.name_ja == "人事管理"


def test_a_session_must_fall_within_its_cohorts_dates(center):
    cohort = factories.make_cohort(center)
    before = datetime.datetime.combine(cohort.starts_on, datetime.time(10)) - datetime.timedelta(
        days=1
    )
    with pytest.raises(InvalidInput) as error:
        services.schedule_session(
            actor=SYSTEM,
            cohort=cohort,
            starts_at=before,
            ends_at=before + datetime.timedelta(hours=2),
        )
    assert "starts_at" in error.value.fields


def test_an_instructor_must_work_at_the_center(center, other_registrar):
    cohort = factories.make_cohort(center)
    day = datetime.datetime.combine(cohort.starts_on, datetime.time(10))
    with pytest.raises(InvalidInput) as error:
        services.schedule_session(
            actor=SYSTEM,
            cohort=cohort,
            starts_at=day,
            ends_at=day + datetime.timedelta(hours=2),
            instructor=other_registrar,
        )
    assert "instructor" in error.value.fields


def test_cohort_dates_cannot_leave_its_sessions_outside(center):
    cohort = factories.make_cohort(center)
    last_day = datetime.datetime.combine(cohort.ends_on, datetime.time(10))
    services.schedule_session(
        actor=SYSTEM,
        cohort=cohort,
        starts_at=last_day,
        ends_at=last_day + datetime.timedelta(hours=1),
    )
    with pytest.raises(InvalidInput, match="outside the new dates"):
        services.update_cohort(
            actor=SYSTEM, cohort=cohort, ends_on=cohort.ends_on - datetime.timedelta(days=1)
        )


@pytest.mark.parametrize("field", ["starts_on", "ends_on", "capacity", "fee", "offer_hours"])
def test_required_cohort_fields_cannot_be_emptied(center, program, field):
    cohort = create(center, program)
    with pytest.raises(InvalidInput) as error:
        services.update_cohort(actor=SYSTEM, cohort=cohort, **{field: None})
    assert field in error.value.fields


def test_a_program_slug_is_made_from_what_was_typed(network):
    program = services.create_program(
        actor=SYSTEM, network=network, slug="Small Business 101", name={"en": "SB"}, topic="general"
    )
    assert program.slug == "small-business-101"


def test_the_office_edits_and_retires_a_program(network, office, center):
    program = factories.make_program(network, "kaizen")
    services.update_program(
        actor=StaffActor(office),
        program=program,
        name={"ru": "Кайдзен"},
        hours=36,
        description={"en": "5S"},
    )
    program.refresh_from_db()
    assert (program.name_en, program.name_ru, program.hours) == (
        "Production management",
        "Кайдзен",
        36,
    )
    services.update_program(actor=StaffActor(office), program=program, is_active=False)
    with pytest.raises(InvalidInput, match="no longer offered"):
        create(center, program)
    actions = AuditEvent.objects.filter(object_type="catalog.program", object_id=str(program.pk))
    assert list(actions.order_by("seq").values_list("action", flat=True)) == [
        "catalog.program.created",
        "catalog.program.changed",
        "catalog.program.retired",
    ]


def test_registrars_cannot_edit_the_catalog(network, registrar):
    program = factories.make_program(network)
    with pytest.raises(PermissionDenied):
        services.update_program(actor=StaffActor(registrar), program=program, hours=1)

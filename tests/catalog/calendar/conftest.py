"""Builders for the calendar feed tests: centers with an address in three languages,
sessions typed in a center's local time, and a client that reads a feed back with the
``icalendar`` library."""

import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from icalendar import Calendar, Event

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program, Session
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, CenterStatus, Network, Room
from tests import factories
from tests.factories import SYSTEM

TEN = datetime.time(10, 0)


@pytest.fixture(autouse=True)
def _leave_no_language_active() -> Iterator[None]:
    # A request activates its language for the rest of the thread.
    yield
    translation.deactivate()


def make_center(network: Network, slug: str, tz: str) -> Center:
    """An operating center with its name, city and address in English, Russian, Japanese."""
    center = network_services.create_center(
        actor=SYSTEM,
        network=network,
        slug=slug,
        name={"en": f"Center {slug}", "ru": f"Центр {slug}", "ja": f"センター {slug}"},
        city={"en": "Khabarovsk", "ru": "Хабаровск", "ja": "ハバロフスク"},
        address={
            "en": "7 Lenin Street",
            "ru": "ул. Ленина, 7",
            "ja": "レーニン通り7",
        },
        timezone_name=tz,
    )
    return network_services.change_center_status(
        actor=SYSTEM, center=center, to_status=CenterStatus.OPERATING
    )


def make_program(network: Network, slug: str) -> Program:
    return catalog.create_program(
        actor=SYSTEM,
        network=network,
        slug=slug,
        name={
            "en": f"Kaizen {slug}",
            "ru": f"Кайдзен {slug}",
            "ja": f"カイゼン {slug}",
        },
        topic="production",
    )


def make_cohort(center: Center, *, code: str, starts_on: datetime.date, days: int = 30) -> Cohort:
    return factories.make_cohort(
        center,
        make_program(center.network, f"p-{code}"),
        code=code,
        capacity=10,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=days),
    )


def schedule(
    cohort: Cohort,
    day: datetime.date,
    *,
    at: datetime.time = TEN,
    hours: int = 2,
    **extra: Any,
) -> Session:
    """A session on ``day`` at ``at``, both the center's local time."""
    start = datetime.datetime.combine(day, at)  # naive: the service reads it as local
    return catalog.schedule_session(
        actor=SYSTEM,
        cohort=cohort,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        **extra,
    )


def enroll(cohort: Cohort, email: str, **extra: Any) -> Enrollment:
    return admissions.apply(
        actor=SYSTEM,
        cohort=cohort,
        applicant=admissions.Applicant(email=email, full_name=email.split("@")[0].title()),
        **extra,
    )


def staff(username: str, network: Network, role: str, center: Center | None, **extra: Any) -> User:
    user = factories.make_user(username, **extra)
    network_services.grant_role(actor=SYSTEM, user=user, network=network, role=role, center=center)
    return user


def fetch(url: str, client: Client | None = None, headers: dict[str, str] | None = None) -> Any:
    """GET ``url`` as a calendar app does: no session, no cookies."""
    return (client or Client()).get(url, headers=headers or {})


def read(response: Any) -> Calendar:
    """The feed in ``response``, parsed by the icalendar library."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list[Event]:
    return list(calendar.events)


def start_of(event: Event) -> datetime.datetime:
    """When ``event`` starts: always a time of day in our feeds, never a whole day."""
    start = event.start
    assert isinstance(start, datetime.datetime)
    return start


def uids(calendar: Calendar) -> set[str]:
    return {str(event["UID"]) for event in calendar.events}


def uid(session: Session) -> str:
    return f"session-{session.pk}@{urlsplit(settings.KAKEHASHI_BASE_URL).hostname}"


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def khabarovsk(network: Network) -> Center:
    return make_center(network, "khabarovsk", "Asia/Vladivostok")


@pytest.fixture
def room(khabarovsk: Center) -> Room:
    return network_services.add_room(actor=SYSTEM, center=khabarovsk, name="Room 301")


@pytest.fixture
def teacher(network: Network, khabarovsk: Center) -> User:
    """An instructor at Khabarovsk, with a full name."""
    return staff(
        "teacher", network, Role.INSTRUCTOR, khabarovsk, first_name="Ivan", last_name="Sato"
    )

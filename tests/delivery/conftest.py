"""Personas and builders for teaching a cohort: instructors, a cohort under way with
sessions behind it, under way and to come, and the people enrolled in it."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from kakehashi.admissions.models import Enrollment
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program, Session
from kakehashi.core.models import AuditEvent, User
from kakehashi.core.roles import Role
from kakehashi.delivery import services
from kakehashi.delivery.models import Assessment
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Network
from tests import factories
from tests.factories import SYSTEM
from tests.support.clients import ApiClient

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def staff(username: str, network: Network, role: str, center: Center | None) -> User:
    user = factories.make_user(username)
    network_services.grant_role(actor=SYSTEM, user=user, network=network, role=role, center=center)
    return user


@pytest.fixture
def colleague(network: Network, center: Center) -> User:
    """Another instructor at Moscow, teaching none of the course's sessions."""
    return staff("colleague", network, Role.INSTRUCTOR, center)


@pytest.fixture
def far_instructor(network: Network, other_center: Center) -> User:
    """An instructor at Vladivostok."""
    return staff("far_instructor", network, Role.INSTRUCTOR, other_center)


def make_session(
    cohort: Cohort,
    starts_at: datetime.datetime,
    *,
    length: datetime.timedelta = 2 * HOUR,
    instructor: User | None = None,
    title: str = "",
) -> Session:
    return catalog.schedule_session(
        actor=SYSTEM,
        cohort=cohort,
        starts_at=starts_at,
        ends_at=starts_at + length,
        instructor=instructor,
        title=title,
    )


def running_cohort(
    center: Center,
    *,
    program: Program | None = None,
    days: int = 20,
    capacity: int = 10,
    **extra: Any,
) -> Cohort:
    """A cohort that started ``days`` ago and ends as many days from now."""
    today = timezone.localdate(timezone=center.tzinfo)
    return factories.make_cohort(
        center,
        program,
        capacity=capacity,
        starts_on=today - datetime.timedelta(days=days),
        ends_on=today + datetime.timedelta(days=days),
        **extra,
    )


@dataclass
class Course:
    """A cohort under way: sessions[0] and [1] are over, [2] is on now (started half an
    hour ago), [3] is in three days. The instructor teaches all four; three people are
    enrolled."""

    cohort: Cohort
    sessions: list[Session]
    people: list[Enrollment]
    instructor: User

    @property
    def now_on(self) -> Session:
        return self.sessions[2]

    @property
    def center(self) -> Center:
        return self.cohort.center


def noon_at(center: Center) -> time_machine.travel:
    """Noon today where ``center`` is, the clock running: a session that started half an
    hour ago is that day's on the center's calendar, whatever the hour the suite runs at."""
    today = timezone.localdate(timezone=center.tzinfo)
    return time_machine.travel(
        datetime.datetime.combine(today, datetime.time(12), center.tzinfo), tick=True
    )


@pytest.fixture
def course(center: Center, instructor: User) -> Iterator[Course]:
    with noon_at(center):
        yield build_course(center, instructor)


def build_course(center: Center, instructor: User) -> Course:
    cohort = running_cohort(center)
    now = timezone.now().replace(microsecond=0)
    starts = [now - 3 * DAY, now - DAY, now - HOUR / 2, now + 3 * DAY]
    sessions = [
        make_session(cohort, start, instructor=instructor, title=f"Session {n}")
        for n, start in enumerate(starts, start=1)
    ]
    people = [factories.apply(cohort, name) for name in ("anna", "boris", "vera")]
    assert {person.status for person in people} == {"enrolled"}
    return Course(cohort, sessions, people, instructor)


def set_rule(
    program: Program,
    *,
    percent: int = 80,
    assessment: str = Assessment.NONE,
    pass_mark: str | None = None,
    max_score: str | None = None,
) -> None:
    services.set_completion_rule(
        actor=SYSTEM,
        program=program,
        min_attendance_percent=percent,
        assessment=assessment,
        pass_mark=Decimal(pass_mark) if pass_mark else None,
        max_score=Decimal(max_score) if max_score else None,
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class DeliveryApi(ApiClient):
    """The shared API client, with PUT."""

    def put(self, path: str, body: object):  # type: ignore[no-untyped-def]
        return self.client.put(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    return DeliveryApi

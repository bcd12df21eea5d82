"""Builders for test data, all going through the services like real users would."""

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program
from kakehashi.core.actors import ParticipantActor, SystemActor
from kakehashi.core.models import User
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, CenterStatus, Network

_seq = itertools.count(1)

# Who acts when a test sets the scene rather than playing a person.
SYSTEM = SystemActor("tests")


def by_link(enrollment: Enrollment) -> ParticipantActor:
    """The enrollment's participant, acting through the signed link mailed to them."""
    return admissions.participant_actor(enrollment.participant)


def make_user(username: str | None = None, **extra: Any) -> User:
    username = username or f"user{next(_seq)}"
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery",
        **extra,
    )


def make_network(slug: str = "net") -> Network:
    return network_services.create_network(
        actor=SYSTEM, slug=slug, name={"en": "Test Network", "ru": "Сеть", "ja": "ネットワーク"}
    )


def make_center(
    network: Network,
    slug: str | None = None,
    *,
    status: str = CenterStatus.OPERATING,
    tz: str = "Europe/Moscow",
) -> Center:
    slug = slug or f"center-{next(_seq)}"
    center = network_services.create_center(
        actor=SYSTEM,
        network=network,
        slug=slug,
        name={"en": f"Center {slug}"},
        city={"en": "Moscow"},
        timezone_name=tz,
    )
    if status != CenterStatus.PLANNED:
        center = network_services.change_center_status(
            actor=SYSTEM, center=center, to_status=CenterStatus.OPERATING
        )
    return center


def make_program(network: Network, slug: str | None = None) -> Program:
    return catalog.create_program(
        actor=SYSTEM,
        network=network,
        slug=slug or f"program-{next(_seq)}",
        name={"en": "Production management"},
        topic="production",
    )


def make_cohort(
    center: Center,
    program: Program | None = None,
    *,
    capacity: int = 3,
    admission: str = "first_come",
    **extra: Any,
) -> Cohort:
    program = program or make_program(center.network)
    start = timezone.localdate() + datetime.timedelta(days=30)
    return catalog.create_cohort(
        actor=SYSTEM,
        program=program,
        center=center,
        starts_on=extra.pop("starts_on", start),
        ends_on=extra.pop("ends_on", start + datetime.timedelta(days=10)),
        capacity=capacity,
        admission=admission,
        code=extra.pop("code", f"c{next(_seq)}"),
        fee=extra.pop("fee", Decimal(0)),
        **extra,
    )


def applicant(n: int | str | None = None) -> admissions.Applicant:
    n = n if n is not None else next(_seq)
    return admissions.Applicant(
        email=f"person{n}@example.org",
        full_name=f"Person {n} (generated)",
        company="Test LLC",
        position="Director",
    )


def apply(cohort: Cohort, n: int | str | None = None, **extra: Any) -> Enrollment:
    return admissions.apply(actor=SYSTEM, cohort=cohort, applicant=applicant(n), **extra)

"""Builders for certificates: cohorts that have begun or ended, participants who complete
them, each through the services as a registrar would."""

import datetime
import itertools
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program
from kakehashi.core.actors import Actor
from kakehashi.credentials.models import Certificate
from kakehashi.delivery import services as delivery
from kakehashi.network.models import Center, Network
from tests import factories
from tests.factories import SYSTEM

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def key_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test signs with keys of its own, in a folder of its own."""
    folder = tmp_path / "keys"
    settings.KAKEHASHI_KEY_DIR = folder
    return folder


def make_program(network: Network, slug: str | None = None, *, hours: int = 36) -> Program:
    """A program that anyone enrolled may complete (no attendance asked), in three languages."""
    program = catalog.create_program(
        actor=SYSTEM,
        network=network,
        slug=slug or f"kaizen-{next(_seq)}",
        name={"en": "Kaizen and 5S", "ru": "Кайдзен и 5S", "ja": "改善と5S"},
        description={"en": "How Japanese plants improve, a little every day."},
        topic="production",
        hours=hours,
    )
    delivery.set_completion_rule(
        actor=SYSTEM, program=program, min_attendance_percent=0, assessment="none"
    )
    return program


def running_cohort(center: Center, program: Program | None = None, **extra: Any) -> Cohort:
    """A cohort that began five days ago and ends in five days."""
    today = timezone.localdate()
    return factories.make_cohort(
        center,
        program or make_program(center.network),
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=5),
        **{"capacity": 10, **extra},
    )


def ended_cohort(center: Center, program: Program | None = None, **extra: Any) -> Cohort:
    today = timezone.localdate()
    return factories.make_cohort(
        center,
        program or make_program(center.network),
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today - datetime.timedelta(days=30),
        **{"capacity": 10, **extra},
    )


def enroll(cohort: Cohort, n: int | str | None = None, *, language: str = "en") -> Enrollment:
    """Apply (in ``language``, which becomes the participant's) and hold a seat."""
    with translation.override(language):
        return factories.apply(cohort, n)


def complete(enrollment: Enrollment, actor: Actor = SYSTEM) -> Certificate:
    admissions.complete(actor=actor, enrollment=enrollment)
    return Certificate.objects.get(enrollment=enrollment)


def certified(center: Center, n: int | str | None = None, *, language: str = "en") -> Certificate:
    """A participant of a running cohort who completed it, and their certificate."""
    return complete(enroll(running_cohort(center), n, language=language))


@pytest.fixture
def certificate(center: Center) -> Certificate:
    return certified(center, "anna", language="ru")


def cohort_with_people(center: Center, people: int) -> Cohort:
    """A running cohort with ``people`` enrolled, every one of whom may complete."""
    cohort = running_cohort(center, capacity=people + 5)
    for n in range(people):
        enroll(cohort, f"p{n}")
    return cohort

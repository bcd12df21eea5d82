"""Offers expire on time even when nobody opens a page: a real huey consumer does it."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from kakehashi.admissions import services, tasks
from kakehashi.admissions.models import Status
from tests import factories
from tests.factories import by_link
from tests.support.jobs import wait_for


def test_the_sweep_runs_every_minute():
    periodic = {type(task) for task in HUEY._registry.periodic_tasks}
    assert tasks.expire_due_offers.task_class in periodic
    now = datetime.datetime(2026, 11, 28, 10, 17)
    sweep = tasks.expire_due_offers.s()
    assert all(sweep.validate_datetime(now.replace(minute=m)) for m in range(60))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_due_offer_expires_in_the_background_and_the_seat_passes_on(center, consumer):
    cohort = factories.make_cohort(center, capacity=1, offer_hours=1)
    seated, waiting, next_waiting = (factories.apply(cohort, n) for n in range(3))
    # The offer is made an hour and a bit ago, so its expiry job is due at once.
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=61), tick=True):
        services.withdraw(actor=by_link(seated), enrollment=seated)
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED

    def passed_on() -> bool:
        waiting.refresh_from_db()
        next_waiting.refresh_from_db()
        return (waiting.status, next_waiting.status) == (Status.EXPIRED, Status.OFFERED)

    assert wait_for(passed_on), "the consumer did not expire the offer"

"""Invariants 1–3 under attack: many requests at once, more than there are seats.

Each race first runs with a slow read injected between "count the seats" and "write the
enrollment", which widens the window a missing lock would leave open. The tests at the end
take the locking out and show that the same race then breaks the invariants, so the
guards proven here are the ones doing the work.
"""

import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.db.models import Count

from kakehashi.admissions import services
from kakehashi.admissions.models import LIVE, Enrollment, Status
from kakehashi.catalog.models import SEAT_HOLDING, Cohort
from kakehashi.core import audit
from tests import factories
from tests.factories import by_link
from tests.support.race import race as threads_at_once

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

THREADS = 24


# Only a conflict ("full", "already applied") is a clear no in these races; any other error is a
# crash.
race = partial(threads_at_once, refused=services.Conflict)


@pytest.fixture
def slow_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: every seat count takes a while, as on a loaded server."""
    real = services.seats_held

    def slow_seats_held(cohort: Cohort) -> int:
        held = real(cohort)
        time.sleep(0.02)
        return held

    monkeypatch.setattr(services.common, "seats_held", slow_seats_held)


@pytest.fixture
def locking_removed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Take the cohort lock out: no row lock on the cohort, and plain deferred transactions
    on SQLite. The audit chain keeps its own lock, so what breaks is the seat count."""

    def no_lock(queryset: Any, **lookup: Any) -> Any:
        return queryset.get(**lookup)

    monkeypatch.setattr(services.common, "lock_row", no_lock)
    options = connection.settings_dict.setdefault("OPTIONS", {})
    previous = options.get("transaction_mode")
    if connection.vendor == "sqlite":
        options["transaction_mode"] = "DEFERRED"
    yield
    if connection.vendor == "sqlite":
        options["transaction_mode"] = previous


def seats_held(cohort: Cohort) -> int:
    return Enrollment.objects.filter(cohort=cohort, status__in=SEAT_HOLDING).count()


def assert_admission_invariants(cohort: Cohort) -> None:
    cohort.refresh_from_db()
    # 1. Seats held never exceed capacity.
    assert seats_held(cohort) <= cohort.capacity
    # 2. Nobody holds two live enrollments in the cohort.
    doubles = (
        Enrollment.objects.filter(cohort=cohort, status__in=LIVE)
        .values("participant")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert list(doubles) == []
    # 3. A free seat never sits idle while someone waits.
    if seats_held(cohort) < cohort.capacity:
        assert not Enrollment.objects.filter(cohort=cohort, status=Status.WAITLISTED).exists()


def test_concurrent_applications_fill_exactly_the_capacity(center, slow_reads):
    cohort = factories.make_cohort(center, capacity=5)

    outcome = race(THREADS, lambda i: factories.apply(cohort, f"race{i}"))

    assert outcome.crashes == []
    assert sorted(outcome.statuses).count(Status.ENROLLED) == 5
    assert seats_held(cohort) == cohort.capacity
    assert_admission_invariants(cohort)


def test_waiting_list_keeps_the_order_in_which_applications_were_decided(center, slow_reads):
    cohort = factories.make_cohort(center, capacity=3)

    race(THREADS, lambda i: factories.apply(cohort, f"order{i}"))

    decided = list(Enrollment.objects.filter(cohort=cohort).order_by("created_at", "pk"))
    # First come, first served: the first three decided got the seats, the rest wait in
    # the same order.
    assert [e.status for e in decided[:3]] == [Status.ENROLLED] * 3
    waiting = services.waiting_list(cohort)
    assert [e.pk for e in waiting] == [e.pk for e in decided[3:]]
    assert [services.waitlist_position(e) for e in waiting] == list(range(1, len(waiting) + 1))


def test_one_person_applying_many_times_at_once_gets_one_enrollment(center, slow_reads):
    cohort = factories.make_cohort(center, capacity=5)

    outcome = race(12, lambda i: factories.apply(cohort, "same-person"))

    assert outcome.crashes == []
    assert len(outcome.statuses) == 1
    assert all(isinstance(e, services.AlreadyApplied) for e in outcome.refusals)
    assert Enrollment.objects.filter(cohort=cohort).count() == 1


def test_concurrent_withdrawals_pass_each_seat_to_the_longest_waiting(center, slow_reads):
    cohort = factories.make_cohort(center, capacity=6)
    enrolled = [factories.apply(cohort, f"seat{i}") for i in range(6)]
    waiting = [factories.apply(cohort, f"wait{i}") for i in range(8)]
    assert {e.status for e in waiting} == {Status.WAITLISTED}

    def withdraw_or_apply(i: int) -> Enrollment:
        if i < len(enrolled):
            return services.withdraw(actor=by_link(enrolled[i]), enrollment=enrolled[i])
        return factories.apply(cohort, f"late{i}")

    outcome = race(len(enrolled) + 6, withdraw_or_apply)

    assert outcome.crashes == []
    assert_admission_invariants(cohort)
    # Six seats freed: the six who waited longest hold them (as offers), in order.
    offered = Enrollment.objects.filter(cohort=cohort, status=Status.OFFERED)
    assert sorted(offered.values_list("pk", flat=True)) == [e.pk for e in waiting[:6]]
    still_waiting = [e.pk for e in services.waiting_list(cohort)]
    assert still_waiting[:2] == [e.pk for e in waiting[6:]]


def test_audit_chain_stays_intact_under_concurrent_changes_at_two_centers(
    center, other_center, slow_reads
):
    first = factories.make_cohort(center, capacity=4)
    second = factories.make_cohort(other_center, capacity=4)

    outcome = race(16, lambda i: factories.apply(first if i % 2 else second, f"two{i}"))

    assert outcome.crashes == []
    assert [link for _chain, link in audit.verify()] == [None] * len(list(audit.verify()))


# --- the guards have teeth -------------------------------------------------------------------


def test_without_locking_the_same_race_overbooks_or_crashes(center, slow_reads, locking_removed):
    cohort = factories.make_cohort(center, capacity=5)

    outcome = race(THREADS, lambda i: factories.apply(cohort, f"nolock{i}"))

    if connection.vendor == "sqlite":
        # Deferred transactions read a snapshot, then fail to upgrade to a write: the user
        # would see a 500 ("database is locked") instead of a seat or the waiting list.
        assert any(isinstance(e, OperationalError) for e in outcome.crashes)
    else:
        # Without the row lock, requests count the same free seats and all take them.
        assert seats_held(cohort) > cohort.capacity

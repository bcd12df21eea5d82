"""The lock helper on both databases: rows in order of key, a lock timeout that becomes
``LockTimeout`` (never a bare database error), and domain rows before the audit chain."""

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kakehashi.core import audit
from kakehashi.core.errors import LockTimeout
from kakehashi.core.locking import (
    LockOrderError,
    is_lock_timeout,
    lock_row,
    lock_rows,
    lock_timeouts_as_busy,
)
from kakehashi.network.models import Center
from tests import factories


@contextmanager
def held_elsewhere(take: Callable[[], object]) -> Iterator[None]:
    """Another connection runs ``take`` in a transaction and holds it open meanwhile."""
    taken, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                take()
                taken.set()
                release.wait(10)
        except BaseException as error:  # shown by the assertion below
            failure.append(error)
            taken.set()
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10) and not failure, failure
    try:
        yield
    finally:
        release.set()
        thread.join(10)


@pytest.fixture
def short_waits(settings: Any) -> Iterator[None]:
    """A 200 ms lock timeout on PostgreSQL, a 200 ms busy timeout on SQLite."""
    settings.KAKEHASHI_LOCK_TIMEOUT_MS = 200
    options = connection.settings_dict.setdefault("OPTIONS", {})
    previous = options.get("timeout")
    if connection.vendor == "sqlite":
        options["timeout"] = 0.2
        connection.close()  # the next query connects with the short busy timeout
    yield
    if connection.vendor == "sqlite":
        options["timeout"] = previous
        connection.close()


def centers(network: Any, n: int) -> list[Center]:
    return [factories.make_center(network, f"city-{i}") for i in range(n)]


def locked_ids(queries: list[dict[str, str]]) -> list[int]:
    pattern = re.compile(r'"network_center"\."id" = (\d+)')
    return [int(m.group(1)) for q in queries if (m := pattern.search(q["sql"]))]


def test_rows_are_locked_in_order_of_key_whatever_order_they_are_named_in(network):
    first, second, third = centers(network, 3)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        rows = lock_rows(Center.objects.all(), [third.pk, first.pk, second.pk, first.pk])
    assert [row.pk for row in rows] == [first.pk, second.pk, third.pk]
    assert locked_ids(queries.captured_queries) == [first.pk, second.pk, third.pk]
    if connection.vendor == "postgresql":
        assert all("FOR UPDATE" in q["sql"] for q in queries if "network_center" in q["sql"])
        assert any("lock_timeout" in q["sql"] for q in queries)


@pytest.mark.django_db(transaction=True)
def test_locking_outside_a_transaction_is_refused(center):
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        lock_row(Center.objects.all(), pk=center.pk)
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        lock_rows(Center.objects.all(), [center.pk])


# Committed set-up: rows locked by the set-up in the same transaction would still be held.
@pytest.mark.django_db(transaction=True)
def test_a_domain_row_locked_after_the_audit_chain_is_refused(network):
    center, other = centers(network, 2)
    with transaction.atomic():
        lock_row(Center.objects.all(), pk=center.pk)
        audit.record(
            chain_key=audit.chain_key_for_center(center.pk),
            action="test.locked",
            actor=factories.SYSTEM,
            target=center,
        )
        lock_row(Center.objects.all(), pk=center.pk)  # held already: waits for nobody
        with pytest.raises(LockOrderError, match="after this transaction's audit chain"):
            lock_row(Center.objects.all(), pk=other.pk)
        with pytest.raises(LockOrderError):
            lock_rows(Center.objects.all(), [center.pk, other.pk])


@pytest.mark.django_db(transaction=True)
def test_the_next_transaction_may_lock_domain_rows_again(network):
    center, other = centers(network, 2)
    for outcome in ("commit", "rollback"):
        ending = pytest.raises(ZeroDivisionError) if outcome == "rollback" else nullcontext()
        with ending, transaction.atomic():
            lock_row(Center.objects.all(), pk=center.pk)
            audit.record(
                chain_key=audit.chain_key_for_center(center.pk),
                action="test.locked",
                actor=factories.SYSTEM,
                target=center,
            )
            if outcome == "rollback":
                raise ZeroDivisionError
        with transaction.atomic():
            assert lock_row(Center.objects.all(), pk=other.pk) == other


@contextmanager
def nullcontext() -> Iterator[None]:
    yield


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_row_held_too_long_elsewhere_is_a_lock_timeout(network, short_waits):
    center = factories.make_center(network, "moscow")

    def take() -> object:
        if connection.vendor == "sqlite":  # BEGIN IMMEDIATE holds the whole database
            return Center.objects.filter(pk=center.pk).update(name=center.name)
        return lock_row(Center.objects.all(), pk=center.pk)

    # On SQLite the wait is at BEGIN IMMEDIATE, before any lock_row: the same helper that
    # pages and the API use turns it into LockTimeout as well.
    with (
        held_elsewhere(take),
        pytest.raises(LockTimeout) as raised,
        lock_timeouts_as_busy(),
        transaction.atomic(),
    ):
        lock_row(Center.objects.all(), pk=center.pk)
    cause = raised.value.__cause__
    assert cause is not None and is_lock_timeout(cause)
    if connection.vendor == "postgresql":
        assert getattr(cause.__cause__, "sqlstate", None) == "55P03"
    else:
        assert "database is locked" in str(cause)
    with transaction.atomic():  # and once released, the same lock is taken at once
        assert lock_row(Center.objects.all(), pk=center.pk) == center

"""The one way Kakehashi locks rows it is about to decide on.

Always call inside ``transaction.atomic``. On PostgreSQL this is ``SELECT ... FOR UPDATE``
after ``SET LOCAL lock_timeout``, so a request waits at most
``settings.KAKEHASHI_LOCK_TIMEOUT_MS`` for a row another request holds. On SQLite every
transaction is ``BEGIN IMMEDIATE`` (see settings), which already holds the database's
single write lock, so the row lock has nothing more to add there; the wait happens at
``BEGIN`` (the busy timeout) instead.

Either database's "I waited too long" becomes the domain's :class:`LockTimeout`, which
pages and the API answer with 503 and ``Retry-After``: the caller may simply try again.

Lock order is fixed so that two requests never wait for each other in a circle: several
rows of one kind are locked in the order of their primary keys (``lock_rows``), domain
rows before the audit chain (``lock_audit_chain``). The second rule is enforced: once a
transaction holds an audit chain, locking a domain row it does not already hold raises.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, models, transaction
from django.utils.translation import gettext as _

from kakehashi.core.errors import LockTimeout

M = TypeVar("M", bound=models.Model)

# PostgreSQL's SQLSTATE for lock_not_available (lock_timeout exceeded, NOWAIT refused).
PG_LOCK_NOT_AVAILABLE = "55P03"


class LockOrderError(RuntimeError):
    """A transaction tried to lock a domain row after the audit chain: a programming error
    that could deadlock two requests, so it fails loudly in development and in tests."""


def busy() -> LockTimeout:
    return LockTimeout(_("The record is busy with another change; please try again in a moment."))


def is_lock_timeout(error: BaseException) -> bool:
    """Whether ``error`` is a database saying it waited too long for a lock.

    SQLite says "database is locked" when its busy timeout runs out (at ``BEGIN
    IMMEDIATE``, at a write, or at commit); PostgreSQL raises ``LockNotAvailable``
    (SQLSTATE 55P03) when ``lock_timeout`` runs out.
    """
    if isinstance(error, LockTimeout):
        return True
    if not isinstance(error, DatabaseError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == PG_LOCK_NOT_AVAILABLE:
        return True
    message = str(error).lower()
    return isinstance(error, OperationalError) and (
        "database is locked" in message or "database table is locked" in message
    )


@contextmanager
def lock_timeouts_as_busy() -> Iterator[None]:
    """Turn a database's lock timeout inside the block into :class:`LockTimeout`."""
    try:
        yield
    except DatabaseError as error:
        if is_lock_timeout(error):
            raise busy() from error
        raise


# --- what the current transaction holds --------------------------------------------------------


@dataclass
class _Held:
    """The rows the current transaction has locked, and where it locked an audit chain."""

    clear: Callable[[], None]
    rows: set[tuple[str, object]] = field(default_factory=set)
    # The savepoints open when the chain was locked: the check covers that atomic block
    # (the service's) and blocks inside it. A service called after it in one larger
    # transaction (the demo loads everything at once) starts a block of its own, and so
    # its own order of locks; the caller composing them answers for their order.
    chain_scope: tuple[object, ...] | None = None


def _open_savepoints() -> tuple[object, ...]:
    return tuple(connection.savepoint_ids)


def _held() -> _Held:
    """This transaction's record of its locks, started afresh for a new transaction."""
    held: _Held | None = getattr(connection, "_kakehashi_held_locks", None)
    # A commit runs ``clear``; a rollback (of the transaction, or of the savepoint the locks
    # were taken in) drops it from the callbacks Django keeps.
    if held is not None and not any(entry[1] is held.clear for entry in connection.run_on_commit):
        held = None
    if held is None:

        def clear() -> None:
            connection._kakehashi_held_locks = None  # type: ignore[attr-defined]

        held = _Held(clear=clear)
        transaction.on_commit(clear)
        connection._kakehashi_held_locks = held  # type: ignore[attr-defined]
    return held


def _chain_locked(held: _Held) -> bool:
    scope = held.chain_scope
    return scope is not None and _open_savepoints()[: len(scope)] == scope


def _row_id(model: type[models.Model], pk: object) -> tuple[str, object]:
    return (model._meta.label_lower, pk)


def _check_order(model: type[models.Model], pks: Iterable[object]) -> None:
    held = _held()
    if not _chain_locked(held):
        return
    # Locking again a row this transaction already holds waits for nobody.
    missing = [pk for pk in pks if _row_id(model, pk) not in held.rows]
    if missing:
        raise LockOrderError(
            f"{model._meta.label} {missing} locked after this transaction's audit chain; "
            "lock every domain row before recording the audit event"
        )


def _remember(rows: Iterable[models.Model], *, chain: bool = False) -> None:
    held = _held()
    held.rows.update(_row_id(type(row), row.pk) for row in rows)
    if chain and not _chain_locked(held):
        held.chain_scope = _open_savepoints()


# --- locking -----------------------------------------------------------------------------------


def _select_for_update(queryset: "models.QuerySet[M]", lookup: dict[str, object]) -> M:
    with lock_timeouts_as_busy():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # set_config(..., true) is SET LOCAL: it lasts until the transaction ends.
                # Set before every lock, so a transaction opened anywhere (a view, a job, a
                # command) waits no longer than configured, on this and any later statement.
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, true)",
                    [f"{int(settings.KAKEHASHI_LOCK_TIMEOUT_MS)}ms"],
                )
        # of=("self",): lock only this row, not the rows select_related joins in, so that
        # locking a cohort does not also lock its center against the center's other cohorts.
        return queryset.select_for_update(of=("self",)).get(**lookup)


def lock_row(
    queryset: "models.QuerySet[M]", *, after_audit_chain: bool = False, **lookup: object
) -> M:
    """Lock and return the single row of ``queryset`` matching ``lookup``, freshly read.

    ``after_audit_chain=True`` lets a transaction that already holds an audit chain lock
    this row; the caller says in a comment why no other transaction can hold the row while
    waiting for that chain.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_row() must be called inside transaction.atomic()")
    if set(lookup) == {"pk"} and not after_audit_chain:
        _check_order(queryset.model, [lookup["pk"]])
    row = _select_for_update(queryset, lookup)
    if not after_audit_chain:
        _check_order(queryset.model, [row.pk])
    _remember([row])
    return row


def lock_rows(queryset: "models.QuerySet[M]", pks: Iterable[object]) -> list[M]:
    """Lock the rows of ``queryset`` with these primary keys, in ascending order of key,
    and return them freshly read in that order.

    Whatever order the caller names them in, two transactions locking overlapping sets
    take the rows in the same order, so neither holds one the other is waiting for. Each
    row is locked by its own statement: one ``SELECT ... FOR UPDATE`` over many rows locks
    them in whatever order its plan happens to read them.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_rows() must be called inside transaction.atomic()")
    ordered = sorted(set(pks))  # type: ignore[type-var]
    _check_order(queryset.model, ordered)
    rows = [_select_for_update(queryset, {"pk": pk}) for pk in ordered]
    _remember(rows)
    return rows


def lock_audit_chain(queryset: "models.QuerySet[M]", **lookup: object) -> M:
    """Lock an audit chain's head row: the last lock a transaction takes. From here until
    the transaction ends, locking a domain row it does not already hold raises
    :class:`LockOrderError`."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_audit_chain() must be called inside transaction.atomic()")
    row = _select_for_update(queryset, lookup)
    _remember([row], chain=True)
    return row

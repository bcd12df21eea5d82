"""The one way Kakehashi locks rows it is about to decide on.

Always call inside ``transaction.atomic``. On PostgreSQL this is ``SELECT ... FOR UPDATE``;
on SQLite every transaction is ``BEGIN IMMEDIATE`` (see settings), which already holds the
database's single write lock, so the row lock has nothing more to add there. Lock rows in
a fixed order (the domain row first, the audit chain last) so two requests never wait for
each other in a circle.
"""

from typing import TypeVar

from django.db import OperationalError, connection, models
from django.utils.translation import gettext as _

from kakehashi.core.errors import LockTimeout

M = TypeVar("M", bound=models.Model)


def lock_row(queryset: "models.QuerySet[M]", **lookup: object) -> M:
    """Lock and return the single row of ``queryset`` matching ``lookup``, freshly read."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_row() must be called inside transaction.atomic()")
    try:
        # of=("self",): lock only this row, not the rows select_related joins in, so that
        # locking a cohort does not also lock its center against the center's other cohorts.
        return queryset.select_for_update(of=("self",)).get(**lookup)
    except OperationalError as error:  # lock wait timed out on a busy row
        raise LockTimeout(
            _("The record is busy with another change; please try again in a moment.")
        ) from error

"""Refund rules: how much of a payment a rule gives back, in exact decimals.

Payments cannot read attendance (it lives in a higher app), so a higher app registers a
*progress source* at startup: a function that, for a subject such as
``admissions.enrollment:123``, says when it starts, how many sessions it has and how many
of them the payer has not attended (including those not held yet). The rule math lives
here; the facts come from whoever knows them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from kakehashi.core.errors import Conflict
from kakehashi.core.money import quantum
from kakehashi.payments.models import RefundRule


@dataclass(frozen=True)
class Progress:
    """How far a subject has run for its payer."""

    starts_on: datetime.date | None
    sessions: int
    unattended: int  # not attended, or not held yet

    def __post_init__(self) -> None:
        if self.sessions < 0 or not 0 <= self.unattended <= self.sessions:
            raise ValueError("unattended sessions must be between 0 and the number of sessions")


ProgressSource = Callable[[str], Progress | None]

# Subject type ("admissions.enrollment") -> the source that knows its progress.
_sources: dict[str, ProgressSource] = {}


def register_progress_source(subject_type: str, source: ProgressSource) -> None:
    """Tell payments how to find the progress of subjects of ``subject_type``.

    Call from the owning app's ``AppConfig.ready``; registering again replaces the source.
    """
    _sources[subject_type] = source


def unregister_progress_source(subject_type: str) -> None:
    _sources.pop(subject_type, None)


def progress_of(subject: str) -> Progress | None:
    subject_type = subject.split(":", 1)[0]
    source = _sources.get(subject_type)
    return source(subject) if source is not None else None


def entitlement(
    *,
    rule: str,
    paid: Decimal,
    currency: str,
    today: datetime.date,
    starts_on: datetime.date | None,
    progress: Progress | None,
) -> Decimal:
    """How much of ``paid`` the rule gives back in total (before what was refunded already).

    Pro rata rounds *down* to the currency's minor unit, so a rule never returns more than
    its share.
    """
    if rule == RefundRule.FULL:
        return paid
    if rule == RefundRule.NONE:
        return Decimal(0)
    start = progress.starts_on if progress is not None and progress.starts_on else starts_on
    if start is None:
        raise Conflict(_("The start date is not known, so the refund rule cannot be applied."))
    if today < start:
        return paid
    if rule == RefundRule.FULL_BEFORE_START:
        return Decimal(0)
    if progress is None:
        raise Conflict(
            _(
                "Attendance is not known here, so a refund in proportion to the sessions "
                "cannot be worked out; enter the amount instead."
            )
        )
    if progress.sessions == 0:
        return paid
    share = paid * Decimal(progress.unattended) / Decimal(progress.sessions)
    return share.quantize(quantum(currency), rounding=ROUND_DOWN)

"""What the delivery services share: their refusals, the locks they take, the audit
events they write and the numbers they accept."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kakehashi.catalog.models import Cohort, Session
from kakehashi.core import audit
from kakehashi.core.actors import Actor
from kakehashi.core.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from kakehashi.core.locking import lock_row
from kakehashi.core.roles import Perm
from kakehashi.delivery.models import SCORE_PLACES
from kakehashi.network import access
from kakehashi.network.models import Center

# An instructor marks their session from its start until this long after its end; later,
# only someone who may correct records changes the marks.
MARKING_WINDOW = datetime.timedelta(hours=48)
# Participants check in from this long before the start to the end of the session...
CHECK_IN_OPENS = datetime.timedelta(minutes=30)
# ...and are late when they check in more than this long after the start.
LATE_AFTER = datetime.timedelta(minutes=10)
# The largest score or pass mark the columns hold.
MAX_SCORE = Decimal("99999.99")

# What the messages call the fields these services take.
FIELD_LABELS = {
    "min_attendance_percent": gettext_lazy("minimum attendance"),
    "assessment": gettext_lazy("final assessment"),
    "pass_mark": gettext_lazy("pass mark"),
    "max_score": gettext_lazy("highest score"),
    "score": gettext_lazy("score"),
    "passed": gettext_lazy("passed"),
}


class MarkingClosed(Conflict):
    code = "marking_closed"


class CheckInClosed(Conflict):
    code = "check_in_closed"


class NotTakingPart(PermissionDenied):
    code = "not_taking_part"


class NotEligible(InvalidTransition):
    """The participant does not meet the program's completion rule (yet)."""

    code = "not_eligible"


# --- helpers ---------------------------------------------------------------------------------


def lock_cohort(cohort_id: int) -> Cohort:
    return lock_row(Cohort.objects.select_related("center", "program"), pk=cohort_id)


def lock_session(session_id: int) -> tuple[Cohort, Session]:
    """Lock the session's cohort, then read the session afresh."""
    cohort_id = Session.objects.filter(pk=session_id).values_list("cohort_id", flat=True).first()
    if cohort_id is None:
        raise NotFound(_("There is no such session."))
    cohort = lock_cohort(cohort_id)
    session = Session.objects.select_related("cohort__center", "cohort__program").get(pk=session_id)
    return cohort, session


def local_time(value: datetime.datetime, center: Center) -> str:
    return date_format(timezone.localtime(value, center.tzinfo), "DATETIME_FORMAT")


def log(center_id: int, action: str, actor: Actor, target: models.Model, **data: object) -> None:
    audit.record(
        chain_key=audit.chain_key_for_center(center_id),
        action=f"delivery.{action}",
        actor=actor,
        target=target,
        data=data,
    )


def denied(actor: Actor, perm: Perm, center: Center) -> PermissionDenied | None:
    try:
        access.authorize(actor, perm, network=center.network_id, center=center)
    except PermissionDenied as error:
        return error
    return None


def plain(number: Decimal) -> str:
    """A number without trailing zeros, never in exponent notation: 80, 82.5."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def clean_decimal(
    field: str, value: object, *, minimum: Decimal, maximum: Decimal, positive: bool = False
) -> Decimal:
    """An exact number with at most two decimal places, between ``minimum`` and ``maximum``
    (above ``minimum`` when ``positive``); refused, never rounded."""
    name = str(FIELD_LABELS[field])
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(
            capfirst(_("%(field)s is required.") % {"field": name}),
            fields={field: _("This field is required.")},
        )
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            capfirst(_("%(field)s must be a number, such as 75 or 82.5.") % {"field": name}),
            fields={field: _("Enter a number.")},
        ) from None
    if (
        not number.is_finite()
        or number < minimum
        or number > maximum
        or (positive and number <= minimum)
    ):
        lowest = _("more than %(min)s") if positive else "%(min)s"
        raise InvalidInput(
            capfirst(
                _("%(field)s must be from %(lowest)s to %(max)s.")
                % {
                    "field": name,
                    "lowest": lowest % {"min": plain(minimum)},
                    "max": plain(maximum),
                }
            ),
            fields={
                field: _("Enter a number from %(min)s to %(max)s.")
                % {"min": plain(minimum), "max": plain(maximum)}
            },
        )
    step = Decimal(1).scaleb(-SCORE_PLACES)
    if number != number.quantize(step):
        raise InvalidInput(
            capfirst(
                _("%(field)s %(value)s has more than two decimal places.")
                % {"field": name, "value": number}
            ),
            fields={field: _("Use at most two decimal places.")},
        )
    return number.quantize(step)


def corrects_records(actor: Actor, center: Center) -> bool:
    return access.actor_may(actor, Perm.CORRECT_RECORDS, network=center.network_id, center=center)

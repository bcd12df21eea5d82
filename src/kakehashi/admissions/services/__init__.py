"""Admissions: applying, deciding, the participant's own actions, the waiting list and its
offers, and a center's history, one module per use case (see each module).

Callers import the package (``from kakehashi.admissions import services``) and find every
public name here.
"""

from kakehashi.admissions.services.applying import apply
from kakehashi.admissions.services.common import (
    WAITING_ORDER,
    AlreadyApplied,
    Applicant,
    ApplicationsClosed,
    CohortFull,
    OfferExpired,
    ahead_in_waiting_list,
    in_waiting_order,
    participant_actor,
    seats_held,
    waiting,
    waiting_list,
    waiting_order,
    waitlist_position,
)
from kakehashi.admissions.services.deciding import accept, complete, reject, waitlist
from kakehashi.admissions.services.history import PAST_OUTCOMES, record_past_participant
from kakehashi.admissions.services.offers import OFFER_EXPIRY, expire_offers, promote_from_waitlist
from kakehashi.admissions.services.participants import (
    WITHDRAWABLE,
    cohort_has_ended,
    confirm,
    decline,
    may_withdraw,
    withdraw,
)
from kakehashi.core.errors import Conflict

__all__ = [
    "OFFER_EXPIRY",
    "PAST_OUTCOMES",
    "WAITING_ORDER",
    "WITHDRAWABLE",
    "AlreadyApplied",
    "Applicant",
    "ApplicationsClosed",
    "CohortFull",
    "Conflict",
    "OfferExpired",
    "accept",
    "ahead_in_waiting_list",
    "apply",
    "cohort_has_ended",
    "complete",
    "confirm",
    "decline",
    "expire_offers",
    "in_waiting_order",
    "may_withdraw",
    "participant_actor",
    "promote_from_waitlist",
    "record_past_participant",
    "reject",
    "seats_held",
    "waiting",
    "waiting_list",
    "waiting_order",
    "waitlist",
    "waitlist_position",
    "withdraw",
]

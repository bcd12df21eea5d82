"""Delivery: marking attendance, checking in, recording results, completion rules and
completing participants.

Every use case that changes a cohort's records locks the cohort's row first (as every
admissions use case does), then reads what it decides on afresh: so a mark, a result and
a completion of the same cohort happen one at a time, and a participant withdrawn a moment
ago is never marked. A program's completion rule is locked through its program's row.
"""

from kakehashi.delivery.services.attendance import (
    CheckIn,
    check_in,
    mark_all_present,
    mark_attendance,
    marking_refusal,
    may_mark,
    may_show_check_in,
    teaching_refusal,
)
from kakehashi.delivery.services.common import (
    CHECK_IN_OPENS,
    LATE_AFTER,
    MARKING_WINDOW,
    MAX_SCORE,
    CheckInClosed,
    MarkingClosed,
    NotEligible,
    NotTakingPart,
)
from kakehashi.delivery.services.completion import (
    completable_enrollments,
    complete_enrollment,
    set_completion_rule,
)
from kakehashi.delivery.services.results import may_record_results, record_result, result_refusal

__all__ = [
    "CHECK_IN_OPENS",
    "LATE_AFTER",
    "MARKING_WINDOW",
    "MAX_SCORE",
    "CheckIn",
    "CheckInClosed",
    "MarkingClosed",
    "NotEligible",
    "NotTakingPart",
    "check_in",
    "completable_enrollments",
    "complete_enrollment",
    "mark_all_present",
    "mark_attendance",
    "marking_refusal",
    "may_mark",
    "may_record_results",
    "may_show_check_in",
    "record_result",
    "result_refusal",
    "set_completion_rule",
    "teaching_refusal",
]

"""Where each participant of a cohort stands against their program's completion rule.

:func:`judge` is the rule: the only place that decides whether someone may complete. The
cohort's page (through :func:`progress_of`) and the completion service (through
:func:`progress_of_enrollment`) both ask it, so the page can never promise a completion
the service would refuse, nor the other way round.

The share of attendance is counted against every session of the cohort: attended (present
or late) out of all sessions scheduled. Marks are compared in whole numbers
(``attended * 100 >= required * total``), never as rounded percentages.
"""

from kakehashi.delivery.progress.cohort import (
    ParticipantProgress,
    progress_of,
    progress_of_enrollment,
)
from kakehashi.delivery.progress.rule import (
    STANDING_ORDER,
    Standing,
    Tally,
    Verdict,
    assessment_passed,
    attendance_met,
    effective_rule,
    judge,
    percent_text,
    required_text,
    result_text,
    rule_for_program_id,
    score_text,
)
from kakehashi.delivery.progress.transcript import (
    Transcript,
    TranscriptLine,
    attendance_label,
    session_hours,
    transcript_of,
)

__all__ = [
    "STANDING_ORDER",
    "ParticipantProgress",
    "Standing",
    "Tally",
    "Transcript",
    "TranscriptLine",
    "Verdict",
    "assessment_passed",
    "attendance_label",
    "attendance_met",
    "effective_rule",
    "judge",
    "percent_text",
    "progress_of",
    "progress_of_enrollment",
    "required_text",
    "result_text",
    "rule_for_program_id",
    "score_text",
    "session_hours",
    "transcript_of",
]

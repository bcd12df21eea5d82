"""The completion rule itself: a participant's tally of marks and their result, judged
against the program's rule, with the reasons in sentences a registrar can act on.

:func:`judge` is the only place that decides whether someone may complete. Marks are
compared in whole numbers (``attended * 100 >= required * total``), never as rounded
percentages.
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from babel.numbers import format_decimal, format_percent
from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext_lazy, ngettext, to_locale
from django.utils.translation import gettext as _

from kakehashi.catalog.models import Program
from kakehashi.delivery.models import Assessment, AssessmentResult, CompletionRule


class Standing(models.TextChoices):
    """Where a participant stands, from the registrar's point of view."""

    COMPLETED = "completed", gettext_lazy("Completed")
    ELIGIBLE = "eligible", gettext_lazy("Can complete")
    ON_TRACK = "on_track", gettext_lazy("On track")
    AT_RISK = "at_risk", gettext_lazy("At risk")


# The cohort's page lists those who need attention first.
STANDING_ORDER = {
    Standing.AT_RISK: 0,
    Standing.ON_TRACK: 1,
    Standing.ELIGIBLE: 2,
    Standing.COMPLETED: 3,
}


# --- showing numbers -------------------------------------------------------------------------


def _locale() -> str:
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def percent_text(share: Decimal) -> str:
    """A share (0.375) as a whole percentage in the active language, rounded down, so that
    a share shown as "80 %" has always reached 80 %."""
    floored = (share * 100).to_integral_value(rounding=ROUND_FLOOR) / 100
    return format_percent(floored, locale=_locale())


def required_text(rule: CompletionRule) -> str:
    return format_percent(Decimal(rule.min_attendance_percent) / 100, locale=_locale())


def score_text(score: Decimal) -> str:
    """A score as the active language writes it, without trailing zeros: 45.5, 45,5, 75."""
    return format_decimal(score, locale=_locale())


# --- the rule --------------------------------------------------------------------------------


def rule_for_program_id(program_id: int) -> CompletionRule:
    """The rule of the program ``program_id``, or the default one (unsaved)."""
    rule = CompletionRule.objects.filter(program_id=program_id).first()
    return rule if rule is not None else CompletionRule(program_id=program_id)


def effective_rule(program: Program) -> CompletionRule:
    """The program's completion rule; the default (80 %, no assessment, unsaved) when the
    program has none of its own."""
    return rule_for_program_id(program.pk)


@dataclass(frozen=True)
class Tally:
    """One participant's marks over their cohort's sessions.

    ``total`` = ``attended + excused + absent + unmarked + upcoming``: every session has
    exactly one of a mark, no mark though it is over (``unmarked``), or no mark yet because
    it is still to come or under way (``upcoming``)."""

    total: int
    held: int
    attended: int
    late: int
    excused: int
    absent: int
    unmarked: int
    upcoming: int

    @property
    def share(self) -> Decimal | None:
        """Attended out of all the cohort's sessions; None when it has none."""
        return Decimal(self.attended) / Decimal(self.total) if self.total else None

    @property
    def open(self) -> int:
        """Sessions that may still count as attended: coming ones and ones not marked."""
        return self.unmarked + self.upcoming


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    standing: Standing
    reasons: tuple[str, ...]


def attendance_met(rule: CompletionRule, tally: Tally) -> bool:
    if not tally.total:
        return rule.min_attendance_percent == 0
    return tally.attended * 100 >= rule.min_attendance_percent * tally.total


def assessment_passed(rule: CompletionRule, result: AssessmentResult | None) -> bool | None:
    """True or False once the assessment is judged (always True without one); None while
    no result of the kind the rule asks for is recorded."""
    if rule.assessment == Assessment.NONE:
        return True
    if rule.assessment == Assessment.SCORE:
        if result is None or result.score is None:
            return None
        return result.score >= rule.pass_mark
    if result is None or result.passed is None:
        return None
    return result.passed


def _needed(rule: CompletionRule, total: int) -> int:
    """The fewest sessions to attend out of ``total`` to reach the rule's share."""
    return -(-rule.min_attendance_percent * total // 100)


def _attendance_reasons(rule: CompletionRule, tally: Tally) -> tuple[list[str], bool]:
    """Why attendance falls short, and whether that puts the completion at risk."""
    if not tally.total:
        return [
            _("No sessions are scheduled for this cohort, so attendance cannot be counted.")
        ], True
    facts = {
        "attended": tally.attended,
        "total": tally.total,
        "share": percent_text(tally.share or Decimal(0)),
        "required": required_text(rule),
        "open": tally.open,
    }
    needed = _needed(rule, tally.total)
    best = tally.attended + tally.open
    if best < needed:
        if tally.open:
            text = ngettext(
                "Attended %(attended)d of %(total)d sessions (%(share)s); the program asks "
                "for %(required)s, and %(open)d session remains, so it can no longer be "
                "reached.",
                "Attended %(attended)d of %(total)d sessions (%(share)s); the program asks "
                "for %(required)s, and %(open)d sessions remain, so it can no longer be "
                "reached.",
                tally.open,
            )
        else:
            text = _(
                "Attended %(attended)d of %(total)d sessions (%(share)s); the program asks "
                "for %(required)s."
            )
        return [text % facts], True
    if best == needed:
        text = ngettext(
            "Attended %(attended)d of %(total)d sessions (%(share)s); to reach the "
            "%(required)s the program asks for, the %(open)d remaining session must be attended.",
            "Attended %(attended)d of %(total)d sessions (%(share)s); to reach the "
            "%(required)s the program asks for, all %(open)d remaining sessions must be "
            "attended.",
            tally.open,
        )
        return [text % facts], True
    more = needed - tally.attended
    text = ngettext(
        "Attended %(attended)d of %(total)d sessions so far (%(share)s); the program asks "
        "for %(required)s: %(more)d more of the %(open)d remaining sessions.",
        "Attended %(attended)d of %(total)d sessions so far (%(share)s); the program asks "
        "for %(required)s: %(more)d more of the %(open)d remaining sessions.",
        more,
    )
    return [text % {**facts, "more": more}], False


def _assessment_reasons(
    rule: CompletionRule, result: AssessmentResult | None, passed: bool | None
) -> list[str]:
    if passed is None:
        return [_("No result recorded for the final assessment.")]
    if passed:
        return []
    if rule.assessment == Assessment.SCORE and result is not None and result.score is not None:
        return [
            _("Score %(score)s is below the pass mark of %(pass_mark)s.")
            % {"score": score_text(result.score), "pass_mark": score_text(rule.pass_mark)}
        ]
    return [_("Did not pass the final assessment.")]


def judge(rule: CompletionRule, tally: Tally, result: AssessmentResult | None) -> Verdict:
    """The completion rule. Eligible exactly when the share attended reaches the rule's
    minimum and the final assessment, where there is one, is passed.

    Otherwise the reasons say what is missing, in sentences a registrar can act on, and the
    standing says whether it is at risk: the share can no longer be reached (or only by
    attending every remaining session), the assessment was failed, or every session is
    over and something is still missing."""
    met = attendance_met(rule, tally)
    passed = assessment_passed(rule, result)
    if met and passed:
        return Verdict(eligible=True, standing=Standing.ELIGIBLE, reasons=())
    reasons: list[str] = []
    at_risk = passed is False
    if not met:
        why, risky = _attendance_reasons(rule, tally)
        reasons += why
        at_risk = at_risk or risky
    if tally.unmarked:
        reasons.append(
            ngettext(
                "%(count)d past session has no attendance mark yet.",
                "%(count)d past sessions have no attendance mark yet.",
                tally.unmarked,
            )
            % {"count": tally.unmarked}
        )
    reasons += _assessment_reasons(rule, result, passed)
    if tally.upcoming == 0:
        at_risk = True  # nothing left to happen by itself
    return Verdict(
        eligible=False,
        standing=Standing.AT_RISK if at_risk else Standing.ON_TRACK,
        reasons=tuple(reasons),
    )


def result_text(rule: CompletionRule, result: AssessmentResult | None) -> str:
    """The result of the final assessment, as a sentence; empty when there is none."""
    if rule.assessment == Assessment.NONE:
        return ""
    passed = assessment_passed(rule, result)
    if passed is None:
        return _("No result recorded")
    if rule.assessment == Assessment.SCORE:
        assert result is not None and result.score is not None
        facts = {"score": score_text(result.score), "max": score_text(rule.max_score)}
        if passed:
            return _("Score %(score)s of %(max)s: passed") % facts
        return _("Score %(score)s of %(max)s: not passed") % facts
    return _("Passed") if passed else _("Not passed")

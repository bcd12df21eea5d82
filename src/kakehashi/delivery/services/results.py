"""Results of the final assessment: who may record them, and recording (or correcting)
one, checked against the program's completion rule."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort, Session
from kakehashi.core.actors import Actor, acting_user
from kakehashi.core.cleaning import clean_text
from kakehashi.core.errors import DomainError, InvalidInput, InvalidTransition, PermissionDenied
from kakehashi.core.roles import Perm
from kakehashi.delivery.models import Assessment, AssessmentResult
from kakehashi.delivery.progress import effective_rule
from kakehashi.delivery.services.common import (
    clean_decimal,
    corrects_records,
    denied,
    lock_cohort,
    log,
)
from kakehashi.network.services import ensure_writable


def result_refusal(actor: Actor, cohort: Cohort) -> DomainError | None:
    """Why ``actor`` may not record results in ``cohort``; None when they may: whoever may
    correct records at the center, or an instructor of one of the cohort's sessions."""
    center = cohort.center
    if corrects_records(actor, center):
        return None
    refusal = denied(actor, Perm.TEACH, center)
    if refusal is not None:
        return refusal
    if not Session.objects.filter(cohort=cohort, instructor=acting_user(actor)).exists():
        return PermissionDenied(
            _("Only the cohort's instructors and the center's registrars can record results.")
        )
    return None


def may_record_results(actor: Actor, cohort: Cohort) -> bool:
    return not cohort.center.is_read_only and result_refusal(actor, cohort) is None


def result_facts(result: AssessmentResult) -> dict[str, object]:
    return {"score": result.score, "passed": result.passed, "note": result.note}


@transaction.atomic
def record_result(
    *,
    actor: Actor,
    enrollment: Enrollment,
    score: Decimal | str | int | None = None,
    passed: bool | None = None,
    note: str = "",
) -> AssessmentResult:
    """Record an enrolled participant's result in the final assessment, as the program's
    rule asks: a ``score`` from 0 to the highest score (two decimal places at most, never
    rounded), or ``passed``. Recording again corrects it, audited with the old and the new
    result. The cohort's instructors and whoever may correct records at the center."""
    cohort = lock_cohort(enrollment.cohort_id)
    refusal = result_refusal(actor, cohort)
    if refusal is not None:
        raise refusal
    ensure_writable(cohort.center)
    enrollment = Enrollment.objects.select_related("participant").get(pk=enrollment.pk)
    who = {"name": enrollment.participant.full_name, "program": cohort.program.name}
    if enrollment.status == Status.COMPLETED:
        raise InvalidTransition(
            _("%(name)s has already completed %(program)s; the result can no longer change.") % who
        )
    if enrollment.status != Status.ENROLLED:
        raise InvalidTransition(
            _("%(name)s is not taking part in this cohort (%(status)s).")
            % {**who, "status": enrollment.get_status_display().lower()}
        )
    rule = effective_rule(cohort.program)
    note = clean_text("note", note, max_length=2000)
    if rule.assessment == Assessment.NONE:
        raise InvalidInput(
            _("%(program)s has no final assessment, so there is no result to record.") % who,
            fields={"score": _("This program has no final assessment.")},
        )
    value: Decimal | None = None
    if rule.assessment == Assessment.SCORE:
        if passed is not None:
            raise InvalidInput(
                _("%(program)s's final assessment is scored; give a score, not pass or fail.")
                % who,
                fields={"passed": _("Give a score instead.")},
            )
        value = clean_decimal("score", score, minimum=Decimal(0), maximum=rule.max_score)
    else:
        if score is not None and score != "":
            raise InvalidInput(
                _("%(program)s's final assessment is pass or fail; it takes no score.") % who,
                fields={"score": _("Say whether they passed instead.")},
            )
        if not isinstance(passed, bool):
            raise InvalidInput(
                _("Say whether %(name)s passed the final assessment.") % who,
                fields={"passed": _("Choose passed or not passed.")},
            )
    result = AssessmentResult.objects.filter(enrollment=enrollment).first()
    before = result_facts(result) if result is not None else None
    if result is None:
        result = AssessmentResult(enrollment=enrollment)
    result.score = value
    result.passed = passed if rule.assessment == Assessment.PASS_FAIL else None
    result.note = note
    after = result_facts(result)
    if before == after:
        return result
    result.recorded_by = acting_user(actor)
    result.recorded_at = timezone.now()
    result.save()
    log(
        cohort.center_id,
        "result.recorded" if before is None else "result.corrected",
        actor,
        result,
        enrollment=enrollment.pk,
        participant=enrollment.participant_id,
        before=before,
        after=after,
    )
    return result

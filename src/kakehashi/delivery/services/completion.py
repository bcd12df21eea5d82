"""Completion: a program's completion rule, and completing the participants who meet it
(the same rule the cohort's page shows, from ``kakehashi.delivery.progress``)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort, Program
from kakehashi.core import audit
from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import choice_list
from kakehashi.core.errors import InvalidInput, InvalidTransition
from kakehashi.core.locking import lock_row
from kakehashi.core.roles import Perm
from kakehashi.delivery.models import Assessment, CompletionRule
from kakehashi.delivery.progress import progress_of, progress_of_enrollment
from kakehashi.delivery.services.common import (
    FIELD_LABELS,
    MAX_SCORE,
    NotEligible,
    clean_decimal,
    lock_cohort,
    log,
    plain,
)
from kakehashi.delivery.services.results import result_facts
from kakehashi.network import access
from kakehashi.network.services import ensure_writable


def rule_facts(rule: CompletionRule) -> dict[str, object]:
    return {
        "min_attendance_percent": rule.min_attendance_percent,
        "assessment": rule.assessment,
        "pass_mark": rule.pass_mark,
        "max_score": rule.max_score,
    }


@transaction.atomic
def set_completion_rule(
    *,
    actor: Actor,
    program: Program,
    min_attendance_percent: int,
    assessment: str,
    pass_mark: Decimal | str | int | None = None,
    max_score: Decimal | str | int | None = None,
) -> CompletionRule:
    """Set what completing ``program`` takes: the minimum share of sessions attended and
    the final assessment (none, a score with a pass mark, or pass or fail). A pass mark or
    highest score not given stays as it was (60 of 100 by default). The network office's
    job; audited on the network's chain. Setting the rule it already has changes nothing."""
    program = lock_row(Program.objects.all(), pk=program.pk)
    access.authorize(actor, Perm.MANAGE_PROGRAMS, network=program.network_id)
    name = str(FIELD_LABELS["min_attendance_percent"])
    try:
        if isinstance(min_attendance_percent, bool):
            raise ValueError
        percent = int(str(min_attendance_percent).strip())
    except (TypeError, ValueError):
        raise InvalidInput(
            capfirst(_("%(field)s must be a whole number of percent.") % {"field": name}),
            fields={"min_attendance_percent": _("Enter a whole number from 0 to 100.")},
        ) from None
    if not 0 <= percent <= 100:
        raise InvalidInput(
            capfirst(_("%(field)s must be from 0 to 100 %%.") % {"field": name}),
            fields={"min_attendance_percent": _("Enter a whole number from 0 to 100.")},
        )
    if assessment not in Assessment.values:
        raise InvalidInput(
            _("%(value)s is not a kind of final assessment.") % {"value": assessment or "''"},
            fields={
                "assessment": _("Choose one of: %(choices)s.")
                % {"choices": choice_list(Assessment.choices)}
            },
        )
    rule = CompletionRule.objects.filter(program=program).first() or CompletionRule(program=program)
    before = rule_facts(rule) if rule.pk else None
    highest = clean_decimal(
        "max_score",
        rule.max_score if max_score is None else max_score,
        minimum=Decimal(0),
        maximum=MAX_SCORE,
        positive=True,
    )
    mark = clean_decimal(
        "pass_mark",
        rule.pass_mark if pass_mark is None else pass_mark,
        minimum=Decimal(0),
        maximum=MAX_SCORE,
    )
    if mark > highest:
        raise InvalidInput(
            _("The pass mark (%(pass_mark)s) cannot be higher than the highest score (%(max)s).")
            % {"pass_mark": plain(mark), "max": plain(highest)},
            fields={
                "pass_mark": _("Enter at most the highest score, %(max)s.")
                % {"max": plain(highest)}
            },
        )
    rule.min_attendance_percent = percent
    rule.assessment = assessment
    rule.pass_mark = mark
    rule.max_score = highest
    after = rule_facts(rule)
    if before == after:
        return rule
    rule.updated_at = timezone.now()
    rule.save()
    audit.record(
        chain_key=audit.chain_key_for_network(program.network_id),
        action="delivery.completion_rule.set",
        actor=actor,
        target=rule,
        data={"program": program.slug, "before": before, "after": after},
    )
    return rule


@transaction.atomic
def complete_enrollment(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Complete an enrolled participant who meets the program's completion rule, judged on
    the records as they are now (the cohort locked), by the same rule the cohort's page
    shows. Refused with NotEligible, listing the reasons, otherwise. Then the enrollment is
    completed through admissions (which tells the credentials app to issue the
    certificate), in this transaction."""
    cohort = lock_cohort(enrollment.cohort_id)
    access.authorize(actor, Perm.CERTIFY, network=cohort.center.network_id, center=cohort.center)
    ensure_writable(cohort.center)
    enrollment = Enrollment.objects.select_related("participant", "cohort").get(pk=enrollment.pk)
    name = enrollment.participant.full_name
    if enrollment.status != Status.ENROLLED:
        raise InvalidTransition(
            _("Only an enrolled participant can complete; %(name)s is %(status)s.")
            % {"name": name, "status": enrollment.get_status_display().lower()}
        )
    progress = progress_of_enrollment(enrollment)
    assert progress is not None  # enrolled, so taking part
    if not progress.eligible:
        raise NotEligible(
            _("%(name)s cannot complete yet. %(reasons)s")
            % {"name": name, "reasons": " ".join(progress.reasons)}
        )
    log(
        cohort.center_id,
        "completion.verified",
        actor,
        enrollment,
        enrollment=enrollment.pk,
        participant=enrollment.participant_id,
        attended=progress.attended,
        sessions=progress.sessions_total,
        rule=rule_facts(progress.rule),
        result=result_facts(progress.result) if progress.result is not None else None,
    )
    return admissions.complete(actor=actor, enrollment=enrollment)


def completable_enrollments(cohort: Cohort) -> list[Enrollment]:
    """The cohort's enrolled participants who meet the completion rule now."""
    return [
        row.enrollment
        for row in progress_of(cohort)
        if row.eligible and row.enrollment.status == Status.ENROLLED
    ]

"""A cohort's completion page (who has completed, who can, who is at risk and why),
recording results and completing participants; and a program's completion rule.

The page's standings come from ``kakehashi.delivery.progress``, the same rule the
completion service checks, so a "Complete" button is shown exactly where the service will
agree. With htmx a result or a completion answers with the page's section re-rendered (a
result can move its person up or down the list) and the outcome in a live region;
without JavaScript the form posts and the page comes back through a redirect.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.lookups import visible_cohort, visible_programs
from kakehashi.catalog.models import Cohort
from kakehashi.core import errors
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.core.web.office import is_htmx, office_user, refuse, show_refusal, staff_required
from kakehashi.delivery import services
from kakehashi.delivery.forms import CompletionRuleForm, ResultForm
from kakehashi.delivery.models import Assessment, AssessmentResult, CompletionRule
from kakehashi.delivery.progress import (
    STANDING_ORDER,
    ParticipantProgress,
    Standing,
    effective_rule,
    progress_of,
    required_text,
    score_text,
)
from kakehashi.network import access


@dataclass
class ProgressLine:
    """A participant's row on the completion page, with the result form when the person
    looking may record one."""

    progress: ParticipantProgress
    form: ResultForm | None
    may_complete: bool

    @property
    def badge(self) -> str:
        return {
            Standing.COMPLETED: "ok",
            Standing.ELIGIBLE: "ok",
            Standing.AT_RISK: "bad",
        }.get(self.progress.state, "warn")


def rule_summary(rule: CompletionRule) -> str:
    """The rule in one sentence."""
    attend = _("Attend at least %(percent)s of the sessions.") % {"percent": required_text(rule)}
    if rule.assessment == Assessment.SCORE:
        then = _("Pass the final assessment with a score of at least %(pass_mark)s of %(max)s.") % {
            "pass_mark": score_text(rule.pass_mark),
            "max": score_text(rule.max_score),
        }
    elif rule.assessment == Assessment.PASS_FAIL:
        then = _("Pass the final assessment (pass or fail).")
    else:
        then = _("There is no final assessment.")
    return f"{attend} {then}"


def _initial(result: AssessmentResult | None) -> dict[str, Any]:
    if result is None:
        return {}
    passed = {True: "yes", False: "no"}.get(result.passed) if result.passed is not None else ""
    return {
        "score": result.score.normalize() if result.score is not None else None,
        "passed": passed,
        "note": result.note,
    }


def progress_context(
    user: User, cohort: Cohort, posted: dict[int, ResultForm] | None = None
) -> dict[str, Any]:
    """Everything the completion page shows: the rule, a row per participant (those at
    risk first), and what the person looking may do."""
    center = cohort.center
    network = center.network_id
    rows = sorted(
        progress_of(cohort),
        key=lambda row: (
            STANDING_ORDER[row.state],
            row.enrollment.participant.full_name,
            row.enrollment.pk,
        ),
    )
    rule = rows[0].rule if rows else effective_rule(cohort.program)
    may_record = rule.has_assessment and services.may_record_results(StaffActor(user), cohort)
    may_certify = not center.is_read_only and access.has_perm(
        user, Perm.CERTIFY, network=network, center=center
    )
    lines = []
    for row in rows:
        form = None
        if may_record and row.enrollment.status == Status.ENROLLED:
            form = (posted or {}).get(row.enrollment.pk) or ResultForm(
                prefix=f"result-{row.enrollment.pk}",
                assessment=rule.assessment,
                initial=_initial(row.result),
            )
        lines.append(ProgressLine(row, form, may_complete=may_certify and row.eligible))
    counts = {standing: 0 for standing in sorted(Standing, key=STANDING_ORDER.__getitem__)}
    for row in rows:
        counts[row.state] += 1
    return {
        "cohort": cohort,
        "center": center,
        "rule": rule,
        "rule_summary": rule_summary(rule),
        "lines": lines,
        "counts": [(Standing(standing).label, count) for standing, count in counts.items()],
        "may_record": may_record,
        "may_edit_rule": access.has_perm(user, Perm.MANAGE_PROGRAMS, network=network),
    }


def progress_url(cohort_id: int) -> str:
    return reverse("office:cohort-progress", args=[cohort_id])


@staff_required
@require_safe
def cohort_progress(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's completion page: attendance, results and standing of each participant,
    those at risk first, with the reasons."""
    user = office_user(request)
    cohort = visible_cohort(user, cohort_id, Perm.VIEW_ROSTER)
    return render(request, "delivery/office/progress.html", progress_context(user, cohort))


def _visible_enrollment(user: User, enrollment_id: int) -> Enrollment:
    centers = access.centers_visible_to(user, Perm.VIEW_ROSTER).values("pk")
    return get_object_or_404(
        Enrollment.objects.filter(cohort__center__in=centers).select_related("participant"),
        pk=enrollment_id,
    )


def _answer(
    request: HttpRequest,
    user: User,
    enrollment: Enrollment,
    text: str,
    *,
    failed: bool,
    posted: dict[int, ResultForm] | None = None,
) -> HttpResponse:
    cohort = visible_cohort(user, enrollment.cohort_id, Perm.VIEW_ROSTER)
    response: HttpResponse
    if is_htmx(request):
        context = progress_context(user, cohort, posted)
        context["outcome"] = {"text": text, "error": failed}
        response = render(request, "delivery/office/_progress_update.html", context)
    elif posted:
        # A form with errors: the page again, the person's input kept beside the message.
        context = progress_context(user, cohort, posted)
        context["outcome"] = {"text": text, "error": True}
        response = render(request, "delivery/office/progress.html", context, status=422)
    else:
        messages.add_message(request, messages.ERROR if failed else messages.SUCCESS, text)
        response = HttpResponseRedirect(f"{progress_url(cohort.pk)}#enrollment-{enrollment.pk}")
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required
@require_POST
def record_result(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Record (or correct) one participant's result in the final assessment."""
    user = office_user(request)
    enrollment = _visible_enrollment(user, enrollment_id)
    # Who may record is decided before what was typed is judged.
    refusal = services.result_refusal(StaffActor(user), enrollment.cohort)
    if refusal is not None:
        refuse(refusal)
    rule = effective_rule(enrollment.cohort.program)
    form = ResultForm(request.POST, prefix=f"result-{enrollment.pk}", assessment=rule.assessment)
    name = enrollment.participant.full_name
    if form.is_valid():
        try:
            services.record_result(actor=StaffActor(user), enrollment=enrollment, **form.result())
        except errors.DomainError as error:
            show_refusal(form, error)
        else:
            text = _("The result of %(name)s is saved.") % {"name": name}
            return _answer(request, user, enrollment, text, failed=False)
    elif not form.non_field_errors():
        form.add_error(None, _("The result of %(name)s was not saved.") % {"name": name})
    text = " ".join(str(message) for message in form.non_field_errors())
    return _answer(request, user, enrollment, text, failed=True, posted={enrollment.pk: form})


@staff_required
@require_POST
def complete(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Complete a participant who meets the rule (the certificate follows)."""
    user = office_user(request)
    enrollment = _visible_enrollment(user, enrollment_id)
    try:
        services.complete_enrollment(actor=StaffActor(user), enrollment=enrollment)
    except errors.DomainError as error:
        refuse(error)
        return _answer(request, user, enrollment, error.message, failed=True)
    text = _("%(name)s has completed the program.") % {"name": enrollment.participant.full_name}
    return _answer(request, user, enrollment, text, failed=False)


@staff_required
def program_completion(request: HttpRequest, program_id: int) -> HttpResponse:
    """Edit what completing a program takes (the network office)."""
    user = office_user(request)
    program = get_object_or_404(visible_programs(user).select_related("network"), pk=program_id)
    if not access.has_perm(user, Perm.MANAGE_PROGRAMS, network=program.network_id):
        raise PermissionDenied(_("Only the network office sets completion rules."))
    rule = effective_rule(program)
    form = CompletionRuleForm(
        request.POST if request.method == "POST" else None,
        initial=CompletionRuleForm.initial_for(rule),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_completion_rule(
                actor=StaffActor(user),
                program=program,
                min_attendance_percent=data["min_attendance_percent"],
                assessment=data["assessment"],
                pass_mark=data["pass_mark"],
                max_score=data["max_score"],
            )
        except errors.DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("The completion rule of %(program)s is saved.") % {"program": program.name},
            )
            return HttpResponseRedirect(reverse("office:program-completion", args=[program.pk]))
    return render(
        request,
        "delivery/office/rule_form.html",
        {"form": form, "program": program, "rule": rule, "rule_summary": rule_summary(rule)},
        status=422 if form.errors else 200,
    )

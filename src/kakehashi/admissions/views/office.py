"""The office's pages for a cohort's people: its roster, the decisions taken on it, the
roster as a spreadsheet, and a search for people across the rosters a person may see.

The decisions (accept, reject, waitlist, withdraw) are the same services the API calls,
with the same permission checks. With htmx, a decision answers with the roster section
re-rendered (one decision can move other people too: a withdrawal offers the freed seat to
the longest-waiting person) and the outcome in a live region; without JavaScript, the
form posts and the page comes back through a redirect with the outcome as a message.
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from kakehashi.admissions import services
from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.lookups import may_schedule, roster_url, visible_cohort
from kakehashi.catalog.models import SEAT_HOLDING, Cohort
from kakehashi.core import errors
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.core.web.formatting import fill_rate, money
from kakehashi.core.web.office import is_htmx, office_user, refuse, staff_required
from kakehashi.network import access

# The people of a roster who no longer take part, shown last.
ENDED = (
    Status.REJECTED,
    Status.DECLINED,
    Status.WITHDRAWN,
    Status.EXPIRED,
    Status.CANCELLED,
)
# How many people and cohorts a search lists at most.
SEARCH_LIMIT = 50


# --- the roster --------------------------------------------------------------------------------


def _by_status(enrollments: Iterable[Enrollment], *statuses: str) -> list[Enrollment]:
    return [enrollment for enrollment in enrollments if enrollment.status in statuses]


def roster_context(user: User, cohort: Cohort) -> dict[str, Any]:
    """Everything the roster section shows, from one query of the cohort's enrollments.

    Seats held and the waiting list's order are counted here from the same rows the page
    lists, so the figures and the lists can never disagree."""
    center = cohort.center
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort)
        .select_related("participant")
        .order_by("created_at", "pk")
    )
    waiting = services.in_waiting_order(_by_status(enrollments, Status.WAITLISTED))
    for position, enrollment in enumerate(waiting, start=1):
        enrollment.position = position  # type: ignore[attr-defined]
    held = len(_by_status(enrollments, *SEAT_HOLDING))
    writable = not center.is_read_only
    network = center.network_id
    return {
        "cohort": cohort,
        "center": center,
        "applied": _by_status(enrollments, Status.APPLIED),
        "waiting": waiting,
        "offered": sorted(
            _by_status(enrollments, Status.OFFERED),
            key=lambda enrollment: enrollment.offer_expires_at or enrollment.created_at,
        ),
        "enrolled": _by_status(enrollments, Status.ENROLLED, Status.COMPLETED),
        "ended": sorted(
            _by_status(enrollments, *ENDED),
            key=lambda enrollment: enrollment.status_changed_at,
            reverse=True,
        ),
        "seats_held": held,
        "seats_left": max(0, cohort.capacity - held),
        "fill_rate": fill_rate(held, cohort.capacity),
        "fee": money(cohort.fee, cohort.currency),
        "may_review": writable
        and access.has_perm(user, Perm.REVIEW, network=network, center=center),
        "may_enroll": writable
        and access.has_perm(user, Perm.ENROLL_OTHERS, network=network, center=center),
    }


@staff_required
@require_safe
def roster(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's page: who is enrolled, offered a seat, waiting for a decision or on the
    waiting list (in order), and its sessions, at the center's local time."""
    user = office_user(request)
    cohort = visible_cohort(user, cohort_id, Perm.VIEW_ROSTER)
    context = roster_context(user, cohort)
    context["sessions"] = list(
        cohort.sessions.select_related("room", "instructor").order_by("starts_at", "pk")
    )
    context["may_schedule"] = may_schedule(user, cohort.center)
    return render(request, "admissions/office/roster.html", context)


# --- deciding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    service: Callable[..., Enrollment]
    takes_reason: bool
    done: Callable[[Enrollment], str]


def _name(enrollment: Enrollment) -> dict[str, str]:
    return {"name": enrollment.participant.full_name}


def _waitlisted(enrollment: Enrollment) -> str:
    if enrollment.status == Status.OFFERED:
        return _("A seat was free, so %(name)s has been offered it.") % _name(enrollment)
    return _("%(name)s is on the waiting list.") % _name(enrollment)


DECISIONS: dict[str, Decision] = {
    "accept": Decision(
        services.accept,
        takes_reason=False,
        done=lambda e: _("%(name)s has been offered a seat.") % _name(e),
    ),
    "reject": Decision(
        services.reject,
        takes_reason=True,
        done=lambda e: _("%(name)s has not been accepted.") % _name(e),
    ),
    "waitlist": Decision(services.waitlist, takes_reason=False, done=_waitlisted),
    "withdraw": Decision(
        services.withdraw,
        takes_reason=True,
        done=lambda e: _("%(name)s has been withdrawn.") % _name(e),
    ),
}


@staff_required
@require_POST
def decide(request: HttpRequest, enrollment_id: int, action: str) -> HttpResponse:
    """Accept, reject, waitlist or withdraw one enrollment through its service.

    An enrollment at a center whose rosters the person may not see is not found (404); one
    they may see but not decide on is refused (403), as the service decides. Any other
    refusal (the cohort is full, someone else decided first) is shown, and nothing changes.
    """
    user = office_user(request)
    decision = DECISIONS[action]
    centers = access.centers_visible_to(user, Perm.VIEW_ROSTER).values("pk")
    enrollment = get_object_or_404(
        Enrollment.objects.filter(cohort__center__in=centers).select_related("participant"),
        pk=enrollment_id,
    )
    extra = {"reason": request.POST.get("reason", "")} if decision.takes_reason else {}
    try:
        changed = decision.service(actor=StaffActor(user), enrollment=enrollment, **extra)
    except errors.DomainError as error:
        refuse(error)
        level, text = messages.ERROR, error.message
    else:
        level, text = messages.SUCCESS, decision.done(changed)
    cohort = visible_cohort(user, enrollment.cohort_id, Perm.VIEW_ROSTER)
    response: HttpResponse
    if is_htmx(request):
        context = roster_context(user, cohort)
        context["outcome"] = {"text": text, "error": level == messages.ERROR}
        response = render(request, "admissions/office/_roster_update.html", context)
    else:
        messages.add_message(request, level, text)
        response = HttpResponseRedirect(roster_url(cohort) + "#roster")
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the roster as a spreadsheet ---------------------------------------------------------------


def _cell(value: object) -> str:
    """A value for a spreadsheet cell, never read as a formula (=HYPERLINK(...) typed as a
    company name would run in the registrar's spreadsheet)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS: list[Promise] = [
    gettext_lazy("status"),
    gettext_lazy("place on the waiting list"),
    gettext_lazy("full name"),
    gettext_lazy("email"),
    gettext_lazy("company"),
    gettext_lazy("position"),
    gettext_lazy("phone"),
    gettext_lazy("applied at"),
    gettext_lazy("offer expires at"),
]


@staff_required
@require_safe
def roster_csv(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The roster as CSV (UTF-8 with a byte-order mark, which spreadsheets need to read
    Cyrillic and Japanese), times at the center's local time."""
    user = office_user(request)
    cohort = visible_cohort(user, cohort_id, Perm.VIEW_ROSTER)
    context = roster_context(user, cohort)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cohort.code}-roster.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(column) for column in CSV_COLUMNS])
    zone = cohort.center.tzinfo

    def local(value: Any) -> str:
        return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M") if value else ""

    for group in ("enrolled", "offered", "applied", "waiting", "ended"):
        for enrollment in context[group]:
            person = enrollment.participant
            writer.writerow(
                _cell(value)
                for value in (
                    enrollment.get_status_display(),
                    getattr(enrollment, "position", ""),
                    person.full_name,
                    person.email,
                    person.company,
                    person.position,
                    person.phone,
                    local(enrollment.created_at),
                    local(enrollment.offer_expires_at),
                )
            )
    return response


# --- finding people ----------------------------------------------------------------------------


@staff_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Find people (by name, email or company) and cohorts (by code or program) in the
    rosters the person may see."""
    user = office_user(request)
    query = " ".join(request.GET.get("q", "").split())[:100]
    people: list[Enrollment] = []
    cohorts: list[Cohort] = []
    if len(query) >= 2:
        centers = access.centers_visible_to(user, Perm.VIEW_ROSTER).values("pk")
        people = list(
            Enrollment.objects.filter(
                Q(participant__full_name__icontains=query)
                | Q(participant__email__icontains=query)
                | Q(participant__company__icontains=query),
                cohort__center__in=centers,
            )
            .select_related("participant", "cohort__program", "cohort__center")
            .order_by("-created_at", "-pk")[:SEARCH_LIMIT]
        )
        cohorts = list(
            Cohort.objects.filter(
                Q(code__icontains=query)
                | Q(program__slug__icontains=query)
                | Q(program__name_en__icontains=query)
                | Q(program__name_ru__icontains=query)
                | Q(program__name_ja__icontains=query),
                center__in=centers,
            )
            .select_related("program", "center")
            .order_by("-starts_on", "-pk")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "admissions/office/search.html",
        {
            "query": query,
            "searched": len(query) >= 2,
            "people": people,
            "cohorts": cohorts,
            "limit": SEARCH_LIMIT,
        },
    )

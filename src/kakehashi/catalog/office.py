"""The office: staff pages for the network's centers, the catalog, cohorts and sessions.

Every page starts from what the person may see (``access.centers_visible_to``,
``access.networks_visible_to``), so another center's records are simply not found (404);
a record they may see but not change answers 403. Changes go through
``kakehashi.catalog.services``, whose refusals the forms show beside the fields.

A cohort's own page, its roster, is in ``kakehashi.admissions.office``.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any, Concatenate, ParamSpec, cast
from urllib.parse import urlsplit

from babel.numbers import format_percent
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kakehashi.catalog import services
from kakehashi.catalog.models import SEAT_HOLDING, Cohort, Program, Session, Topic
from kakehashi.catalog.office_forms import (
    CohortEditForm,
    CohortForm,
    OfficeForm,
    ProgramEditForm,
    ProgramForm,
    SessionForm,
)
from kakehashi.catalog.services import PROGRAM_PLAIN_FIELDS
from kakehashi.core import errors
from kakehashi.core.models import User
from kakehashi.core.money import format_money
from kakehashi.core.roles import Perm
from kakehashi.core.translated import changed_texts, changed_values
from kakehashi.network import access
from kakehashi.network.models import Center, CenterStatus

P = ParamSpec("P")

# How each center status is marked (.badge ok|warn|bad in kakehashi.css).
STATUS_BADGES = {
    CenterStatus.OPERATING: "ok",
    CenterStatus.SUSPENDED: "warn",
    CenterStatus.CLOSING: "warn",
    CenterStatus.CLOSED: "bad",
}
# How many of a center's coming sessions its page lists.
NEXT_SESSIONS = 10


# --- who may use the office --------------------------------------------------------------------


def office_user(request: HttpRequest) -> User:
    """The signed-in staff member (``staff_required`` has checked there is one)."""
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def staff_required(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Anonymous people go to the login page; signed-in people without any staff role
    (at a center or network-wide) are refused with 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            if is_htmx(request):
                # htmx would swap the login page into the roster; send the whole window
                # there instead, to come back to the page the person was on.
                current = urlsplit(request.headers.get("HX-Current-URL", ""))
                back = current.path + (f"?{current.query}" if current.query else "")
                response = HttpResponse(status=401)
                response["HX-Redirect"] = redirect_to_login(
                    back or "/office/", resolve_url(settings.LOGIN_URL)
                ).url
                return response
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        staff = cast(User, user)
        if not (staff.is_superuser or access.networks_visible_to(staff).exists()):
            raise PermissionDenied(_("The office is for the staff of a center or a network."))
        return view(request, *args, **kwargs)

    return wrapper


def refuse(error: errors.DomainError) -> None:
    """Turn a service's refusal to act for this person into a 403 (or a 404); a lock
    timeout goes on to the busy page (503), since nothing about the request was wrong."""
    if isinstance(error, errors.LockTimeout):
        raise error
    if isinstance(error, errors.PermissionDenied):
        raise PermissionDenied(error.message) from error
    if isinstance(error, errors.NotFound):
        raise Http404(error.message) from error


def show_refusal(form: OfficeForm, error: errors.DomainError) -> None:
    refuse(error)
    form.show_refusal(error)


# --- showing numbers, money and time -----------------------------------------------------------


def _locale() -> str:
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def money(amount: Decimal, currency: str) -> str:
    """An amount as people of the active language write it, or "Free"."""
    if not amount:
        return _("Free")
    return format_money(amount, currency)


def fill_rate(held: int, capacity: int) -> str:
    if not capacity:
        return "—"
    return format_percent(Decimal(held) / Decimal(capacity), locale=_locale())


def _decorate_cohort(cohort: Cohort) -> Cohort:
    """Attach what the templates show about a cohort annotated by ``with_counts``."""
    held: int = cohort.seats_held_count  # type: ignore[attr-defined]
    cohort.fee_shown = money(cohort.fee, cohort.currency)  # type: ignore[attr-defined]
    cohort.fill_rate = fill_rate(held, cohort.capacity)  # type: ignore[attr-defined]
    cohort.seats_left = max(0, cohort.capacity - held)  # type: ignore[attr-defined]
    return cohort


def _center_badge(center: Center) -> Center:
    center.badge = STATUS_BADGES.get(CenterStatus(center.status), "")  # type: ignore[attr-defined]
    return center


# --- the overview ------------------------------------------------------------------------------


def _count(queryset: QuerySet[Any], aggregate: Any) -> Coalesce:
    """One number per center from ``queryset`` (cohorts filtered by ``OuterRef("pk")``), as a
    subquery, so that several counts over different joins never multiply each other."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("center").annotate(value=aggregate).values("value")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def centers_with_figures(user: User, today: datetime.date) -> QuerySet[Center]:
    """The centers ``user`` may see, each with this year's figures, in one query.

    "This year's cohorts" are those that run on any day of the calendar year; their
    participants are the people holding a seat (offered, enrolled or completed)."""
    first, last = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    this_year = Cohort.objects.filter(
        center=OuterRef("pk"), starts_on__lte=last, ends_on__gte=first
    )
    holding = Q(enrollments__status__in=SEAT_HOLDING)
    return (
        access.centers_visible_to(user)
        .select_related("network")
        .annotate(
            cohorts_this_year=_count(this_year, Count("pk")),
            capacity_this_year=_count(this_year, Sum("capacity")),
            seats_held_this_year=_count(this_year, Count("enrollments", filter=holding)),
            participants_this_year=_count(
                this_year, Count("enrollments__participant", filter=holding, distinct=True)
            ),
            to_review=_count(
                Cohort.objects.filter(center=OuterRef("pk")),
                Count("enrollments", filter=Q(enrollments__status="applied")),
            ),
        )
        .order_by("network_id", "opened_on", "pk")
    )


@staff_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """Every center the person may see: status, this year's cohorts, participants and how
    full they are, and how many applications wait for a decision."""
    user = office_user(request)
    today = timezone.localdate()
    centers = list(centers_with_figures(user, today))
    for center in centers:
        _center_badge(center)
        center.fill_rate = fill_rate(  # type: ignore[attr-defined]
            center.seats_held_this_year,  # type: ignore[attr-defined]
            center.capacity_this_year,  # type: ignore[attr-defined]
        )
    return render(
        request,
        "catalog/office/overview.html",
        {"centers": centers, "year": today.year},
    )


# --- a center ----------------------------------------------------------------------------------


def visible_center(user: User, center_id: int) -> Center:
    return get_object_or_404(
        access.centers_visible_to(user).select_related("network"), pk=center_id
    )


def may_schedule(user: User, center: Center) -> bool:
    return not center.is_read_only and access.has_perm(
        user, Perm.MANAGE_COHORTS, network=center.network_id, center=center
    )


@staff_required
@require_safe
def center_detail(request: HttpRequest, center_id: int) -> HttpResponse:
    """A center: its cohorts (current and coming, then past) and its next sessions, at the
    center's local time."""
    user = office_user(request)
    center = _center_badge(visible_center(user, center_id))
    today = timezone.localdate(timezone=center.tzinfo)
    cohorts = [
        _decorate_cohort(cohort)
        for cohort in Cohort.objects.filter(center=center)
        .select_related("program")
        .with_counts()
        .annotate(
            to_review=Count("enrollments", filter=Q(enrollments__status="applied"), distinct=True)
        )
        .order_by("starts_on", "pk")
    ]
    sessions = list(
        Session.objects.filter(cohort__center=center, ends_at__gte=timezone.now())
        .select_related("cohort__program", "room", "instructor")
        .order_by("starts_at", "pk")[:NEXT_SESSIONS]
    )
    return render(
        request,
        "catalog/office/center.html",
        {
            "center": center,
            "current": [cohort for cohort in cohorts if cohort.ends_on >= today],
            "past": [cohort for cohort in reversed(cohorts) if cohort.ends_on < today],
            "sessions": sessions,
            "may_schedule": may_schedule(user, center),
            "may_view_ledger": access.has_perm(
                user, Perm.VIEW_LEDGER, network=center.network_id, center=center
            ),
        },
    )


# --- the catalog -------------------------------------------------------------------------------


def visible_programs(user: User) -> QuerySet[Program]:
    """The catalogs of the networks the person works in (at a center or network-wide)."""
    return Program.objects.filter(network__in=access.networks_visible_to(user).values("pk"))


@staff_required
@require_safe
def program_list(request: HttpRequest) -> HttpResponse:
    """The catalog: every program of the person's networks, with how many cohorts of it run
    at the centers they may see. Filter by topic, by whether it is offered, or by name."""
    user = office_user(request)
    centers = access.centers_visible_to(user).values("pk")
    programs = (
        visible_programs(user)
        .select_related("network")
        .annotate(
            cohort_count=Count("cohorts", filter=Q(cohorts__center__in=centers), distinct=True)
        )
        .order_by("network_id", "slug", "pk")
    )
    topic = request.GET.get("topic", "")
    if topic in Topic.values:
        programs = programs.filter(topic=topic)
    offered = request.GET.get("offered", "")
    if offered in ("yes", "no"):
        programs = programs.filter(is_active=offered == "yes")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        programs = programs.filter(
            Q(slug__icontains=query)
            | Q(name_en__icontains=query)
            | Q(name_ru__icontains=query)
            | Q(name_ja__icontains=query)
        )
    managed = set(
        access.networks_managed_by(user, Perm.MANAGE_PROGRAMS).values_list("pk", flat=True)
    )
    rows = list(programs)
    for program in rows:
        program.editable = program.network_id in managed  # type: ignore[attr-defined]
    return render(
        request,
        "catalog/office/programs.html",
        {
            "programs": rows,
            "may_add": bool(managed),
            "topics": Topic.choices,
            "topic": topic,
            "offered": offered,
            "query": query,
        },
    )


@staff_required
def program_create(request: HttpRequest) -> HttpResponse:
    """Add a program to the catalog (the network office)."""
    user = office_user(request)
    networks = access.networks_managed_by(user, Perm.MANAGE_PROGRAMS).order_by("pk")
    choices = list(networks)
    if not choices:
        raise PermissionDenied(_("Only the network office adds programs to the catalog."))
    form = ProgramForm(
        request.POST if request.method == "POST" else None,
        networks=networks if len(choices) > 1 else None,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            program = services.create_program(
                actor=user,
                network=data.get("network") or choices[0],
                slug=data["slug"],
                name=form.texts("name"),
                description=form.texts("description"),
                topic=data["topic"],
                audience=data["audience"],
                hours=data["hours"],
            )
        except errors.DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, _("%(program)s is in the catalog.") % {"program": program.name}
            )
            return redirect("office:programs")
    return render(request, "catalog/office/program_form.html", {"form": form, "program": None})


@staff_required
def program_edit(request: HttpRequest, program_id: int) -> HttpResponse:
    """Edit a program's names, description, topic, audience and hours, or retire it."""
    user = office_user(request)
    program = get_object_or_404(visible_programs(user).select_related("network"), pk=program_id)
    if not access.has_perm(user, Perm.MANAGE_PROGRAMS, network=program.network_id):
        raise PermissionDenied(_("Only the network office edits the catalog."))
    form = ProgramEditForm(
        request.POST if request.method == "POST" else None,
        initial=ProgramEditForm.initial_for(program),
    )
    if form.is_bound and form.is_valid():
        data, changed = form.cleaned_data, set(form.changed_data)

        try:
            program = services.update_program(
                actor=user,
                program=program,
                name=changed_texts(data, changed, "name"),
                description=changed_texts(data, changed, "description"),
                **changed_values(data, changed, *PROGRAM_PLAIN_FIELDS),  # type: ignore[arg-type]
            )
        except errors.DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("%(program)s is saved.") % {"program": program.name})
            return redirect("office:programs")
    return render(request, "catalog/office/program_form.html", {"form": form, "program": program})


# --- cohorts and sessions ----------------------------------------------------------------------


def visible_cohort(user: User, cohort_id: int, perm: Perm = Perm.VIEW_CENTER) -> Cohort:
    """A cohort at a center where ``user`` holds ``perm``; any other is not found."""
    return get_object_or_404(
        Cohort.objects.filter(
            center__in=access.centers_visible_to(user, perm).values("pk")
        ).select_related("program", "center__network"),
        pk=cohort_id,
    )


def _require_scheduling(user: User, center: Center) -> None:
    if not access.has_perm(user, Perm.MANAGE_COHORTS, network=center.network_id, center=center):
        raise PermissionDenied(
            _("You may see %(center)s but not schedule its cohorts.") % {"center": center.name}
        )


def roster_url(cohort: Cohort) -> str:
    return reverse("office:roster", kwargs={"cohort_id": cohort.pk})


@staff_required
def cohort_create(request: HttpRequest, center_id: int) -> HttpResponse:
    """Schedule a run of a program at a center; times are the center's local time."""
    user = office_user(request)
    center = visible_center(user, center_id)
    _require_scheduling(user, center)
    with timezone.override(center.tzinfo):
        form = CohortForm(request.POST if request.method == "POST" else None, center=center)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                cohort = services.create_cohort(
                    actor=user,
                    program=data["program"],
                    center=center,
                    code=data["code"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    capacity=data["capacity"],
                    fee=data["fee"],
                    currency=data["currency"],
                    language=data["language"],
                    format=data["format"],
                    admission=data["admission"],
                    applications_open_at=data["applications_open_at"],
                    applications_close_at=data["applications_close_at"],
                    offer_hours=data["offer_hours"],
                )
            except errors.DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request,
                    _("Cohort %(code)s of %(program)s is scheduled.")
                    % {"code": cohort.code, "program": cohort.program.name},
                )
                return HttpResponseRedirect(roster_url(cohort))
        return render(
            request,
            "catalog/office/cohort_form.html",
            {"form": form, "center": center, "cohort": None},
        )


@staff_required
def cohort_edit(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Change a cohort's dates, seats, fee, admission or application window."""
    user = office_user(request)
    cohort = visible_cohort(user, cohort_id)
    center = cohort.center
    _require_scheduling(user, center)
    with timezone.override(center.tzinfo):
        form = CohortEditForm(
            request.POST if request.method == "POST" else None,
            initial=CohortEditForm.initial_for(cohort),
        )
        if form.is_bound and form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return HttpResponseRedirect(roster_url(cohort))
            try:
                services.update_cohort(actor=user, cohort=cohort, **changes)
            except errors.DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("Cohort %(code)s is saved.") % {"code": cohort.code})
                return HttpResponseRedirect(roster_url(cohort))
        return render(
            request,
            "catalog/office/cohort_form.html",
            {"form": form, "center": center, "cohort": cohort},
        )


@staff_required
def session_create(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Add a session to a cohort, its times typed in the center's local time."""
    user = office_user(request)
    cohort = visible_cohort(user, cohort_id)
    center = cohort.center
    _require_scheduling(user, center)
    with timezone.override(center.tzinfo):
        form = SessionForm(request.POST if request.method == "POST" else None, center=center)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                services.schedule_session(
                    actor=user,
                    cohort=cohort,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    title=data["title"],
                    room=data["room"],
                    instructor=data["instructor"],
                    format=data["format"] or None,
                    online_url=data["online_url"],
                )
            except errors.DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("The session is scheduled."))
                return HttpResponseRedirect(roster_url(cohort) + "#sessions")
        return render(
            request,
            "catalog/office/session_form.html",
            {"form": form, "center": center, "cohort": cohort},
        )

"""The participant's side of admissions: applying, the result, and "My programs".

"My programs" is reached two ways: by the signed link mailed to the applicant
(``/me/<token>/``, no account needed) or, logged in, at ``/me/`` for the participants
linked to the account. Either way a change (confirm, decline, withdraw) is made only to an
enrollment of the participant the link or the account proves, through the services.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kakehashi.admissions import notifications, services
from kakehashi.admissions.forms import ApplicationForm
from kakehashi.admissions.models import LIVE, Enrollment, Participant, Status
from kakehashi.admissions.remembered import remember_participant
from kakehashi.catalog.listing import CohortListing, is_listed, listed_cohorts
from kakehashi.catalog.models import Session
from kakehashi.core.actors import Actor, StaffActor, SystemActor
from kakehashi.core.errors import DomainError, LockTimeout
from kakehashi.core.models import User

# --- applying --------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


# Someone not signed in applies through the public form: nobody is known yet (the
# participant exists once the application does), so the portal's form acts, as the public.
PUBLIC_APPLICATION = SystemActor("portal.public_application")


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """One short form; the next page says what became of the application."""
    now = timezone.now()
    cohort = get_object_or_404(listed_cohorts(now), pk=cohort_id)
    if not is_listed(cohort, now):
        raise Http404
    user = _user(request)
    # Someone logged in starts from what their account knows.
    initial = {"full_name": user.get_full_name(), "email": user.email} if user else {}
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, initial=initial, cohort=cohort
    )
    if form.is_bound and form.is_valid():
        try:
            enrollment = services.apply(
                actor=StaffActor(user) if user is not None else PUBLIC_APPLICATION,
                cohort=cohort,
                applicant=form.applicant(),
                motivation=form.motivation_text(),
            )
        except LockTimeout:
            raise  # the busy page (503): nothing was wrong with what was typed
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return redirect("portal:applied", token=notifications.result_token(enrollment))
    context = {"listing": CohortListing.of(cohort, now), "cohort": cohort, "form": form}
    return render(request, "admissions/apply.html", context, status=422 if form.errors else 200)


@never_cache
def application_result(request: HttpRequest, token: str) -> HttpResponse:
    """What became of one application: enrolled, on the waiting list at N, or received."""
    try:
        enrollment_id = notifications.enrollment_id_from(token)
    except notifications.ResultLinkExpired:
        return render(request, "admissions/link_expired.html", status=410)
    if enrollment_id is None:
        raise Http404
    enrollment = get_object_or_404(
        Enrollment.objects.select_related(
            "participant", "cohort__program__network", "cohort__center"
        ),
        pk=enrollment_id,
    )
    user = _user(request)
    context = {
        "enrollment": enrollment,
        "cohort": enrollment.cohort,
        "waitlist_position": services.waitlist_position(enrollment),
        "owns_it": user is not None
        and _participants_of(user).filter(pk=enrollment.participant_id).exists(),
    }
    return render(request, "admissions/applied.html", context)


# --- my programs -----------------------------------------------------------------------------

BADGES = {
    Status.ENROLLED: "ok",
    Status.COMPLETED: "ok",
    Status.OFFERED: "warn",
    Status.WAITLISTED: "warn",
    Status.APPLIED: "warn",
    Status.REJECTED: "bad",
    Status.EXPIRED: "bad",
    Status.CANCELLED: "bad",
}
# The participant sees the sessions of a cohort they hold (or are offered) a seat in.
SHOWS_SESSIONS = (Status.OFFERED, Status.ENROLLED)


@dataclass
class EnrollmentCard:
    """One enrollment on "My programs", with what its owner may do about it."""

    enrollment: Enrollment
    waitlist_position: int | None
    sessions: list[Session]
    action_urls: dict[str, str]
    today: datetime.date  # at the center
    now: datetime.datetime
    message: str = ""
    message_level: str = ""

    @property
    def badge(self) -> str:
        return BADGES.get(Status(self.enrollment.status), "")

    @property
    def changeable(self) -> bool:
        return not self.enrollment.cohort.center.is_read_only

    @property
    def can_answer_offer(self) -> bool:
        return self.changeable and self.enrollment.status == Status.OFFERED

    @property
    def can_withdraw(self) -> bool:
        return services.may_withdraw(self.enrollment, now=self.now)

    @property
    def is_current(self) -> bool:
        return (
            self.enrollment.status in LIVE
            and self.enrollment.status != Status.COMPLETED
            and self.enrollment.cohort.ends_on >= self.today
        )


def _participants_of(user: User) -> QuerySet[Participant]:
    """The participants an account may act for: linked to it, or filed under its email
    once the account has proven that it owns that address."""
    mine = Q(user=user)
    if user.email_verified_at is not None and user.email:
        mine |= Q(email=user.email.strip().lower())
    return Participant.objects.filter(mine)


def _enrollments(where: Q) -> QuerySet[Enrollment]:
    """Enrollments with everything their cards show, in three queries however many."""
    # The same order as services.waitlist_position, counted for every row in one query.
    ahead = (
        Enrollment.objects.filter(cohort_id=OuterRef("cohort_id"), status=Status.WAITLISTED)
        .filter(services.ahead_in_waiting_list(OuterRef("waitlisted_at"), OuterRef("pk")))
        .order_by()
        .values("cohort_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    upcoming = (
        Session.objects.filter(ends_at__gt=timezone.now())
        .select_related("room")
        .order_by("starts_at", "pk")
    )
    return (
        Enrollment.objects.filter(where)
        .select_related("participant", "cohort__program__network", "cohort__center")
        .annotate(waiting_ahead=Coalesce(Subquery(ahead), 0))
        .prefetch_related(Prefetch("cohort__sessions", upcoming, to_attr="upcoming_sessions"))
        .order_by("cohort__starts_on", "cohort__pk", "pk")
    )


def _cards(
    enrollments: Iterable[Enrollment], action_urls: Callable[[Enrollment], dict[str, str]]
) -> list[EnrollmentCard]:
    now = timezone.now()
    cards = []
    for enrollment in enrollments:
        cohort = enrollment.cohort
        waiting = enrollment.status == Status.WAITLISTED
        shows_sessions = enrollment.status in SHOWS_SESSIONS
        cards.append(
            EnrollmentCard(
                enrollment=enrollment,
                waitlist_position=getattr(enrollment, "waiting_ahead", 0) + 1 if waiting else None,
                sessions=getattr(cohort, "upcoming_sessions", []) if shows_sessions else [],
                action_urls=action_urls(enrollment),
                today=timezone.localdate(now, cohort.center.tzinfo),
                now=now,
            )
        )
    return cards


def _render_page(
    request: HttpRequest,
    where: Q,
    *,
    action_urls: Callable[[Enrollment], dict[str, str]],
    **context: Any,
) -> HttpResponse:
    cards = _cards(_enrollments(where), action_urls)
    context["current"] = [card for card in cards if card.is_current]
    # Most recent first.
    context["earlier"] = [card for card in reversed(cards) if not card.is_current]
    return render(request, "admissions/my_programs.html", context)


def _token_urls(token: str) -> Callable[[Enrollment], dict[str, str]]:
    def urls(enrollment: Enrollment) -> dict[str, str]:
        return {
            action: reverse("portal:participant_action", args=[token, enrollment.pk, action])
            for action in ACTIONS
        }

    return urls


def _account_urls(enrollment: Enrollment) -> dict[str, str]:
    return {action: reverse("portal:my_action", args=[enrollment.pk, action]) for action in ACTIONS}


def _participant_or_404(token: str) -> Participant:
    participant_id = notifications.participant_id_from(token)
    if participant_id is None:
        raise Http404
    return get_object_or_404(Participant.objects.select_related("network"), pk=participant_id)


@never_cache
def participant_page(request: HttpRequest, token: str) -> HttpResponse:
    """ "My programs" for whoever holds the participant's signed link; the browser
    remembers the participant from then on (see ``REMEMBERED_PARTICIPANTS``)."""
    participant = _participant_or_404(token)
    response = _render_page(
        request,
        Q(participant=participant),
        action_urls=_token_urls(token),
        participant=participant,
        token=token,
    )
    remember_participant(request, response, participant)
    return response


@never_cache
@login_required
def my_programs(request: HttpRequest) -> HttpResponse:
    """ "My programs" for a logged-in person: the participants linked to the account."""
    user = _user(request)
    assert user is not None  # login_required
    return _render_page(
        request,
        Q(participant__in=_participants_of(user)),
        action_urls=_account_urls,
        account=user,
    )


# --- changing an enrollment ------------------------------------------------------------------

ACTIONS: dict[str, Callable[..., Enrollment]] = {
    "confirm": services.confirm,
    "decline": services.decline,
    "withdraw": services.withdraw,
}
DONE = {
    "confirm": _("Your seat is confirmed. See you at the first session!"),
    "decline": _("You declined the offer; the seat goes to the next person waiting."),
    "withdraw": _("You have withdrawn. If you held a seat, it goes to the next person waiting."),
}


def _act(
    request: HttpRequest,
    enrollment: Enrollment,
    action: str,
    *,
    actor: Actor,
    page_url: str,
    action_urls: Callable[[Enrollment], dict[str, str]],
) -> HttpResponse:
    """Make the change through its service; answer htmx with the card, others with the page."""
    extra = {"reason": request.POST.get("reason", "")} if action == "withdraw" else {}
    try:
        ACTIONS[action](actor=actor, enrollment=enrollment, **extra)
    except DomainError as error:
        text, level = error.message, messages.ERROR
    else:
        text, level = str(DONE[action]), messages.SUCCESS
    if "HX-Request" in request.headers:
        [card] = _cards(_enrollments(Q(pk=enrollment.pk)), action_urls)
        card.message = text
        card.message_level = "success" if level == messages.SUCCESS else "error"
        return render(request, "admissions/_enrollment.html", {"card": card})
    messages.add_message(request, level, text)
    return redirect(f"{page_url}#enrollment-{enrollment.pk}")


@require_POST
def participant_action(
    request: HttpRequest, token: str, enrollment_id: int, action: str
) -> HttpResponse:
    """Confirm, decline or withdraw through the signed link: only that participant's own."""
    if action not in ACTIONS:
        raise Http404
    participant = _participant_or_404(token)
    enrollment = get_object_or_404(Enrollment, pk=enrollment_id, participant=participant)
    return _act(
        request,
        enrollment,
        action,
        actor=services.participant_actor(participant),
        page_url=reverse("portal:participant", args=[token]),
        action_urls=_token_urls(token),
    )


@require_POST
@login_required
def my_action(request: HttpRequest, enrollment_id: int, action: str) -> HttpResponse:
    """Confirm, decline or withdraw, logged in: only the account's own participants."""
    if action not in ACTIONS:
        raise Http404
    user = _user(request)
    assert user is not None  # login_required
    enrollment = get_object_or_404(
        Enrollment, pk=enrollment_id, participant__in=_participants_of(user)
    )
    return _act(
        request,
        enrollment,
        action,
        actor=services.participant_actor(enrollment.participant, user=user),
        page_url=reverse("portal:my_programs"),
        action_urls=_account_urls,
    )

"""Checking in: the page the QR code in the room opens, on the participant's phone.

The code proves the person is in the room (or was shown the screen a few minutes ago); who
they are comes from the browser: a signed-in account whose email address is verified, or
the participants whose mailed link ("My programs") was opened on this phone before, which
the participant page remembers (``kakehashi.admissions.remembered``).
"""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Participant
from kakehashi.admissions.remembered import remembered_participants
from kakehashi.catalog.models import Session
from kakehashi.core.actors import ParticipantActor
from kakehashi.core.errors import DomainError
from kakehashi.core.models import User
from kakehashi.delivery import codes, services
from kakehashi.delivery.models import TAKING_PART, Attendance


def _known_participants(request: HttpRequest, network_id: int) -> Q:
    """The participants (of the session's network) this browser speaks for."""
    known = Q(pk__in=remembered_participants(request))
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        known |= Q(user=user)
        # Only an address the account has proven is its own, as "My programs" decides.
        if user.email_verified_at is not None and user.email:
            known |= Q(email=user.email.strip().lower())
    return known & Q(network_id=network_id)


def _as_participant(request: HttpRequest, participant: Participant) -> ParticipantActor:
    """The participant checking in: through their account when it is signed in and theirs,
    otherwise through the link this browser was given."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated and participant.user_id == user.pk:
        return admissions.participant_actor(participant, user=user)
    return admissions.participant_actor(participant)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    template = (
        "delivery/check_in_expired.html"
        if isinstance(error, codes.CodeExpired)
        else "delivery/check_in_invalid.html"
    )
    return render(request, template, {"error": error}, status=error.status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request: HttpRequest, code: str) -> HttpResponse:
    """The session the code names, and a "Check in" button for each person this browser
    speaks for who takes part in its cohort; or what to do when it speaks for nobody."""
    try:
        session_id = codes.session_id_from_code(code)
    except (codes.CodeInvalid, codes.CodeExpired) as error:
        return _refused(request, error)
    session = (
        Session.objects.select_related("cohort__program", "cohort__center", "room")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        return _refused(request, codes.CodeInvalid(""))
    cohort = session.cohort
    known = Participant.objects.filter(_known_participants(request, cohort.center.network_id))
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort, participant__in=known, status__in=TAKING_PART)
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    outcome: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        chosen = next(
            (e for e in enrollments if str(e.participant_id) == request.POST.get("participant")),
            None,
        )
        if chosen is None:
            outcome = {"text": _("Choose who is checking in."), "error": True}
            status = 422
        else:
            try:
                done = services.check_in(
                    actor=_as_participant(request, chosen.participant),
                    participant=chosen.participant,
                    session=session,
                    code=code,
                )
            except (codes.CodeInvalid, codes.CodeExpired) as error:
                return _refused(request, error)
            except DomainError as error:
                outcome, status = {"text": error.message, "error": True}, error.status
            else:
                outcome = {"text": done.message, "error": False}
    marks = {
        attendance.enrollment_id: attendance
        for attendance in Attendance.objects.filter(session=session, enrollment__in=enrollments)
    }
    people = [(enrollment, marks.get(enrollment.pk)) for enrollment in enrollments]
    context = {
        "session": session,
        "cohort": cohort,
        "center": cohort.center,
        "people": people,
        "knows_someone": known.exists(),
        "signed_in": request.user.is_authenticated,
        "outcome": outcome,
        "over": session.ends_at < timezone.now(),
        "code": code,
    }
    return render(request, "delivery/check_in.html", context, status=status)

"""A participant's calendar feed: the sessions of the cohorts where they hold (or held) a seat.

The feed's address carries the participant's id, signed with a salt of its own: it can be
handed to a calendar app (and so to whoever runs that app) without opening the
participant's own page, where applications are changed. Like the link to that page, it
never expires and cannot be withdrawn one by one: it works for as long as the site's
SECRET_KEY does. It shows nothing but the participant's sessions.
"""

from collections.abc import Callable

from django.core import signing
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kakehashi.admissions.models import Enrollment, Participant, Status
from kakehashi.catalog.calendar import build_feed, feed_sessions, owner_language, session_event
from kakehashi.catalog.feeds import ics_response
from kakehashi.catalog.models import SEAT_HOLDING

PARTICIPANT_FEED_SALT = "kakehashi.calendar.participant-feed"


def participant_feed_token(participant: Participant) -> str:
    # Signed without a timestamp: the participant gets the same address every time.
    return signing.Signer(salt=PARTICIPANT_FEED_SALT).sign_object(participant.pk)


def participant_feed_url(
    participant: Participant, *, absolute_url: Callable[[str], str] | None = None
) -> str:
    """The address of ``participant``'s calendar feed: a path, or a full address when
    ``absolute_url`` (``request.build_absolute_uri``, ``notifications.absolute``) is given."""
    path = reverse("calendar:participant", args=[participant_feed_token(participant)])
    return absolute_url(path) if absolute_url is not None else path


def _participant_id_from(token: str) -> int | None:
    try:
        value = signing.Signer(salt=PARTICIPANT_FEED_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    return value if type(value) is int else None


@require_safe
def participant_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The sessions of every cohort where the participant's enrollment holds or held a seat
    (offered, enrolled, completed); an offered seat's sessions are tentative, and their
    online links wait until the seat is confirmed, as on the participant's page."""
    participant_id = _participant_id_from(token)
    if participant_id is None:
        raise Http404
    participant = get_object_or_404(
        Participant.objects.select_related("network"), pk=participant_id
    )
    holding = Enrollment.objects.filter(participant=participant, status__in=SEAT_HOLDING)
    sessions = (
        feed_sessions()
        .filter(cohort__in=holding.values("cohort_id"))
        .annotate(seat=Subquery(holding.filter(cohort=OuterRef("cohort_id")).values("status")[:1]))
    )
    language = owner_language(participant.language)
    with translation.override(language):
        feed = build_feed(
            name=_("My sessions at %(network)s") % {"network": participant.network.name},
            language=language,
            events=[
                session_event(
                    session,
                    absolute_url=request.build_absolute_uri,
                    online_link=session.seat != Status.OFFERED,
                    tentative=session.seat == Status.OFFERED,
                )
                for session in sessions
            ],
        )
    return ics_response(request, feed, filename="kakehashi-my-sessions.ics")

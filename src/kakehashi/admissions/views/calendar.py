"""A participant's calendar feed: the sessions of the cohorts where they hold (or held) a seat.

The feed's address is signed (see ``kakehashi.admissions.feeds``) and shows nothing but
the participant's sessions.
"""

from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kakehashi.admissions.feeds import participant_id_from
from kakehashi.admissions.models import Enrollment, Participant, Status
from kakehashi.catalog.calendar import build_feed, feed_sessions, owner_language, session_event
from kakehashi.catalog.feeds import ics_response
from kakehashi.catalog.models import SEAT_HOLDING


@require_safe
def participant_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The sessions of every cohort where the participant's enrollment holds or held a seat
    (offered, enrolled, completed); an offered seat's sessions are tentative, and their
    online links wait until the seat is confirmed, as on the participant's page."""
    participant_id = participant_id_from(token)
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

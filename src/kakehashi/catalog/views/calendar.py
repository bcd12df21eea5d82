"""Calendar feeds for staff: a center's sessions and the sessions one teaches.

Their addresses are signed (see ``kakehashi.catalog.feeds``); the office page that gives a
staff member those addresses is in ``kakehashi.catalog.views.office``, and the
participant's feed in ``kakehashi.admissions.views.calendar``.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kakehashi.catalog.calendar import build_feed, feed_sessions, owner_language, session_event
from kakehashi.catalog.feeds import CENTER_SALT, INSTRUCTOR_SALT, ics_response, signed_owner
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.network import access
from kakehashi.network.models import Center


def _staff_language(user: User) -> str:
    return owner_language(user.preferred_language)


# --- the feeds ---------------------------------------------------------------------------------


@require_safe
def center_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Every session of one center, for a staff member who may (still) see it."""
    found = signed_owner(token, CENTER_SALT, ids=2)
    if found is None:
        raise Http404
    user, [center_id] = found
    center = Center.objects.select_related("network").filter(pk=center_id).first()
    if center is None or not access.has_perm(
        user, Perm.VIEW_CENTER, network=center.network_id, center=center
    ):
        raise Http404
    sessions = feed_sessions().filter(cohort__center=center)
    language = _staff_language(user)
    with translation.override(language):
        feed = build_feed(
            name=_("%(center)s: sessions") % {"center": center.name},
            language=language,
            events=[
                session_event(session, absolute_url=request.build_absolute_uri)
                for session in sessions
            ],
            timezone_name=center.timezone,
        )
    return ics_response(
        request, feed, filename=f"kakehashi-{center.network.slug}-{center.slug}.ics"
    )


@require_safe
def instructor_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The sessions one teaches, at the centers one may (still) see."""
    found = signed_owner(token, INSTRUCTOR_SALT, ids=1)
    if found is None:
        raise Http404
    user, _ids = found
    sessions = feed_sessions().filter(
        instructor=user, cohort__center__in=access.centers_visible_to(user).values("pk")
    )
    language = _staff_language(user)
    with translation.override(language):
        feed = build_feed(
            name=_("Sessions I teach"),
            language=language,
            events=[
                session_event(session, absolute_url=request.build_absolute_uri)
                for session in sessions
            ],
        )
    return ics_response(request, feed, filename="kakehashi-teaching.ics")

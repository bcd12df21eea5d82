"""Which participants' links were opened in this browser.

Pages of several apps need to know who is in front of them without a login: the
participant's page remembers them, and checking in to a session reads who is there.
"""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kakehashi.admissions.models import Participant

# The participants whose signed link was opened in this browser, remembered in a signed
# cookie (ids, comma-separated) so that later pages, such as checking in to a session, know
# who is there. A cookie rather than the session: it needs no database query, and outlives
# logging out of an account on a shared phone as the link itself does.
REMEMBERED_PARTICIPANTS = "kakehashi_participants"
REMEMBERED_SALT = "kakehashi.admissions.remembered-participants"
REMEMBERED_FOR = datetime.timedelta(days=365)
# A shared phone remembers only the last few.
REMEMBERED_AT_MOST = 5


def remembered_participants(request: HttpRequest) -> list[int]:
    """The ids of the participants whose link was opened in this browser, oldest first."""
    # A missing, forged or outdated cookie reads as empty.
    value = request.get_signed_cookie(
        REMEMBERED_PARTICIPANTS, default="", salt=REMEMBERED_SALT, max_age=REMEMBERED_FOR
    )
    return [int(part) for part in (value or "").split(",") if part.isdigit() and len(part) < 19]


def remember_participant(
    request: HttpRequest, response: HttpResponse, participant: Participant
) -> None:
    """Remember in this browser that ``participant``'s link was opened here."""
    known = [pk for pk in remembered_participants(request) if pk != participant.pk]
    ids = [*known, participant.pk][-REMEMBERED_AT_MOST:]
    response.set_signed_cookie(
        REMEMBERED_PARTICIPANTS,
        ",".join(str(pk) for pk in ids),
        salt=REMEMBERED_SALT,
        max_age=int(REMEMBERED_FOR.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )

"""A participant's calendar feed address: the participant's id, signed with a salt of its own.

It can be handed to a calendar app (and so to whoever runs that app) without opening the
participant's own page, where applications are changed. Like the link to that page, it
never expires and cannot be withdrawn one by one: it works for as long as the site's
SECRET_KEY does. The feed itself is in ``kakehashi.admissions.views.calendar``.
"""

from collections.abc import Callable

from django.core import signing
from django.urls import reverse

from kakehashi.admissions.models import Participant

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


def participant_id_from(token: str) -> int | None:
    try:
        value = signing.Signer(salt=PARTICIPANT_FEED_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    return value if type(value) is int else None

"""Calendar feeds' signed addresses, and the iCalendar response every feed answers with.

Calendar apps cannot log in, so a feed's address carries a signed token that names its
owner (and, for a center's feed, the center). The token never expires, but nothing in it is
trusted beyond who it names: at every fetch the owner's account must still be active and,
for a center's feed, still allowed to see the center; an instructor's feed shows only the
sessions at centers its owner may still see. The token also holds a digest of the owner's
password hash, so changing one's password withdraws every feed address given out before.
A token that does not check out, for whatever reason, is not found (404).

The feeds themselves are pages: ``kakehashi.catalog.views.calendar`` for staff, and
``kakehashi.admissions.views.calendar`` for a participant (whose token is in
``kakehashi.admissions.feeds``).
"""

from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.crypto import constant_time_compare, salted_hmac

from kakehashi.catalog.calendar import Feed
from kakehashi.core.models import User
from kakehashi.network.models import Center

# Salts keep a token of one kind from being accepted as another (or as any other signed
# value in Kakehashi).
CENTER_SALT = "kakehashi.calendar.center-feed"
INSTRUCTOR_SALT = "kakehashi.calendar.instructor-feed"
OWNER_KEY_SALT = "kakehashi.calendar.owner-key"
# Seconds a fetched feed may be reused. Short: a moved session should reach calendars soon,
# and calendar apps poll rarely anyway.
MAX_AGE = 15 * 60
# How long a written feed is kept to answer the next fetch of the same content.
BODY_CACHE_SECONDS = 24 * 60 * 60


# --- signed addresses ----------------------------------------------------------------------------


def _owner_key(user: User) -> str:
    # Derived from the password hash: a new password (or a reset one) gives a new key, and
    # with it every feed address made before stops working. Only a digest goes into the
    # token, which is merely signed, not encrypted, and ends up in logs.
    return salted_hmac(OWNER_KEY_SALT, user.password, algorithm="sha256").hexdigest()[:20]


def center_feed_token(user: User, center: Center) -> str:
    # Signed without a timestamp: the same owner gets the same address every time.
    return signing.Signer(salt=CENTER_SALT).sign_object([user.pk, center.pk, _owner_key(user)])


def instructor_feed_token(user: User) -> str:
    return signing.Signer(salt=INSTRUCTOR_SALT).sign_object([user.pk, _owner_key(user)])


def center_feed_path(user: User, center: Center) -> str:
    """The address of ``center``'s feed for ``user`` (a path; see :func:`feed_link`)."""
    return reverse("calendar:center", args=[center_feed_token(user, center)])


def instructor_feed_path(user: User) -> str:
    """The address of the feed of the sessions ``user`` teaches (a path)."""
    return reverse("calendar:instructor", args=[instructor_feed_token(user)])


def signed_owner(token: str, salt: str, ids: int) -> tuple[User, list[int]] | None:
    """The active user a staff token was made for and the other ids it holds, or None for a
    forged, damaged or withdrawn token, or one whose owner can no longer log in."""
    try:
        value = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(value, list) or len(value) != ids + 1:
        return None
    *numbers, key = value
    if not isinstance(key, str) or not all(type(number) is int for number in numbers):
        return None
    user = User.objects.filter(pk=numbers[0], is_active=True).first()
    if user is None or not constant_time_compare(_owner_key(user), key):
        return None
    return user, numbers[1:]


@dataclass(frozen=True)
class FeedLink:
    """A feed's address: ``url`` to paste into a calendar app, ``webcal`` to open one."""

    url: str

    @property
    def webcal(self) -> str:
        return "webcal://" + self.url.split("://", 1)[-1]


def feed_link(request: HttpRequest, path: str) -> FeedLink:
    return FeedLink(request.build_absolute_uri(path))


# --- the response ------------------------------------------------------------------------------


def ics_response(request: HttpRequest, feed: Feed, *, filename: str) -> HttpResponse:
    """The feed as ``text/calendar``, or "not modified" when the app already has it."""
    response = HttpResponse(content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Language"] = feed.language
    response["ETag"] = f'"{feed.etag}"'
    # A secret address: no shared cache keeps it, no search engine lists it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, max_age=MAX_AGE)
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    if conditional is not None and conditional is not response:
        return conditional
    # The ETag covers everything the document says but its DTSTAMP (when it was written),
    # so a document written earlier for the same tag is the same feed, and still true.
    key = f"kakehashi:calendar:{feed.etag}"
    body = cache.get(key)
    if body is None:
        body = feed.to_ical(stamp=timezone.now())
        cache.set(key, body, BODY_CACHE_SECONDS)
    response.content = body
    return response

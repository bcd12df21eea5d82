"""Sessions as an iCalendar document (RFC 5545), for calendar apps to subscribe to.

A feed is built in two steps. First each session becomes a :class:`FeedEvent`: plain,
comparable data, with its texts written in the feed owner's language (build it inside
``translation.override``) and its times in the zone of the session's center. Then
:meth:`Feed.to_ical` writes the document. Everything the document says but the time it was
written (its name, language, zone and events) makes the feed's ETag, so an unchanged feed is
answered "not modified", or from the cache, without being written again.

Times carry the center's zone (``DTSTART;TZID=Europe/Moscow:...``), never floating and
never only UTC, and the document holds a VTIMEZONE for every zone it uses: a session at
10:00 in Berlin stays at 10:00 in Berlin on both sides of a change to summer time,
whatever the zone of the calendar app that shows it.

Sessions keep no time of their last change, so events carry neither SEQUENCE nor
LAST-MODIFIED; calendar apps that subscribe to a feed replace its events at every fetch.
"""

import datetime
import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone
from icalendar.enums import STATUS
from icalendar.prop import vDuration

from kakehashi.catalog.models import Format, Session

PRODID = "-//Kakehashi//Calendar feeds//EN"
# Calendar apps are asked to fetch a feed again after this long (REFRESH-INTERVAL and the
# older X-PUBLISHED-TTL); most apps poll less often whatever we say.
REFRESH = datetime.timedelta(hours=1)
# How far back a feed reaches: a center's feed would otherwise grow for as long as the
# center lives. A subscribed calendar mirrors its feed, so older sessions leave it.
HISTORY = datetime.timedelta(days=366)
# Part of every ETag: a change to how events are written changes every feed's tag.
FORMAT_VERSION = "1"


@dataclass(frozen=True)
class FeedEvent:
    """One session as a calendar shows it; texts already in the feed owner's language."""

    uid: str
    starts_at: datetime.datetime  # aware, in the center's zone
    ends_at: datetime.datetime
    summary: str
    location: str
    url: str
    description: str
    tentative: bool = False

    @property
    def zone(self) -> str:
        return str(self.starts_at.tzinfo)


def feed_sessions(now: datetime.datetime | None = None) -> QuerySet[Session]:
    """Sessions that a feed may show (ended within ``HISTORY`` or later), with everything
    their events show, in one query."""
    since = (now or timezone.now()) - HISTORY
    return (
        Session.objects.filter(ends_at__gte=since)
        .select_related("cohort__program__network", "cohort__center", "room", "instructor")
        .order_by("starts_at", "pk")
    )


def _uid_host() -> str:
    # The configured address, not the request's: a session keeps one UID however the
    # feed was fetched, or calendar apps would show it twice.
    return urlsplit(settings.KAKEHASHI_BASE_URL).hostname or "kakehashi"


def _labelled(label: str, value: str) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def session_event(
    session: Session,
    *,
    absolute_url: Callable[[str], str],
    online_link: bool = True,
    tentative: bool = False,
) -> FeedEvent:
    """The event of one session (from :func:`feed_sessions`), in the active language.

    ``online_link`` False keeps the session's online link out of the event (for people who
    do not yet hold their seat); ``tentative`` marks an event that may still not happen
    for the feed's owner. ``absolute_url`` turns a path into a full address.
    """
    cohort = session.cohort
    center = cohort.center
    program = cohort.program
    zone = center.tzinfo
    program_url = absolute_url(reverse("portal:program", args=[program.network.slug, program.slug]))
    join_url = session.online_url if online_link else ""

    summary = program.name
    if session.title:
        summary = _("%(program)s — %(session)s") % {
            "program": program.name,
            "session": session.title,
        }
    place = ", ".join(
        part
        for part in (session.room.name if session.room else "", center.name, center.address)
        if part
    )
    location = _("Online") if session.format == Format.ONLINE else place

    lines = [_labelled(_("Cohort"), cohort.code)]
    if session.instructor is not None:
        name = session.instructor.get_full_name() or session.instructor.get_username()
        lines.append(_labelled(_("Instructor"), name))
    lines.append(_labelled(_("Center"), f"{center.name}, {center.city}"))
    if join_url and session.format != Format.IN_PERSON:
        # Several calendar apps (Google's among them) do not show the URL property.
        lines.append(_labelled(_("Join online"), join_url))

    return FeedEvent(
        uid=f"session-{session.pk}@{_uid_host()}",
        starts_at=session.starts_at.astimezone(zone),
        ends_at=session.ends_at.astimezone(zone),
        summary=summary,
        location=location,
        url=join_url if join_url and session.format != Format.IN_PERSON else program_url,
        description="\n".join(lines),
        tentative=tentative,
    )


@dataclass(frozen=True)
class Feed:
    """A named list of events, ready to be written as one iCalendar document."""

    name: str
    language: str
    timezone: str  # X-WR-TIMEZONE: the zone an app shows the calendar in by default
    events: tuple[FeedEvent, ...]

    @property
    def etag(self) -> str:
        """A digest of everything the document says except its time of writing."""
        return hashlib.sha256(f"{FORMAT_VERSION}{self!r}".encode()).hexdigest()[:32]

    def to_ical(self, *, stamp: datetime.datetime | None = None) -> bytes:
        """The iCalendar document; ``stamp`` (DTSTAMP) is when it was written."""
        stamp = (stamp or timezone.now()).astimezone(datetime.UTC)
        calendar = Calendar()
        calendar.add("PRODID", PRODID)
        calendar.add("VERSION", "2.0")
        calendar.add("CALSCALE", "GREGORIAN")
        calendar.add("METHOD", "PUBLISH")
        calendar.calendar_name = self.name  # NAME and X-WR-CALNAME
        calendar.add("X-WR-TIMEZONE", self.timezone)
        calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
        # An unknown property would be written as Python writes a timedelta ("1:00:00").
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
        for event in self.events:
            calendar.add_component(
                Event.new(
                    uid=event.uid,
                    stamp=stamp,
                    start=event.starts_at,
                    end=event.ends_at,
                    summary=event.summary,
                    location=event.location,
                    url=event.url,
                    description=event.description,
                    status=STATUS.TENTATIVE if event.tentative else STATUS.CONFIRMED,
                )
            )
        # Every zone an event uses, and the calendar's own, for apps that read
        # X-WR-TIMEZONE through a VTIMEZONE; UTC needs none (its times end in "Z").
        zones = (calendar.get_used_tzids() | {self.timezone}) - {"UTC"}
        first_year, last_year = self._years(stamp)
        for position, zone in enumerate(
            sorted(zones, key=lambda name: (name != self.timezone, name))
        ):
            vtimezone = _vtimezone(zone, first_year, last_year)
            if vtimezone is not None:
                calendar.subcomponents.insert(position, vtimezone)
        return calendar.to_ical()

    def _years(self, stamp: datetime.datetime) -> tuple[int, int]:
        """The first and last year of the events (of ``stamp`` when there are none)."""
        if not self.events:
            return stamp.year, stamp.year
        first = min(event.starts_at for event in self.events)
        last = max(event.ends_at for event in self.events)
        return first.year, last.year


@functools.lru_cache(maxsize=256)
def _vtimezone(zone: str, first_year: int, last_year: int) -> Timezone | None:
    """The VTIMEZONE of ``zone`` over whole years, a little more on either side; None for a
    zone the time zone database does not know.

    Working out a zone's transitions is the slowest part of writing a feed, and every feed
    of a center needs the same few, so they are kept (and never changed once made)."""
    try:
        return Timezone.from_tzid(
            zone,
            first_date=datetime.date(first_year - 1, 12, 1),
            last_date=datetime.date(last_year + 1, 2, 1),
        )
    except ValueError:
        return None


def build_feed(
    *, name: str, language: str, events: Iterable[FeedEvent], timezone_name: str | None = None
) -> Feed:
    """A feed of ``events``, shown by default in ``timezone_name``, or else in the zone most
    of its events are in (UTC when it has none)."""
    events = tuple(events)
    if timezone_name is None:
        zones = Counter(event.zone for event in events)
        timezone_name = zones.most_common(1)[0][0] if zones else "UTC"
    return Feed(name=name, language=language, timezone=timezone_name, events=events)


def owner_language(code: str | None) -> str:
    """The language a feed's owner reads: theirs if Kakehashi speaks it, else the default."""
    known = {language for language, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE

"""What a feed says: a published calendar that the icalendar library reads back, one event
per session at the center's local time with the zone's VTIMEZONE, right on both sides of a
change to or from daylight-saving time, and sent again only when it changed."""

import datetime
import zoneinfo

import pytest
import time_machine
from icalendar import Calendar

from kakehashi.admissions.feeds import participant_feed_url
from kakehashi.catalog.calendar import HISTORY
from kakehashi.catalog.feeds import center_feed_path, instructor_feed_path
from kakehashi.core.models import User
from kakehashi.network.models import Center, Network, Room
from tests import factories
from tests.catalog.calendar.conftest import (
    enroll,
    events,
    fetch,
    in_days,
    make_center,
    make_cohort,
    read,
    schedule,
    start_of,
    uid,
    uids,
)

UTC = datetime.UTC


def test_a_participants_feed_is_a_published_calendar_with_one_event_per_session(
    khabarovsk: Center, room: Room, teacher: User
) -> None:
    cohort = make_cohort(khabarovsk, code="kz-1", starts_on=in_days(10))
    first = schedule(cohort, in_days(11), title="Kickoff", room=room, instructor=teacher)
    online = schedule(
        cohort, in_days(12), format="online", online_url="https://meet.example.org/kz-1"
    )
    participant = enroll(cohort, "anna@example.org").participant

    response = fetch(participant_feed_url(participant))
    calendar = read(response)

    assert response["Content-Disposition"] == 'inline; filename="kakehashi-my-sessions.ics"'
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Kakehashi//Calendar feeds//EN"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "My sessions at Test Network"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Vladivostok"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.refresh_interval == datetime.timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in response.content
    assert [zone.tz_name for zone in calendar.timezones] == ["Asia/Vladivostok"]
    assert uids(calendar) == {uid(first), uid(online)}

    kickoff, meeting = sorted(events(calendar), key=start_of)
    assert kickoff["DTSTART"].params["TZID"] == "Asia/Vladivostok"
    assert kickoff["DTEND"].params["TZID"] == "Asia/Vladivostok"
    assert kickoff.start == first.starts_at and kickoff.end == first.ends_at
    assert (start_of(kickoff).hour, start_of(kickoff).minute) == (10, 0)
    assert "DTSTAMP" in kickoff
    assert kickoff["SUMMARY"] == "Kaizen p-kz-1 — Kickoff"
    assert kickoff["LOCATION"] == "Room 301, Center khabarovsk, 7 Lenin Street"
    assert kickoff["URL"] == "http://testserver/programs/net/p-kz-1/"
    assert str(kickoff["DESCRIPTION"]).splitlines() == [
        "Cohort: kz-1",
        "Instructor: Ivan Sato",
        "Center: Center khabarovsk, Khabarovsk",
    ]
    assert kickoff["STATUS"] == "CONFIRMED"

    assert meeting["SUMMARY"] == "Kaizen p-kz-1"
    assert meeting["LOCATION"] == "Online"
    assert meeting["URL"] == "https://meet.example.org/kz-1"
    assert "Join online: https://meet.example.org/kz-1" in str(meeting["DESCRIPTION"])


def test_a_session_keeps_its_uid_in_every_feed_and_at_every_fetch(
    khabarovsk: Center, teacher: User
) -> None:
    cohort = make_cohort(khabarovsk, code="kz-2", starts_on=in_days(10))
    session = schedule(cohort, in_days(11), instructor=teacher)
    participant = enroll(cohort, "anna@example.org").participant
    feeds = [
        participant_feed_url(participant),
        instructor_feed_path(teacher),
        center_feed_path(teacher, khabarovsk),
    ]
    for url in feeds + feeds:
        assert uids(read(fetch(url))) == {uid(session)}


@pytest.mark.parametrize(
    ("zone", "change", "utc_hour_before", "utc_hour_after"),
    [
        # Summer time begins: 10:00 is 09:00 UTC before, 08:00 UTC after.
        ("Europe/Berlin", datetime.date(2026, 3, 29), 9, 8),
        # Summer time ends: 10:00 is 14:00 UTC before, 15:00 UTC after.
        ("America/New_York", datetime.date(2026, 11, 1), 14, 15),
    ],
)
def test_a_weekly_session_stays_at_ten_local_across_a_daylight_saving_change(
    network: Network, zone: str, change: datetime.date, utc_hour_before: int, utc_hour_after: int
) -> None:
    with time_machine.travel(datetime.datetime(change.year, change.month, 1, 12, tzinfo=UTC)):
        center = make_center(network, "dst", zone)
        cohort = make_cohort(center, code="weekly", starts_on=change - datetime.timedelta(days=14))
        days = [change + datetime.timedelta(days=offset) for offset in (-10, -3, 4, 11)]
        sessions = [schedule(cohort, day) for day in days]
        participant = enroll(cohort, "anna@example.org").participant

        response = fetch(participant_feed_url(participant))
    calendar = read(response)

    starts = sorted(start_of(event) for event in events(calendar))
    assert len(starts) == 4
    for start, day in zip(starts, days, strict=True):
        # The wall time the calendar shows, in the center's zone.
        assert start.tzinfo == zoneinfo.ZoneInfo(zone)
        assert (start.date(), start.hour, start.minute) == (day, 10, 0)
        stamp = f"DTSTART;TZID={zone}:{day:%Y%m%d}T100000"
        assert stamp.encode() in response.content
    # The instants: an hour apart in UTC, as the offset changed, and as stored.
    instants = [start.astimezone(UTC) for start in starts]
    assert [instant.hour for instant in instants] == [utc_hour_before] * 2 + [utc_hour_after] * 2
    assert instants == [session.starts_at for session in sessions]
    week = datetime.timedelta(days=7)
    assert instants[2] - instants[1] == week + datetime.timedelta(
        hours=utc_hour_after - utc_hour_before
    )
    assert instants[1] - instants[0] == week == instants[3] - instants[2]

    # An app that reads the zone from the document, not from its own database, agrees.
    [vtimezone] = calendar.timezones
    assert vtimezone.tz_name == zone
    own = vtimezone.to_tz(lookup_tzid=False)
    for day, instant in zip(days, instants, strict=True):
        wall = datetime.datetime.combine(day, datetime.time(10), tzinfo=own)
        assert wall.astimezone(UTC) == instant


def test_an_unchanged_feed_is_answered_not_modified_and_a_changed_one_in_full(
    khabarovsk: Center,
) -> None:
    cohort = make_cohort(khabarovsk, code="kz-3", starts_on=in_days(10))
    schedule(cohort, in_days(11))
    url = participant_feed_url(enroll(cohort, "anna@example.org").participant)

    first = fetch(url)
    etag = first["ETag"]
    assert "private" in first["Cache-Control"] and "max-age=900" in first["Cache-Control"]
    again = fetch(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag and again.content == b""

    schedule(cohort, in_days(12))
    changed = fetch(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert len(events(read(changed))) == 2


def test_a_feed_with_nothing_in_it_is_still_a_calendar(center: Center) -> None:
    cohort = factories.make_cohort(center, admission="review")
    schedule(cohort, cohort.starts_on)
    enrollment = factories.apply(cohort, motivation="I want to learn.")  # applied: no seat yet
    calendar = read(fetch(participant_feed_url(enrollment.participant)))
    assert events(calendar) == []
    assert calendar["X-WR-TIMEZONE"] == "UTC"
    assert calendar["METHOD"] == "PUBLISH"


def test_a_feed_reaches_back_a_year_and_no_further(khabarovsk: Center) -> None:
    cohort = make_cohort(khabarovsk, code="kz-4", starts_on=in_days(1), days=5)
    session = schedule(cohort, in_days(2))
    url = participant_feed_url(enroll(cohort, "anna@example.org").participant)
    with time_machine.travel(session.ends_at + HISTORY - datetime.timedelta(minutes=1)):
        assert uids(read(fetch(url))) == {uid(session)}
    with time_machine.travel(session.ends_at + HISTORY + datetime.timedelta(minutes=1)):
        assert uids(read(fetch(url))) == set()


def test_the_document_round_trips_through_the_icalendar_library(khabarovsk: Center) -> None:
    cohort = make_cohort(khabarovsk, code="kz-5", starts_on=in_days(10))
    schedule(cohort, in_days(11), title="Semicolons; commas, and\nnew lines")
    response = fetch(participant_feed_url(enroll(cohort, "anna@example.org").participant))
    calendar = read(response)
    assert Calendar.from_ical(calendar.to_ical()) == calendar
    [event] = events(calendar)
    assert event["SUMMARY"] == "Kaizen p-kz-5 — Semicolons; commas, and\nnew lines"


def test_a_centers_feed_carries_its_zone_even_before_any_session(
    registrar: User, center: Center
) -> None:
    calendar = read(fetch(center_feed_path(registrar, center)))
    assert events(calendar) == []
    assert calendar["X-WR-TIMEZONE"] == "Europe/Moscow"
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Moscow"]

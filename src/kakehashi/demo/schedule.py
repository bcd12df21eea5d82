"""Generated timetables: when a demo cohort's sessions fall.

Times at a center are naive (the catalog service reads them in the center's time zone);
days of an internship in Japan are given in Japan's time.
"""

import datetime
import itertools
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from kakehashi.demo.programs import INTERNSHIP_DAYS_IN_JAPAN, Pattern, ProgramFacts

JAPAN = zoneinfo.ZoneInfo("Asia/Tokyo")

# Russia's public holidays (month, day): no session falls on one.
HOLIDAYS = frozenset(
    {(1, day) for day in range(1, 9)}
    | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4), (12, 31)}
)

MONDAY, TUESDAY, THURSDAY, SATURDAY = 0, 1, 3, 5
WEEKDAYS = frozenset(range(5))


@dataclass(frozen=True)
class PlannedSession:
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    in_japan: bool = False

    def local_date(self, tz: datetime.tzinfo) -> datetime.date:
        """The session's date where the center is."""
        if self.starts_at.tzinfo is None:
            return self.starts_at.date()
        return self.starts_at.astimezone(tz).date()


def _days(start: datetime.date, weekdays: frozenset[int]) -> Iterator[datetime.date]:
    day = start
    while True:
        if day.weekday() in weekdays and (day.month, day.day) not in HOLIDAYS:
            yield day
        day += datetime.timedelta(days=1)


def _next(day: datetime.date, weekday: int) -> datetime.date:
    """``day`` if it falls on ``weekday``, otherwise the first such day after it."""
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _spans_holiday(first: datetime.date, last: datetime.date) -> bool:
    days = ((first + datetime.timedelta(days=n)) for n in range((last - first).days + 1))
    return any((day.month, day.day) in HOLIDAYS for day in days)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def plan_sessions(program: ProgramFacts, not_before: datetime.date) -> list[PlannedSession]:
    """The sessions of one run of ``program``, the first on or after ``not_before``."""
    titles = program.session_titles
    if program.pattern == Pattern.INTENSIVE:
        # An intensive course starts on a Monday and runs on working days without a break,
        # so it starts a week later rather than straddle a public holiday.
        start = _next(not_before, MONDAY)
        while True:
            days = list(itertools.islice(_days(start, WEEKDAYS), len(titles)))
            if not _spans_holiday(days[0], days[-1]):
                break
            start += datetime.timedelta(days=7)
        return [
            PlannedSession(title, _at(day, 10), _at(day, 14))
            for title, day in zip(titles, days, strict=True)
        ]
    if program.pattern == Pattern.EVENINGS:
        evenings = _days(_next(not_before, TUESDAY), frozenset({TUESDAY, THURSDAY}))
        return [
            PlannedSession(title, _at(day, 18, 30), _at(day, 21, 30))
            for title, day in zip(titles, evenings, strict=False)
        ]
    if program.pattern == Pattern.INTERNSHIP:
        seminars = [
            PlannedSession(title, _at(day, 10), _at(day, 14))
            for title, day in zip(titles, _days(not_before, frozenset({SATURDAY})), strict=False)
        ]
        # The group flies out on the second Monday after the last seminar.
        last = seminars[-1].starts_at.date()
        arrival = last + datetime.timedelta(days=(MONDAY - last.weekday()) % 7 + 7)
        in_japan = [
            PlannedSession(
                title,
                _at(arrival + datetime.timedelta(days=n), 9).replace(tzinfo=JAPAN),
                _at(arrival + datetime.timedelta(days=n), 15).replace(tzinfo=JAPAN),
                in_japan=True,
            )
            for n, title in enumerate(INTERNSHIP_DAYS_IN_JAPAN)
        ]
        return seminars + in_japan
    raise ValueError(f"unknown session pattern {program.pattern!r}")

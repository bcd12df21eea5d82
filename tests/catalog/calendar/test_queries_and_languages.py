"""A feed costs a fixed number of queries however many sessions it holds, and speaks its
owner's language whatever the language of the request that fetched it."""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kakehashi.admissions.feeds import participant_feed_url
from kakehashi.admissions.models import Participant
from kakehashi.catalog.feeds import center_feed_path, instructor_feed_path
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Network
from tests import factories
from tests.catalog.calendar.conftest import (
    enroll,
    events,
    fetch,
    in_days,
    make_cohort,
    read,
    schedule,
    staff,
)
from tests.factories import SYSTEM

# Queries per feed, however many sessions: the owner (and what proves they may see it),
# then all the sessions with their cohorts, programs, networks, centers, rooms, instructors.
BASELINES = {
    "participant": 2,  # the participant, the sessions (with the seat as a subquery)
    "center": 4,  # the user, the center, the user's roles there, the sessions
    "instructor": 2,  # the user, the sessions (with the user's centers as a subquery)
}


def count_queries(url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = fetch(url)
    return len(captured.captured_queries), len(events(read(response)))


@pytest.mark.parametrize("kind", list(BASELINES))
def test_a_feed_runs_a_fixed_number_of_queries_however_many_sessions(
    network: Network, khabarovsk: Center, kind: str
) -> None:
    teacher = staff("teacher", network, Role.INSTRUCTOR, khabarovsk)
    colleague = staff("colleague", network, Role.INSTRUCTOR, khabarovsk)
    rooms = [
        network_services.add_room(actor=SYSTEM, center=khabarovsk, name=f"Room {n}")
        for n in range(3)
    ]
    cohorts = [make_cohort(khabarovsk, code=f"c{n}", starts_on=in_days(5)) for n in range(5)]
    participant: Participant = enroll(cohorts[0], "anna@example.org").participant
    for cohort in cohorts[1:]:
        enroll(cohort, "anna@example.org")
    url: Callable[[], str] = {
        "participant": lambda: participant_feed_url(participant),
        "center": lambda: center_feed_path(teacher, khabarovsk),
        "instructor": lambda: instructor_feed_path(teacher),
    }[kind]

    schedule(cohorts[0], in_days(6), instructor=teacher, room=rooms[0])
    assert count_queries(url()) == (BASELINES[kind], 1)

    for n in range(49):
        cohort = cohorts[n % 5]
        schedule(
            cohort,
            in_days(7 + n // 5),
            at=datetime.time(9 + n % 5),
            instructor=teacher if n % 2 else colleague,
            room=rooms[n % 3],
            format="online" if n % 7 == 0 else "in_person",
            online_url="https://meet.example.org/x" if n % 7 == 0 else "",
        )
    expected = 50 if kind != "instructor" else 25
    assert count_queries(url()) == (BASELINES[kind], expected)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", ["Кайдзен p-kz", "Центр khabarovsk", "ул. Ленина, 7", "Группа", "Преподаватель"]),
        ("ja", ["カイゼン p-kz", "センター khabarovsk", "レーニン通り7", "クラス", "講師"]),
    ],
)
def test_a_participants_feed_is_written_in_their_language(
    khabarovsk: Center, teacher: User, language: str, words: list[str]
) -> None:
    cohort = make_cohort(khabarovsk, code="kz", starts_on=in_days(10))
    schedule(cohort, in_days(11), instructor=teacher)
    schedule(cohort, in_days(12), format="online", online_url="https://meet.example.org/kz")
    with translation.override(language):  # the language the person applied in
        participant = enroll(cohort, "anna@example.org").participant
    assert participant.language == language

    # Whatever the calendar app asks for, the owner's language answers.
    response = fetch(participant_feed_url(participant), headers={"Accept-Language": "en"})
    text = response.content.decode()
    assert response["Content-Language"] == language
    for word in words:
        assert word.replace(",", "\\,") in text, word
    online = {"ru": "Онлайн", "ja": "オンライン"}[language]
    assert [str(event["LOCATION"]) for event in events(read(response))][1] == online
    assert "Kaizen" not in text and "Cohort" not in text


def test_a_staff_feed_is_written_in_the_staff_members_language(
    network: Network, khabarovsk: Center
) -> None:
    kenji = staff("kenji", network, Role.REGISTRAR, khabarovsk, preferred_language="ja")
    schedule(make_cohort(khabarovsk, code="kz", starts_on=in_days(10)), in_days(11))
    response = fetch(center_feed_path(kenji, khabarovsk), headers={"Accept-Language": "ru"})
    calendar = read(response)
    assert response["Content-Language"] == "ja"
    assert str(calendar["X-WR-CALNAME"]).startswith("センター khabarovsk")
    [event] = events(calendar)
    assert str(event["SUMMARY"]) == "カイゼン p-kz"


def test_a_center_without_translations_falls_back_to_english(
    network: Network, registrar: User, center: Center
) -> None:
    registrar.preferred_language = "ru"
    registrar.save()
    cohort = factories.make_cohort(center)
    schedule(cohort, cohort.starts_on)
    [event] = events(read(fetch(center_feed_path(registrar, center))))
    assert str(event["SUMMARY"]) == cohort.program.name_en  # type: ignore[attr-defined]
    assert center.name_en in str(event["LOCATION"])  # type: ignore[attr-defined]

"""Where people find their feeds: the office's calendar page, a center's page, and the
participant's "My programs" (through the signed link, or logged in)."""

import html
import re

from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.admissions import notifications
from kakehashi.admissions.feeds import participant_feed_url
from kakehashi.catalog.feeds import center_feed_path, instructor_feed_path
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.network.models import Center, Network
from tests import factories
from tests.catalog.calendar.conftest import enroll, fetch, read, schedule, staff, uid, uids

OFFICE_CALENDAR = "/office/calendar/"
# The session, the user, "is this person staff anywhere", whether they teach (two at most),
# the centers they may see.
OFFICE_CALENDAR_QUERIES = 6


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def https(path: str) -> str:
    return f"http://testserver{path}"


def webcal(path: str) -> str:
    return f"webcal://testserver{path}"


# --- the office --------------------------------------------------------------------------------


def test_a_registrar_finds_their_centers_feed_and_not_anothers(
    registrar: User, center: Center, other_center: Center
) -> None:
    cohort = factories.make_cohort(center)
    session = schedule(cohort, cohort.starts_on)
    text = page(as_user(registrar).get(OFFICE_CALENDAR))

    assert center.name in text
    assert other_center.name not in text
    mine = center_feed_path(registrar, center)
    assert f'href="{webcal(mine)}"' in text
    assert f'value="{https(mine)}"' in text
    assert center_feed_path(registrar, other_center) not in text
    assert "Google Calendar" in text and "Apple Calendar" in text and "Outlook" in text
    # Not an instructor, and teaching nothing: no feed of sessions they teach.
    assert "Sessions I teach" not in text
    # The address on the page is the feed.
    assert uids(read(fetch(mine))) == {uid(session)}


def test_an_instructor_finds_the_feed_of_the_sessions_they_teach(
    network: Network, center: Center
) -> None:
    teacher = staff("teacher", network, Role.INSTRUCTOR, center)
    text = page(as_user(teacher).get(OFFICE_CALENDAR))
    assert "Sessions I teach" in text
    assert f'href="{webcal(instructor_feed_path(teacher))}"' in text


def test_the_network_office_finds_a_feed_for_every_center(
    office: User, center: Center, other_center: Center
) -> None:
    text = page(as_user(office).get(OFFICE_CALENDAR))
    for each in (center, other_center):
        assert f'value="{https(center_feed_path(office, each))}"' in text


def test_the_calendar_page_is_for_signed_in_staff_only(
    outsider: User, registrar: User, db: None
) -> None:
    anonymous = Client().get(OFFICE_CALENDAR)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert as_user(outsider).get(OFFICE_CALENDAR).status_code == 403
    assert as_user(registrar).post(OFFICE_CALENDAR).status_code == 405


def test_the_calendar_page_runs_a_fixed_number_of_queries(
    office: User, network: Network, center: Center
) -> None:
    client = as_user(office)
    client.get(OFFICE_CALENDAR)
    with CaptureQueriesContext(connection) as few:
        page(client.get(OFFICE_CALENDAR))
    for n in range(5):
        factories.make_center(network, f"more-{n}")
    with CaptureQueriesContext(connection) as many:
        text = page(client.get(OFFICE_CALENDAR))
    assert text.count("webcal://") == 6  # Moscow and five more
    assert len(few.captured_queries) == len(many.captured_queries) == OFFICE_CALENDAR_QUERIES


def test_a_centers_page_links_its_feed(registrar: User, center: Center) -> None:
    text = page(as_user(registrar).get(f"/office/centers/{center.pk}/"))
    assert f'href="{webcal(center_feed_path(registrar, center))}"' in text
    assert f'href="{OFFICE_CALENDAR}#center-{center.pk}"' in text


# --- the participant ---------------------------------------------------------------------------


def test_the_participants_signed_page_offers_their_feed(center: Center) -> None:
    cohort = factories.make_cohort(center)
    session = schedule(cohort, cohort.starts_on)
    participant = enroll(cohort, "anna@example.org").participant
    text = page(Client().get(f"/me/{notifications.participant_token(participant)}/"))

    assert "Subscribe to my sessions" in text
    path = participant_feed_url(participant)
    assert f'href="{webcal(path)}"' in text
    assert f'value="{https(path)}"' in text
    assert uids(read(fetch(path))) == {uid(session)}


def test_my_programs_offers_the_feed_of_each_participant_the_account_may_act_for(
    center: Center,
) -> None:
    user = factories.make_user("anna", email_verified_at=timezone.now())
    cohort = factories.make_cohort(center)
    participant = enroll(cohort, user.email).participant
    text = page(as_user(user).get("/me/"))
    assert "Subscribe to my sessions" in text
    assert f'value="{https(participant_feed_url(participant))}"' in text


def test_an_account_in_two_networks_gets_a_feed_for_each_at_no_extra_query(
    center: Center,
) -> None:
    user = factories.make_user("anna", email_verified_at=timezone.now())
    here = enroll(factories.make_cohort(center), user.email).participant
    client = as_user(user)
    client.get("/me/")
    with CaptureQueriesContext(connection) as one:
        page(client.get("/me/"))

    elsewhere = factories.make_center(factories.make_network("other"), "almaty")
    there = enroll(factories.make_cohort(elsewhere), user.email).participant
    with CaptureQueriesContext(connection) as two:
        text = page(client.get("/me/"))
    for participant in (here, there):
        assert f'value="{https(participant_feed_url(participant))}"' in text
    assert text.count('<h3 id="calendar-') == 2  # each feed named by its network
    assert len(one.captured_queries) == len(two.captured_queries)


def test_a_page_with_no_enrollment_offers_no_feed(db: None) -> None:
    user = factories.make_user("nobody", email_verified_at=timezone.now())
    text = page(as_user(user).get("/me/"))
    assert "Subscribe to my sessions" not in text
    assert not re.search(r"webcal://", text)

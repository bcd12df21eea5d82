"""Who sees what in a feed: a participant only the sessions of their own seats, a staff
member only what they may still see, and nobody anything through a token that is forged,
damaged, of another kind, or withdrawn."""

import pytest
from django.core import signing
from django.test import Client

from kakehashi.admissions import notifications
from kakehashi.admissions import services as admissions
from kakehashi.admissions.feeds import participant_feed_token, participant_feed_url
from kakehashi.catalog.feeds import (
    CENTER_SALT,
    center_feed_path,
    center_feed_token,
    instructor_feed_path,
    instructor_feed_token,
)
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Membership, Network
from tests import factories
from tests.catalog.calendar.conftest import (
    enroll,
    events,
    fetch,
    in_days,
    make_cohort,
    read,
    schedule,
    uid,
    uids,
)
from tests.factories import SYSTEM, by_link

# --- participants ------------------------------------------------------------------------------


def test_a_participants_feed_holds_only_the_sessions_of_their_own_seats(
    khabarovsk: Center, center: Center
) -> None:
    mine = make_cohort(khabarovsk, code="mine", starts_on=in_days(10))
    theirs = make_cohort(khabarovsk, code="theirs", starts_on=in_days(10))
    left = make_cohort(center, code="left", starts_on=in_days(10))
    my_session = schedule(mine, in_days(11))
    schedule(theirs, in_days(11))
    schedule(left, in_days(12))
    anna = enroll(mine, "anna@example.org")
    enroll(theirs, "boris@example.org")
    withdrawn = enroll(left, "anna@example.org")
    admissions.withdraw(actor=by_link(withdrawn), enrollment=withdrawn)
    assert withdrawn.participant == anna.participant

    assert uids(read(fetch(participant_feed_url(anna.participant)))) == {uid(my_session)}


def test_an_application_or_a_place_on_the_waiting_list_shows_no_sessions(
    khabarovsk: Center,
) -> None:
    review = factories.make_cohort(khabarovsk, admission="review")
    full = factories.make_cohort(khabarovsk, capacity=1)
    schedule(review, review.starts_on)
    schedule(full, full.starts_on)
    applied = enroll(review, "anna@example.org", motivation="To learn kaizen.")
    enroll(full, "boris@example.org")
    waiting = enroll(full, "anna@example.org")
    assert (applied.status, waiting.status) == ("applied", "waitlisted")

    assert events(read(fetch(participant_feed_url(applied.participant)))) == []


def test_an_offered_seat_shows_tentative_sessions_without_their_online_link(
    khabarovsk: Center,
) -> None:
    cohort = factories.make_cohort(khabarovsk, admission="review")
    session = schedule(
        cohort, cohort.starts_on, format="online", online_url="https://meet.example.org/secret"
    )
    enrollment = enroll(cohort, "anna@example.org", motivation="To learn kaizen.")
    admissions.accept(actor=SYSTEM, enrollment=enrollment)
    url = participant_feed_url(enrollment.participant)

    [event] = events(read(fetch(url)))
    assert event["UID"] == uid(session)
    assert event["STATUS"] == "TENTATIVE"
    assert b"meet.example.org" not in fetch(url).content
    assert str(event["URL"]).endswith(f"/programs/net/{cohort.program.slug}/")

    enrollment.refresh_from_db()
    admissions.confirm(actor=by_link(enrollment), enrollment=enrollment)
    [event] = events(read(fetch(url)))
    assert event["STATUS"] == "CONFIRMED"
    assert event["URL"] == "https://meet.example.org/secret"


# --- staff -------------------------------------------------------------------------------------


def test_a_centers_feed_holds_that_centers_sessions_only(
    registrar: User, center: Center, other_center: Center
) -> None:
    here = factories.make_cohort(center)
    there = factories.make_cohort(other_center)
    session = schedule(here, here.starts_on)
    schedule(there, there.starts_on)
    calendar = read(fetch(center_feed_path(registrar, center)))
    assert uids(calendar) == {uid(session)}
    assert calendar["X-WR-CALNAME"] == f"{center.name}: sessions"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Moscow"


def test_a_registrar_whose_role_was_revoked_gets_nothing_through_the_old_link(
    registrar: User, center: Center
) -> None:
    schedule(factories.make_cohort(center), in_days(31))
    url = center_feed_path(registrar, center)
    assert fetch(url).status_code == 200
    [membership] = Membership.objects.filter(user=registrar)
    network_services.revoke_role(actor=SYSTEM, membership=membership)
    assert fetch(url).status_code == 404


def test_changing_the_password_withdraws_every_staff_link(
    registrar: User, center: Center, teacher: User, khabarovsk: Center
) -> None:
    center_url = center_feed_path(registrar, center)
    teaching_url = instructor_feed_path(teacher)
    assert fetch(center_url).status_code == fetch(teaching_url).status_code == 200

    for user in (registrar, teacher):
        user.set_password("a new and better passphrase")
        user.save()
    assert fetch(center_url).status_code == fetch(teaching_url).status_code == 404
    # The office page gives them new addresses that work.
    assert fetch(center_feed_path(registrar, center)).status_code == 200
    assert fetch(instructor_feed_path(teacher)).status_code == 200


def test_a_deactivated_account_gets_nothing(registrar: User, center: Center, teacher: User) -> None:
    urls = [center_feed_path(registrar, center), instructor_feed_path(teacher)]
    for user in (registrar, teacher):
        user.is_active = False
        user.save()
    assert [fetch(url).status_code for url in urls] == [404, 404]


def test_a_registrar_of_another_center_cannot_read_a_center_they_cannot_see(
    other_registrar: User, center: Center, other_center: Center
) -> None:
    schedule(factories.make_cohort(center), in_days(31))
    # Even a genuine token, as the server would sign it, names a center they may not see.
    assert fetch(center_feed_path(other_registrar, center)).status_code == 404
    assert fetch(center_feed_path(other_registrar, other_center)).status_code == 200


def test_an_instructors_feed_holds_the_sessions_they_teach_where_they_still_work(
    network: Network, khabarovsk: Center, teacher: User
) -> None:
    cohort = make_cohort(khabarovsk, code="kz", starts_on=in_days(10))
    theirs = schedule(cohort, in_days(11), instructor=teacher)
    schedule(cohort, in_days(12))  # nobody's, or someone else's
    url = instructor_feed_path(teacher)
    calendar = read(fetch(url))
    assert uids(calendar) == {uid(theirs)}
    assert calendar["X-WR-CALNAME"] == "Sessions I teach"

    [membership] = Membership.objects.filter(user=teacher)
    network_services.revoke_role(actor=SYSTEM, membership=membership)
    # Still a staff member elsewhere, so the link is good, but Khabarovsk is out of sight.
    elsewhere = factories.make_center(network, "elsewhere")
    network_services.grant_role(
        actor=SYSTEM, user=teacher, network=network, role=Role.INSTRUCTOR, center=elsewhere
    )
    assert uids(read(fetch(url))) == set()


# --- tokens ------------------------------------------------------------------------------------


@pytest.fixture
def genuine(registrar: User, center: Center, khabarovsk: Center) -> dict[str, str]:
    """One genuine token of each kind, and the participant page's own token."""
    enrollment = enroll(factories.make_cohort(khabarovsk), "anna@example.org")
    return {
        "participant": participant_feed_token(enrollment.participant),
        "center": center_feed_token(registrar, center),
        "instructor": instructor_feed_token(registrar),
        "page": notifications.participant_token(enrollment.participant),
    }


KINDS = {
    "participant": "/calendar/me/",
    "center": "/calendar/centers/",
    "instructor": "/calendar/teaching/",
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_forged_damaged_or_misplaced_token_is_not_found(
    genuine: dict[str, str], kind: str, client: Client
) -> None:
    prefix = KINDS[kind]
    token = genuine[kind]
    assert client.get(f"{prefix}{token}.ics").status_code == 200
    value, signature = token.rsplit(":", 1)
    forged = [
        "",
        "garbage",
        "1:2:3",
        f"{value}:{signature[:-2]}xx",  # damaged signature
        f"{value}A:{signature}",  # damaged value
        signing.Signer(key="not-our-secret", salt=CENTER_SALT).sign_object([1, 1, "x"]),
        signing.Signer(salt=CENTER_SALT).sign_object("not a list"),
        "%00%ff",
        "ü" * 300,
        *(genuine[other] for other in (*KINDS, "page") if other != kind),
    ]
    for bad in forged:
        response = client.get(f"{prefix}{bad}.ics")
        assert response.status_code == 404, (kind, bad)


def test_a_feed_answers_only_get_and_head(genuine: dict[str, str], client: Client) -> None:
    url = f"/calendar/me/{genuine['participant']}.ics"
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_a_participants_address_stays_the_same_and_opens_no_page(
    genuine: dict[str, str], khabarovsk: Center
) -> None:
    enrollment = enroll(factories.make_cohort(khabarovsk), "boris@example.org")
    assert participant_feed_url(enrollment.participant) == participant_feed_url(
        enrollment.participant
    )
    page = Client().get(f"/me/{genuine['participant']}/")
    assert page.status_code == 404

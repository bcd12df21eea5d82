"""The participant portal: the catalog, a program's page, applying, and "My programs"."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from kakehashi.admissions import notifications
from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Participant, Status
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import OutgoingEmail, User
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, CenterStatus, Network
from tests import factories
from tests.factories import SYSTEM, by_link

# Queries each page runs, however many rows it shows (see tests/api/test_query_counts.py).
BASELINES = {
    "catalog": 2,  # the centers for the filter, the cohorts with programs and seat counts
    "program": 2,  # the program, its cohorts with seat counts
    "participant": 3,  # the participant, the enrollments with positions, their sessions
}

IN_A_MONTH = timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture(autouse=True)
def _leave_no_language_active():  # type: ignore[no-untyped-def]
    # A request activates its language for the rest of the thread.
    yield
    translation.deactivate()


def make_program(network: Network, slug: str, **extra: object) -> Program:
    return catalog.create_program(
        actor=SYSTEM,
        network=network,
        slug=slug,
        name={
            "en": f"Program {slug}",
            "ru": f"Программа {slug}",
            "ja": f"プログラム {slug}",
        },
        topic=str(extra.pop("topic", "production")),
        **extra,  # type: ignore[arg-type]
    )


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text with tags dropped and spaces squeezed, as a person reads it."""
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(without_tags.replace("\xa0", " ").split())


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "full_name": "Anna Petrova",
        "email": "anna@example.org",
        "company": "Volga Bearings",
        "position": "Production director",
        "industry": "Machinery",
        "phone": "+7 831 000 00 00",
    }
    data.update(overrides)
    return data


def apply_through_the_page(client: Client, cohort: Cohort, **overrides: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("portal:apply", args=[cohort.pk]), form_data(**overrides))


def participant_page(participant: Participant) -> str:
    return reverse("portal:participant", args=[notifications.participant_token(participant)])


def action_url(participant: Participant, enrollment: Enrollment, action: str) -> str:
    token = notifications.participant_token(participant)
    return reverse("portal:participant_action", args=[token, enrollment.pk, action])


def mail_link(mail: OutgoingEmail) -> str:
    """The path of the participant's page, as linked from the mail."""
    found = re.search(r"https?://\S+/me/\S+/", mail.body)
    assert found, mail.body
    return urlsplit(found.group(0)).path


# --- the catalog ----------------------------------------------------------------------------------


def test_the_catalog_lists_only_what_the_public_may_apply_to_or_wait_for(
    client: Client, network: Network, center: Center
) -> None:
    open_now = factories.make_cohort(center, make_program(network, "open"))
    # Upcoming, though applications have closed: listed, marked closed.
    upcoming = factories.make_cohort(
        center,
        make_program(network, "upcoming"),
        applications_close_at=timezone.now() - datetime.timedelta(hours=1),
    )
    # Already running, still taking applications: listed.
    factories.make_cohort(
        center,
        make_program(network, "running"),
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    # Running with applications closed, ended, at a suspended center, retired: not listed.
    factories.make_cohort(
        center,
        make_program(network, "running-closed"),
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
        applications_close_at=timezone.now() - datetime.timedelta(days=4),
    )
    factories.make_cohort(
        center,
        make_program(network, "ended"),
        starts_on=timezone.localdate() - datetime.timedelta(days=20),
        ends_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    suspended = factories.make_center(network, "suspended")
    factories.make_cohort(suspended, make_program(network, "suspended"))
    network_services.change_center_status(
        actor=SYSTEM, center=suspended, to_status=CenterStatus.SUSPENDED
    )
    retired = make_program(network, "retired")
    factories.make_cohort(center, retired)
    catalog.update_program(actor=SYSTEM, program=retired, is_active=False)

    page = text(client.get("/"))

    for listed in ("open", "upcoming", "running"):
        assert f"Program {listed} " in page, listed
    for hidden in ("running-closed", "ended", "suspended", "retired"):
        assert f"Program {hidden} " not in page, hidden
    assert "3 programs have upcoming cohorts." in page
    closed_page = client.get(reverse("portal:program", args=["net", "upcoming"]))
    assert "Applications Closed." in text(closed_page)
    assert reverse("portal:apply", args=[upcoming.pk]) not in closed_page.content.decode()
    open_page = client.get(reverse("portal:program", args=["net", "open"]))
    assert reverse("portal:apply", args=[open_now.pk]) in open_page.content.decode()


@pytest.fixture
def varied_catalog(network: Network, center: Center, other_center: Center) -> dict[str, Cohort]:
    """Cohorts that differ in one way each from the "plain" one."""
    base = IN_A_MONTH

    def cohort(slug: str, where: Center = center, **extra: object) -> Cohort:
        program_extra = {k: extra.pop(k) for k in ("topic", "audience") if k in extra}
        program = make_program(network, slug, **program_extra)
        extra.setdefault("starts_on", base)
        extra.setdefault("ends_on", base + datetime.timedelta(days=5))
        return factories.make_cohort(where, program, **extra)

    return {
        "plain": cohort("plain"),
        "far-east": cohort("far-east", other_center),
        "marketing": cohort("marketing", topic="marketing"),
        "for-executives": cohort("for-executives", audience="executives"),
        "for-entrepreneurs": cohort("for-entrepreneurs", audience="entrepreneurs"),
        "in-japanese": cohort("in-japanese", language="ja"),
        "online": cohort("online", format="online"),
        "hybrid": cohort("hybrid", format="hybrid"),
        "later": cohort(
            "later",
            starts_on=base + datetime.timedelta(days=60),
            ends_on=base + datetime.timedelta(days=65),
        ),
    }


def listed_programs(client: Client, query: dict[str, str]) -> set[str]:
    response = client.get("/", query)
    assert response.status_code == 200
    return set(re.findall(r'href="/programs/net/([\w-]+)/"', response.content.decode()))


EVERYONE = {"plain", "far-east", "marketing", "in-japanese", "online", "hybrid", "later"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, EVERYONE | {"for-executives", "for-entrepreneurs"}),
        ({"topic": "marketing"}, {"marketing"}),
        # A program for everyone is for executives too.
        ({"audience": "executives"}, EVERYONE | {"for-executives"}),
        ({"audience": "entrepreneurs"}, EVERYONE | {"for-entrepreneurs"}),
        ({"language": "ja"}, {"in-japanese"}),
        # A cohort taught both ways can be followed online, and in person.
        ({"format": "online"}, {"online", "hybrid"}),
        ({"format": "hybrid"}, {"hybrid"}),
        ({"starts_from": (IN_A_MONTH + datetime.timedelta(days=30)).isoformat()}, {"later"}),
        (
            {
                "starts_by": (IN_A_MONTH + datetime.timedelta(days=30)).isoformat(),
                "topic": "marketing",
            },
            {"marketing"},
        ),
    ],
)
def test_each_filter_narrows_the_catalog(
    client: Client, varied_catalog: dict[str, Cohort], query: dict[str, str], expected: set[str]
) -> None:
    assert listed_programs(client, query) == expected


def test_the_city_filter_lists_each_operating_center_once(
    client: Client, varied_catalog: dict[str, Cohort], other_center: Center
) -> None:
    response = client.get("/", {"center": str(other_center.pk)})

    assert listed_programs(client, {"center": str(other_center.pk)}) == {"far-east"}
    options = re.findall(r'<option value="(\d+)"', response.content.decode())
    assert sorted(options) == sorted(str(c.pk) for c in Center.objects.all())
    assert f'<option value="{other_center.pk}" selected>' in response.content.decode()


def test_a_filter_that_makes_no_sense_is_explained_and_ignored(
    client: Client, varied_catalog: dict[str, Cohort]
) -> None:
    response = client.get("/", {"starts_from": "someday", "topic": "marketing"})

    assert response.status_code == 200
    assert 'id="id_starts_from_error"' in response.content.decode()
    assert 'aria-describedby="id_starts_from_error"' in response.content.decode()
    assert listed_programs(client, {"starts_from": "someday", "topic": "marketing"}) == {
        "marketing"
    }


def test_htmx_gets_the_results_alone_and_their_count_for_the_live_region(
    client: Client, varied_catalog: dict[str, Cohort]
) -> None:
    response = client.get("/", {"topic": "marketing"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "<html" not in body
    assert "Program marketing" in body
    assert 'id="result-count" hx-swap-oob="innerHTML"' in body
    assert "1 program matches your filters." in body
    assert "HX-Request" in response["Vary"]
    # Restoring a page from htmx's history needs the whole page.
    restored = client.get(
        "/",
        {"topic": "marketing"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.content.decode()


def test_the_catalog_form_works_without_javascript(db: None, client: Client) -> None:
    body = client.get("/").content.decode()

    assert '<form class="filters" method="get" action="/"' in body
    assert 'hx-get="/"' in body and 'hx-push-url="true"' in body
    for name in ("center", "topic", "audience", "language", "format", "starts_from", "starts_by"):
        assert f'<label for="id_{name}">' in body, name


# --- a program's page -----------------------------------------------------------------------------


def test_the_program_page_shows_seats_left_the_waiting_list_and_the_fee(
    client: Client, network: Network, center: Center, other_center: Center
) -> None:
    program = make_program(network, "kaizen")
    roomy = factories.make_cohort(center, program, capacity=3)
    factories.apply(roomy)
    full = factories.make_cohort(
        other_center, program, capacity=1, fee=Decimal("14000"), currency="RUB"
    )
    factories.apply(full)
    factories.apply(full)

    english = text(client.get(reverse("portal:program", args=["net", "kaizen"])))
    russian = text(
        client.get(
            reverse("portal:program", args=["net", "kaizen"]), headers={"Accept-Language": "ru"}
        )
    )

    assert "2 seats left" in english
    assert "Free" in english
    assert "Waiting list" in english
    assert "1 person is waiting." in english
    assert "RUB 14,000.00" in english
    assert "14 000,00 ₽" in russian


def test_the_program_page_gives_times_in_the_centers_time_zone(
    client: Client, network: Network, other_center: Center
) -> None:
    # 08:00 UTC is 18:00 in Vladivostok.
    closes = datetime.datetime(2031, 3, 1, 8, 0, tzinfo=datetime.UTC)
    factories.make_cohort(
        other_center,
        make_program(network, "deadline"),
        starts_on=datetime.date(2031, 3, 10),
        ends_on=datetime.date(2031, 3, 20),
        applications_close_at=closes,
    )

    page = text(client.get(reverse("portal:program", args=["net", "deadline"])))

    assert "Open until March 1, 2031, 6 p.m." in page
    assert "8 a.m." not in page


def test_a_retired_or_unknown_program_is_not_found(client: Client, network: Network) -> None:
    retired = make_program(network, "retired")
    catalog.update_program(actor=SYSTEM, program=retired, is_active=False)

    assert client.get(reverse("portal:program", args=["net", "retired"])).status_code == 404
    assert client.get(reverse("portal:program", args=["net", "nothing"])).status_code == 404
    assert client.get(reverse("portal:program", args=["other", "retired"])).status_code == 404


# --- applying -------------------------------------------------------------------------------------


def test_applying_without_an_account_enrolls_at_once_and_says_so(
    client: Client, center: Center
) -> None:
    cohort = factories.make_cohort(center, capacity=2)

    response = apply_through_the_page(client, cohort)

    assert response.status_code == 302
    assert response["Location"].startswith("/applied/")
    result = client.get(response["Location"])
    assert "<h1>You are enrolled" in result.content.decode()
    assert "anna@example.org" in text(result)
    enrollment = Enrollment.objects.get()
    assert enrollment.status == Status.ENROLLED
    participant = enrollment.participant
    assert (participant.full_name, participant.company, participant.position) == (
        "Anna Petrova",
        "Volga Bearings",
        "Production director",
    )
    assert (participant.industry, participant.phone, participant.user) == (
        "Machinery",
        "+7 831 000 00 00",
        None,
    )


def test_applying_to_a_full_cohort_puts_you_on_the_waiting_list_at_your_place(
    client: Client, center: Center
) -> None:
    cohort = factories.make_cohort(center, capacity=1)
    factories.apply(cohort)  # takes the seat
    factories.apply(cohort)  # first on the waiting list

    apply_page = text(client.get(reverse("portal:apply", args=[cohort.pk])))
    result = client.get(apply_through_the_page(client, cohort)["Location"])

    assert "Join the waiting list" in apply_page
    assert "<h1>You are on the waiting list" in result.content.decode()
    assert "You are number 2 on the waiting list." in text(result)
    assert Enrollment.objects.get(participant__email="anna@example.org").status == Status.WAITLISTED


def test_a_review_cohort_asks_why_and_receives_the_application(
    client: Client, center: Center
) -> None:
    cohort = factories.make_cohort(center, admission="review")

    form = client.get(reverse("portal:apply", args=[cohort.pk])).content.decode()
    without_reason = apply_through_the_page(client, cohort)
    with_reason = apply_through_the_page(client, cohort, motivation="We are starting 5S.")

    assert '<textarea name="motivation"' in form
    assert without_reason.status_code == 422
    assert 'id="id_motivation_error"' in without_reason.content.decode()
    result = client.get(with_reason["Location"])
    assert "<h1>Your application is received" in result.content.decode()
    enrollment = Enrollment.objects.get()
    assert (enrollment.status, enrollment.motivation) == (Status.APPLIED, "We are starting 5S.")


def test_a_first_come_cohort_asks_for_no_motivation(client: Client, center: Center) -> None:
    cohort = factories.make_cohort(center)

    assert (
        "motivation" not in client.get(reverse("portal:apply", args=[cohort.pk])).content.decode()
    )


def test_a_bad_email_keeps_what_was_typed_and_saves_nothing(client: Client, center: Center) -> None:
    cohort = factories.make_cohort(center)

    response = apply_through_the_page(client, cohort, email="anna.example.org")

    body = response.content.decode()
    assert response.status_code == 422
    for typed in ("Anna Petrova", "anna.example.org", "Volga Bearings", "Production director"):
        assert f'value="{typed}"' in body, typed
    # The message sits beside the field, tied to it, and is listed above the form.
    assert (
        '<div class="error" id="id_email_error"><p>Enter a valid email address.</p></div>' in body
    )
    assert 'aria-invalid="true" aria-describedby="id_email_helptext id_email_error"' in body
    assert '<a href="#id_email">' in body
    assert (Participant.objects.count(), Enrollment.objects.count()) == (0, 0)
    assert OutgoingEmail.objects.count() == 0


def test_applying_twice_is_refused_above_the_form_and_saves_nothing_more(
    client: Client, center: Center
) -> None:
    cohort = factories.make_cohort(center)
    apply_through_the_page(client, cohort)

    again = apply_through_the_page(client, cohort, full_name="Someone Else")

    assert again.status_code == 422
    assert "already has an application for this cohort" in text(again)
    assert 'value="Someone Else"' in again.content.decode()
    assert Enrollment.objects.count() == 1
    assert OutgoingEmail.objects.count() == 1


def test_a_cohort_whose_applications_closed_shows_no_form_and_refuses_a_post(
    client: Client, network: Network, center: Center
) -> None:
    cohort = factories.make_cohort(
        center, applications_close_at=timezone.now() - datetime.timedelta(hours=1)
    )

    page = client.get(reverse("portal:apply", args=[cohort.pk]))
    posted = apply_through_the_page(client, cohort)

    assert '<form class="stacked"' not in page.content.decode()
    assert "This cohort does not take applications now." in text(page)
    assert posted.status_code == 422
    assert "Applications for this cohort are closed." in text(posted)
    assert Enrollment.objects.count() == 0


def test_a_cohort_the_public_cannot_see_cannot_be_applied_to(
    client: Client, network: Network
) -> None:
    planned = factories.make_center(network, "planned", status=CenterStatus.PLANNED)
    cohort = factories.make_cohort(planned)

    assert client.get(reverse("portal:apply", args=[cohort.pk])).status_code == 404
    assert apply_through_the_page(client, cohort).status_code == 404


def test_the_applicant_gets_a_mail_in_their_language_with_a_link_to_their_page(
    client: Client, network: Network, center: Center
) -> None:
    cohort = factories.make_cohort(center, make_program(network, "mail"))

    client.post(
        reverse("portal:apply", args=[cohort.pk]),
        form_data(email="Anna@Example.org"),
        headers={"Accept-Language": "ru"},
    )

    mail = OutgoingEmail.objects.get()
    assert mail.to == "anna@example.org"
    assert "Программа mail" in mail.subject
    with translation.override("ru"):
        starts = formats.date_format(cohort.starts_on, "DATE_FORMAT")
    assert starts in mail.body  # a Russian date: "12 марта 2031 г."
    page = Client().get(mail_link(mail))  # another browser, in English
    assert page.status_code == 200
    assert "Program mail" in text(page)
    assert "Enrolled" in text(page)


def test_the_result_link_must_be_genuine_and_recent(client: Client, center: Center) -> None:
    cohort = factories.make_cohort(center)
    location = apply_through_the_page(client, cohort)["Location"]
    token = location.split("/")[2]
    participant = Participant.objects.get()

    forged = client.get(reverse("portal:applied", args=[token[:-1] + "x"]))
    # A participant's key is not a result link, nor the other way round.
    wrong_kind = client.get(
        reverse("portal:applied", args=[notifications.participant_token(participant)])
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        expired = client.get(location)

    assert (forged.status_code, wrong_kind.status_code, expired.status_code) == (404, 404, 410)
    assert client.get(reverse("portal:participant", args=[token])).status_code == 404


# --- my programs ----------------------------------------------------------------------------------


def test_the_signed_page_shows_status_waiting_place_offer_and_sessions(
    client: Client, network: Network, center: Center, other_center: Center
) -> None:
    seated = factories.make_cohort(center, make_program(network, "seated"), capacity=1)
    factories.apply(seated, "anna")
    catalog.schedule_session(
        actor=SYSTEM,
        cohort=seated,
        starts_at=datetime.datetime.combine(seated.starts_on, datetime.time(10, 0)),
        ends_at=datetime.datetime.combine(seated.starts_on, datetime.time(13, 0)),
        title="Kaizen in practice",
    )
    waiting = factories.make_cohort(center, make_program(network, "waiting"), capacity=1)
    factories.apply(waiting)
    factories.apply(waiting)
    factories.apply(waiting, "anna")
    review = factories.make_cohort(
        other_center, make_program(network, "offered"), admission="review", offer_hours=48
    )
    offered = factories.apply(review, "anna", motivation="Please.")
    admissions.accept(actor=SYSTEM, enrollment=offered)
    offered.refresh_from_db()
    participant = Participant.objects.get(email="personanna@example.org")

    page = text(client.get(participant_page(participant)))

    assert "Person anna (generated)" in page
    assert "Program seated" in page and "Enrolled" in page
    assert "Kaizen in practice" in page
    assert "10 a.m.–1 p.m." in page
    assert "Number 2 on the waiting list." in page
    waiting_enrollment = Enrollment.objects.get(cohort=waiting, participant=participant)
    assert admissions.waitlist_position(waiting_enrollment) == 2
    assert offered.offer_expires_at is not None
    expiry = timezone.localtime(offered.offer_expires_at, other_center.tzinfo)
    with translation.override("en"):
        shown = formats.date_format(expiry, "DATETIME_FORMAT")
    assert f"confirm by {shown} (Moscow time)" in page  # the factory's city for every center
    assert "Confirm my seat" in page and "Decline the offer" in page


def test_a_tampered_token_is_not_found(client: Client, center: Center) -> None:
    enrollment = factories.apply(factories.make_cohort(center))
    token = notifications.participant_token(enrollment.participant)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged = signing.dumps(enrollment.participant_id, salt="something else")

    assert client.get(reverse("portal:participant", args=[token])).status_code == 200
    assert client.get(reverse("portal:participant", args=[tampered])).status_code == 404
    assert client.get(reverse("portal:participant", args=[forged])).status_code == 404
    assert client.get("/me/1/").status_code == 404


def test_confirming_an_offer_through_the_page_enrolls(client: Client, center: Center) -> None:
    cohort = factories.make_cohort(center, admission="review")
    enrollment = factories.apply(cohort, motivation="Please.")
    admissions.accept(actor=SYSTEM, enrollment=enrollment)

    response = client.post(action_url(enrollment.participant, enrollment, "confirm"))

    assert response.status_code == 302
    assert response["Location"].endswith(f"#enrollment-{enrollment.pk}")
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENROLLED
    assert "Your seat is confirmed." in text(client.get(response["Location"]))


def test_declining_an_offer_passes_the_seat_to_the_next_person(
    client: Client, center: Center
) -> None:
    cohort = factories.make_cohort(center, capacity=1, admission="review")
    first = factories.apply(cohort, motivation="Please.")
    second = factories.apply(cohort, motivation="Me too.")
    admissions.accept(actor=SYSTEM, enrollment=first)
    admissions.waitlist(actor=SYSTEM, enrollment=second)

    client.post(action_url(first.participant, first, "decline"))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.DECLINED, Status.OFFERED)


def test_withdrawing_through_the_page_promotes_the_longest_waiting(
    client: Client, center: Center
) -> None:
    cohort = factories.make_cohort(center, capacity=1)
    seated = factories.apply(cohort)
    next_in_line = factories.apply(cohort)
    after_them = factories.apply(cohort)

    client.post(action_url(seated.participant, seated, "withdraw"), {"reason": "Changed jobs."})

    for enrollment in (seated, next_in_line, after_them):
        enrollment.refresh_from_db()
    assert (seated.status, seated.note) == (Status.WITHDRAWN, "Changed jobs.")
    assert next_in_line.status == Status.OFFERED
    assert after_them.status == Status.WAITLISTED


def test_htmx_gets_the_changed_card_alone_with_the_outcome(client: Client, center: Center) -> None:
    cohort = factories.make_cohort(center)
    enrollment = factories.apply(cohort)

    response = client.post(
        action_url(enrollment.participant, enrollment, "withdraw"), headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.strip().startswith('<li class="card" id="enrollment-')
    assert 'role="status"' in body and "You have withdrawn." in body
    assert "Withdrawn" in body


def test_a_refused_change_is_explained_and_changes_nothing(client: Client, center: Center) -> None:
    enrollment = factories.apply(factories.make_cohort(center))

    response = client.post(
        action_url(enrollment.participant, enrollment, "confirm"), headers={"HX-Request": "true"}
    )

    assert 'role="alert"' in response.content.decode()
    assert "There is no open offer to confirm" in text(response)
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENROLLED


def test_another_participants_enrollment_cannot_be_changed_through_your_token(
    client: Client, center: Center
) -> None:
    cohort = factories.make_cohort(center)
    mine = factories.apply(cohort)
    theirs = factories.apply(cohort)
    token = notifications.participant_token(mine.participant)

    for action in ("withdraw", "confirm", "decline"):
        response = client.post(
            reverse("portal:participant_action", args=[token, theirs.pk, action])
        )
        assert response.status_code == 404

    theirs.refresh_from_db()
    assert theirs.status == Status.ENROLLED


def test_changes_need_a_post_with_the_csrf_token_and_a_known_action(center: Center) -> None:
    enrollment = factories.apply(factories.make_cohort(center))
    browser = Client(enforce_csrf_checks=True)
    url = action_url(enrollment.participant, enrollment, "withdraw")

    assert browser.get(url).status_code == 405
    assert browser.post(url).status_code == 403
    unknown = action_url(enrollment.participant, enrollment, "delete")
    assert Client().post(unknown).status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ENROLLED


def test_the_page_offers_only_what_the_status_allows(client: Client, center: Center) -> None:
    enrollment = factories.apply(factories.make_cohort(center))
    admissions.withdraw(actor=by_link(enrollment), enrollment=enrollment)

    page = client.get(participant_page(enrollment.participant)).content.decode()

    assert "Earlier" in page
    assert "Withdraw and give up my seat" not in page
    assert "Confirm my seat" not in page


# --- logged in ------------------------------------------------------------------------------------


def test_my_programs_needs_a_login(db: None, client: Client) -> None:
    response = client.get(reverse("portal:my_programs"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logged_in_people_see_the_participants_their_account_proves(
    client: Client, network: Network, center: Center
) -> None:
    linked_user = factories.make_user("linked", email_verified_at=timezone.now())
    cohort = factories.make_cohort(center, make_program(network, "linked"))
    admissions.apply(
        actor=StaffActor(linked_user),
        cohort=cohort,
        applicant=admissions.Applicant(email="linked@example.org", full_name="Linked Person"),
    )
    by_email = factories.apply(
        factories.make_cohort(center, make_program(network, "by-email")), "v"
    )
    verified = factories.make_user("verified", email_verified_at=timezone.now())
    verified.email = by_email.participant.email
    verified.save(update_fields=["email"])
    unverified = factories.make_user("unverified")
    unverified.email = by_email.participant.email
    unverified.save(update_fields=["email"])

    def page_for(user: User) -> str:
        client.force_login(user)
        return text(client.get(reverse("portal:my_programs")))

    assert "Program linked" in page_for(linked_user)
    assert "Program by-email" in page_for(verified)
    unproven = page_for(unverified)
    assert "Program by-email" not in unproven
    assert "appear here once you have confirmed that address" in unproven


def test_logged_in_people_change_only_their_own_enrollments(client: Client, center: Center) -> None:
    user = factories.make_user("anna", email_verified_at=timezone.now())
    cohort = factories.make_cohort(center)
    mine = admissions.apply(
        actor=StaffActor(user),
        cohort=cohort,
        applicant=admissions.Applicant(email="anna@example.org", full_name="Anna"),
    )
    theirs = factories.apply(cohort)
    client.force_login(user)

    refused = client.post(reverse("portal:my_action", args=[theirs.pk, "withdraw"]))
    done = client.post(reverse("portal:my_action", args=[mine.pk, "withdraw"]))

    assert refused.status_code == 404
    assert done.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (Status.WITHDRAWN, Status.ENROLLED)


def test_applying_logged_in_links_the_application_to_the_account(
    client: Client, center: Center
) -> None:
    user = factories.make_user("anna", email_verified_at=timezone.now())
    client.force_login(user)
    cohort = factories.make_cohort(center)

    form = client.get(reverse("portal:apply", args=[cohort.pk])).content.decode()
    assert 'value="anna@example.org"' in form  # filled in from the account
    result = client.get(
        apply_through_the_page(client, cohort, email="anna@example.org")["Location"]
    )

    assert Participant.objects.get().user == user
    assert reverse("portal:my_programs") in result.content.decode()


def test_an_account_with_an_unproven_address_cannot_take_over_someones_applications(
    client: Client, network: Network, center: Center
) -> None:
    victim = factories.apply(factories.make_cohort(center, make_program(network, "theirs")), "v")
    intruder = factories.make_user("intruder")  # signed up with the victim's address, unverified
    intruder.email = victim.participant.email
    intruder.save(update_fields=["email"])
    client.force_login(intruder)

    apply_through_the_page(
        client,
        factories.make_cohort(center, make_program(network, "bait")),
        email=victim.participant.email,
    )

    assert "Program theirs" not in text(client.get(reverse("portal:my_programs")))


# --- queries --------------------------------------------------------------------------------------


def count_queries(client: Client, path: str) -> int:
    client.get(path)  # warm up: the first request may set up the session or the language
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def assert_fixed(client: Client, path: str, baseline: int, add_rows: Callable[[], None]) -> None:
    few = count_queries(client, path)
    add_rows()
    many = count_queries(client, path)
    assert (few, many) == (baseline, baseline), f"{path}: {few} then {many} queries"


def test_the_catalog_runs_a_fixed_number_of_queries(
    client: Client, network: Network, center: Center, other_center: Center
) -> None:
    factories.apply(factories.make_cohort(center, make_program(network, "first")))

    def add_rows() -> None:
        programs = [make_program(network, f"more-{n}") for n in range(6)]
        third = factories.make_center(network, "third")
        for n in range(24):
            cohort = factories.make_cohort(
                (center, other_center, third)[n % 3], programs[n % 6], capacity=2
            )
            for _ in range(n % 4):
                factories.apply(cohort)

    assert_fixed(client, "/", BASELINES["catalog"], add_rows)
    page = text(client.get("/"))
    assert len(re.findall(r"\d+ seats? left|Waiting list", page)) == 25


def test_the_program_page_runs_a_fixed_number_of_queries(
    client: Client, network: Network, center: Center, other_center: Center
) -> None:
    program = make_program(network, "busy")
    factories.make_cohort(center, program)

    def add_rows() -> None:
        for n in range(20):
            cohort = factories.make_cohort(
                (center, other_center)[n % 2], program, capacity=2, fee=Decimal(n * 100)
            )
            for _ in range(n % 4):
                factories.apply(cohort)

    assert_fixed(
        client, reverse("portal:program", args=["net", "busy"]), BASELINES["program"], add_rows
    )


def test_my_programs_runs_a_fixed_number_of_queries(
    client: Client, network: Network, center: Center
) -> None:
    first = factories.apply(factories.make_cohort(center), "anna")
    path = participant_page(first.participant)

    def add_rows() -> None:
        for n in range(12):
            cohort = factories.make_cohort(center, make_program(network, f"p{n}"), capacity=1)
            start = datetime.datetime.combine(cohort.starts_on, datetime.time(10))
            for day in range(3):
                catalog.schedule_session(
                    actor=SYSTEM,
                    cohort=cohort,
                    starts_at=start + datetime.timedelta(days=day),
                    ends_at=start + datetime.timedelta(days=day, hours=2),
                )
            if n % 2:  # someone else holds the seat: anna waits
                factories.apply(cohort)
                factories.apply(cohort)
            factories.apply(cohort, "anna")

    assert_fixed(client, path, BASELINES["participant"], add_rows)
    assert text(client.get(path)).count("Number 2 on the waiting list.") == 6


# --- languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", ["Программа", "Управление производством"]), ("ja", ["プログラム", "生産管理"])],
)
def test_every_page_speaks_the_browsers_language(
    client: Client, network: Network, center: Center, language: str, expected: list[str]
) -> None:
    cohort = factories.make_cohort(center, make_program(network, "kaizen"))
    headers = {"Accept-Language": language}
    result = apply_through_the_page(client, cohort)["Location"]
    participant = Participant.objects.get()
    pages = [
        "/",
        reverse("portal:program", args=["net", "kaizen"]),
        reverse("portal:apply", args=[cohort.pk]),
        result,
        participant_page(participant),
    ]
    for path in pages:
        response = client.get(path, headers=headers)
        body = response.content.decode()
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in body, path
        assert expected[0] in body, path
        assert body.count("<h1") == 1, path
    with translation.override(language):
        topic = translation.gettext("Production management")
    assert topic == expected[1]
    assert topic in client.get("/", headers=headers).content.decode()

"""The demo network: loaded once, through the services, and the same every time.

Loading takes a few seconds, so the module loads it once, in a transaction that is rolled
back when the module's tests are done; each test runs in a savepoint inside it.
"""

import datetime
import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from kakehashi.admissions.models import Enrollment, Participant, Status
from kakehashi.catalog.models import Admission, Cohort, Format, Program, Session
from kakehashi.core.models import AuditEvent, User
from kakehashi.core.translated import texts_of
from kakehashi.demo.accounts import STAFF
from kakehashi.network.models import Center, CenterStatus, Membership, Network, Room

EXPECTED_CENTERS = {
    # slug: (opened on, time zone)
    "moscow": (datetime.date(2001, 1, 1), "Europe/Moscow"),
    "saint-petersburg": (datetime.date(2001, 3, 1), "Europe/Moscow"),
    "nizhny-novgorod": (datetime.date(2001, 10, 1), "Europe/Moscow"),
    "khabarovsk": (datetime.date(1994, 11, 1), "Asia/Vladivostok"),
    "vladivostok": (datetime.date(1996, 4, 1), "Asia/Vladivostok"),
    "yuzhno-sakhalinsk": (datetime.date(1996, 9, 1), "Asia/Sakhalin"),
}


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Network,
            Center,
            Room,
            Membership,
            Program,
            Cohort,
            Session,
            Participant,
            Enrollment,
            AuditEvent,
        )
    }


# This test must run before any test that loads the demo (pytest keeps the file's order).
@pytest.mark.django_db
def test_accounts_without_the_demo_says_it_is_not_loaded_and_creates_nothing() -> None:
    output = run_demo("--accounts")

    assert "not loaded" in output
    assert Network.objects.count() == 0
    assert User.objects.count() == 0


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_demo()
        transaction.set_rollback(True)


@pytest.fixture
def network(demo_output: str) -> Network:
    return Network.objects.get(slug="japan-centers")


def upcoming(network: Network) -> "list[Cohort]":
    return list(
        Cohort.objects.filter(center__network=network, starts_on__gt=timezone.localdate())
        .with_counts()
        .select_related("center", "program")
    )


@pytest.mark.django_db
def test_the_network_is_named_in_three_languages(network: Network) -> None:
    assert texts_of(network, "name") == {
        "en": "Japan Center",
        "ru": "Японский центр",
        "ja": "日本センター",
    }
    assert network.founded_on == datetime.date(1994, 10, 1)


@pytest.mark.django_db
def test_six_centers_operate_with_their_real_opening_dates_and_time_zones(
    network: Network,
) -> None:
    centers = {center.slug: center for center in network.centers.all()}

    assert {slug: (c.opened_on, c.timezone) for slug, c in centers.items()} == EXPECTED_CENTERS
    assert {center.status for center in centers.values()} == {CenterStatus.OPERATING}
    assert "MIRBIS" in texts_of(centers["moscow"], "description")["en"]
    for center in centers.values():
        assert 2 <= center.rooms.count() <= 3
        assert all(texts_of(center, "city").values())


@pytest.mark.django_db
def test_programs_have_russian_and_japanese_names_and_hours(network: Network) -> None:
    programs = list(network.programs.all())

    assert {p.topic for p in programs} >= {
        "production",
        "marketing",
        "finance",
        "hr",
        "small_business",
        "language",
        "training_abroad",
    }
    for program in programs:
        assert all(texts_of(program, "name").values())
        assert all(texts_of(program, "description").values())
        assert program.hours > 0


@pytest.mark.django_db
def test_each_cohorts_sessions_add_up_to_its_programs_hours(network: Network) -> None:
    for cohort in Cohort.objects.filter(center__network=network).select_related("program"):
        sessions = list(cohort.sessions.all())
        hours = sum((s.ends_at - s.starts_at).total_seconds() for s in sessions) / 3600
        assert hours == cohort.program.hours, cohort.code
        first = min(s.starts_at for s in sessions).astimezone(cohort.center.tzinfo).date()
        assert first == cohort.starts_on, cohort.code


@pytest.mark.django_db
def test_upcoming_cohorts_admit_both_ways_and_never_hold_more_seats_than_they_have(
    network: Network,
) -> None:
    cohorts = upcoming(network)
    now = timezone.now()

    assert {c.admission for c in cohorts} == {Admission.REVIEW, Admission.FIRST_COME}
    assert all(c.applications_open(now) for c in cohorts)
    assert all(c.applications_close_at.date() < c.starts_on for c in cohorts)
    held_above_capacity = Cohort.objects.with_counts().filter(seats_held_count__gt=F("capacity"))
    assert not held_above_capacity.exists()
    assert any(c.capacity == 12 and c.seats_held_count == 11 for c in cohorts)
    full = [c for c in cohorts if c.seats_held_count == c.capacity]
    assert full and all(2 <= c.waitlist_count <= 3 for c in full)
    assert any(c.format == Format.ONLINE for c in cohorts)
    assert sum(c.fee == 0 for c in cohorts) > len(cohorts) / 2
    assert any(c.fee > 0 and c.currency == "RUB" for c in cohorts)


@pytest.mark.django_db
def test_review_cohorts_hold_motivated_applications_in_every_state(network: Network) -> None:
    review = Enrollment.objects.filter(
        cohort__center__network=network,
        cohort__admission=Admission.REVIEW,
        cohort__starts_on__gt=timezone.localdate(),
    )

    assert not review.filter(motivation="").exists()
    assert set(review.values_list("status", flat=True)) == {
        Status.APPLIED,
        Status.OFFERED,
        Status.ENROLLED,
        Status.REJECTED,
    }


@pytest.mark.django_db
def test_past_cohorts_ended_years_ago_with_completed_participants(network: Network) -> None:
    past = Cohort.objects.filter(center__network=network, ends_on__lt=timezone.localdate())

    assert past.count() >= 12
    assert {c.starts_on.year for c in past} == {2022, 2023, 2024, 2025}
    for cohort in past.annotate(
        completed=Count("enrollments", filter=Q(enrollments__status=Status.COMPLETED))
    ):
        assert cohort.completed > 0, cohort.code
        assert cohort.sessions.filter(instructor__isnull=False, room__isnull=False).exists()
    # Everyone left in a past cohort either completed it or withdrew.
    assert set(Enrollment.objects.filter(cohort__in=past).values_list("status", flat=True)) <= {
        Status.COMPLETED,
        Status.WITHDRAWN,
    }


@pytest.mark.django_db
def test_generated_people_are_marked_as_generated(network: Network) -> None:
    people = network.participants.all()

    assert people.count() > 100
    for person in people:
        assert person.email.endswith(("@example.org", "@example.com"))
        assert person.company.endswith("(generated)")


@pytest.mark.django_db
def test_every_enrollment_was_made_by_a_service_that_audited_it(network: Network) -> None:
    audited = set(
        AuditEvent.objects.filter(
            object_type="admissions.enrollment", action__startswith="admissions.enrollment."
        ).values_list("object_id", flat=True)
    )
    enrollments = {str(pk) for pk in Enrollment.objects.values_list("pk", flat=True)}

    assert enrollments and enrollments <= audited


@pytest.mark.django_db
def test_the_audit_log_verifies_after_loading(network: Network) -> None:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)

    # The network's and its six centers' chains, and one for each demo staff account.
    assert f"All {7 + len(STAFF)} audit chains are intact." in out.getvalue()


@pytest.mark.django_db
def test_running_the_demo_again_changes_nothing(network: Network) -> None:
    before = counts()

    output = run_demo()

    assert "already loaded" in output
    assert counts() == before


@pytest.mark.django_db
def test_loading_prints_a_summary_and_the_accounts(demo_output: str) -> None:
    assert "6 centers" in demo_output
    assert "generated" in demo_output
    assert "kakehashi-demo" in demo_output
    assert "http://127.0.0.1:8000/admin/" in demo_output


@pytest.mark.django_db
def test_accounts_lists_each_login_with_its_role_and_the_port(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", "8123")
    before = counts()

    output = run_demo("--accounts")

    assert "http://127.0.0.1:8123/admin/" in output
    lines = {line.split()[0]: line for line in output.splitlines() if "kakehashi-demo" in line}
    assert "superuser" in lines["admin"]
    assert "network office" in lines["office"]
    assert "registrar, Moscow" in lines["moscow.registrar"]
    assert "center manager, Vladivostok" in lines["vladivostok.manager"]
    assert counts() == before


@pytest.mark.django_db
def test_demo_accounts_log_in_with_the_demo_password(network: Network) -> None:
    user = User.objects.get(username="moscow.registrar")

    assert user.check_password("kakehashi-demo")
    assert Membership.objects.filter(user=user, center__slug="moscow", role="registrar").exists()
    assert User.objects.get(username="admin").is_superuser

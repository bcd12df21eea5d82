"""A small network with one of everything a page can be about, and a person in every role.

``tests/test_every_url.py`` visits every page as each of these people, and
``tests/test_page_query_counts.py`` counts each page's queries in a small and a large
network. Both build it once per module: a page visit changes little, and each test runs
inside a transaction that is rolled back, so the network stays as built.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django import DjangoDbBlocker

from kakehashi.admissions import feeds as admissions_feeds
from kakehashi.admissions import notifications
from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Participant
from kakehashi.catalog import feeds as catalog_feeds
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program, Session
from kakehashi.core.actors import Actor, StaffActor
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.core.services.accounts import verification_token
from kakehashi.credentials import rendering
from kakehashi.credentials.models import Certificate, CertificateRun
from kakehashi.credentials.runs import start_certificate_run
from kakehashi.delivery import codes
from kakehashi.delivery import services as delivery
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Network
from kakehashi.payments import issuing
from kakehashi.payments import services as payments
from kakehashi.payments.models import Account, Entry
from tests import factories
from tests.factories import SYSTEM

# The roles a center's staff hold; the network office holds its role network-wide.
CENTER_ROLES = (Role.MANAGER, Role.REGISTRAR, Role.INSTRUCTOR, Role.FINANCE, Role.VIEWER)

# Hashing passwords with argon2 would take most of the time of building the network.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    """One network: its records (the pages' subjects) and the people who visit them."""

    network: Network
    center: Center
    other_center: Center
    program: Program
    cohort: Cohort
    second_cohort: Cohort
    session: Session
    participant: Participant
    enrollment: Enrollment
    completed: Enrollment
    certificate: Certificate
    run: CertificateRun
    account: Account
    payment: Entry
    # "office", every center role at the center, "other_<role>" at the other center,
    # "outsider" (an account with no role) and "participant" (the participant's account).
    people: dict[str, User] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        """A CSRF-enforcing client signed in as ``persona`` ("anonymous": nobody)."""
        client = Client(enforce_csrf_checks=True)
        if persona != "anonymous":
            client.force_login(self.people[persona])
        return client

    def url_kwargs(self) -> dict[str, object]:
        """The value of every URL keyword a page may take; tokens are added by the caller,
        since each kind of link is signed differently."""
        return {
            "center_id": self.center.pk,
            "cohort_id": self.cohort.pk,
            "program_id": self.program.pk,
            "session_id": self.session.pk,
            "enrollment_id": self.enrollment.pk,
            "run_id": self.run.pk,
            "number": self.certificate.number,
            "account_id": self.account.pk,
            "entry_id": self.payment.pk,
            "network": self.network.slug,
            "program": self.program.slug,
            "fmt": "csv",
            "action": "withdraw",
        }

    def participant_token(self) -> str:
        return notifications.participant_token(self.participant)

    def result_token(self) -> str:
        return notifications.result_token(self.enrollment)

    def participant_feed_token(self) -> str:
        return admissions_feeds.participant_feed_token(self.participant)

    def center_feed_token(self) -> str:
        return catalog_feeds.center_feed_token(self.people[Role.REGISTRAR], self.center)

    def instructor_feed_token(self) -> str:
        return catalog_feeds.instructor_feed_token(self.people[Role.INSTRUCTOR])

    def check_in_code(self) -> str:
        # Made on each visit: a code lives only a minute or so.
        return codes.check_in_code(self.session)

    def email_token(self) -> str:
        return verification_token(self.people["participant"])

    def password_reset_kwargs(self) -> dict[str, object]:
        user = self.people["participant"]
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }


def _staff(username: str, network: Network, role: str, center: Center | None) -> User:
    user = factories.make_user(username)
    network_services.grant_role(actor=SYSTEM, user=user, network=network, role=role, center=center)
    return user


def _enroll(cohort: Cohort, name: str, *, actor: Actor = SYSTEM) -> Enrollment:
    with translation.override("en"):
        return admissions.apply(actor=actor, cohort=cohort, applicant=factories.applicant(name))


def build_world(slug: str, *, rows: int = 2) -> World:
    """A network named ``slug`` whose lists each hold about ``rows`` rows: centers, people in
    the cohort, cohorts and programs, sessions, certificates, payments, and the
    participant's own enrollments."""
    network = factories.make_network(slug)
    center = factories.make_center(network, f"{slug}-moscow")
    other_center = factories.make_center(network, f"{slug}-vladivostok", tz="Asia/Vladivostok")
    people = {"office": _staff(f"{slug}-office", network, Role.OFFICE, None)}
    for role in CENTER_ROLES:
        people[role] = _staff(f"{slug}-{role}", network, role, center)
        people[f"other_{role}"] = _staff(f"{slug}-other-{role}", network, role, other_center)
    people["outsider"] = factories.make_user(f"{slug}-outsider")
    # The participant's account has proven its address, so applying ties the
    # applications to it ("My programs").
    owner = factories.make_user(f"person{slug}-own", email_verified_at=timezone.now())
    people["participant"] = owner

    program = catalog.create_program(
        actor=SYSTEM,
        network=network,
        slug=f"{slug}-kaizen",
        name={"en": "Kaizen and 5S", "ru": "Кайдзен и 5S", "ja": "改善と5S"},
        topic="production",
        hours=36,
    )
    # Anyone enrolled may complete: no attendance asked.
    delivery.set_completion_rule(
        actor=SYSTEM, program=program, min_attendance_percent=0, assessment="none"
    )
    today = timezone.localdate(timezone=center.tzinfo)

    def running_cohort(fee: str = "14000") -> Cohort:
        return factories.make_cohort(
            center,
            program,
            capacity=rows + 10,
            starts_on=today - datetime.timedelta(days=5),
            ends_on=today + datetime.timedelta(days=rows + 5),
            fee=Decimal(fee),
            currency="RUB",
        )

    def another_cohort(n: int) -> Cohort:
        # Another program each, so that the catalog and the programs list grow too; one in
        # three yet to begin, the others under way.
        other_program = factories.make_program(network, f"{slug}-program-{n}")
        delivery.set_completion_rule(
            actor=SYSTEM, program=other_program, min_attendance_percent=0, assessment="none"
        )
        begins = datetime.timedelta(days=20 if n % 3 == 0 else -5)
        return factories.make_cohort(
            center,
            other_program,
            capacity=5,
            starts_on=today + begins,
            ends_on=today + begins + datetime.timedelta(days=10),
            fee=Decimal("9000"),
            currency="RUB",
        )

    cohort = running_cohort()
    second_cohort = running_cohort(fee="0")
    now = timezone.now().replace(microsecond=0)
    sessions = [
        catalog.schedule_session(
            actor=SYSTEM,
            cohort=cohort,
            starts_at=now - datetime.timedelta(minutes=30) + datetime.timedelta(days=n),
            ends_at=now + datetime.timedelta(hours=2) + datetime.timedelta(days=n),
            title=f"Session {n + 1}",
            instructor=people[Role.INSTRUCTOR],
        )
        for n in range(rows)
    ]
    enrollment = _enroll(cohort, f"{slug}-own", actor=StaffActor(owner))
    completed = _enroll(second_cohort, f"{slug}-own", actor=StaffActor(owner))
    participant = enrollment.participant
    account = Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")
    payment = payments.record_payment(actor=SYSTEM, account=account, amount="4000")
    admissions.complete(actor=SYSTEM, enrollment=completed)
    for n in range(rows - 1):
        other = _enroll(cohort, f"{slug}-{n}")
        other_account = Account.objects.get(subject=f"admissions.enrollment:{other.pk}")
        payments.record_payment(actor=SYSTEM, account=other_account, amount="1000")
        admissions.complete(actor=SYSTEM, enrollment=_enroll(second_cohort, f"{slug}-{n}"))
        # More cohorts at the center, each with the participant in it: waiting for the
        # start, under way (a transcript) or completed (a certificate).
        own = _enroll(another_cohort(n), f"{slug}-own", actor=StaffActor(owner))
        if n % 3 == 2:
            admissions.complete(actor=SYSTEM, enrollment=own)
    for n in range(rows - 2):  # more centers, for the office's overview and calendar
        factories.make_center(network, f"{slug}-center-{n}")
    run = start_certificate_run(actor=SYSTEM, cohort=second_cohort)
    certificate = Certificate.objects.get(enrollment=completed)
    # Both PDFs are stored once rendered; render them here, once per module, so that the
    # many visits below read the stored file (rendering is tested on its own elsewhere).
    rendering.certificate_pdf(certificate)
    issuing.document_pdf(payment)
    return World(
        network=network,
        center=center,
        other_center=other_center,
        program=program,
        cohort=cohort,
        second_cohort=second_cohort,
        session=sessions[0],
        participant=participant,
        enrollment=enrollment,
        completed=completed,
        certificate=certificate,
        run=run,
        account=account,
        payment=payment,
        people=people,
    )


class _Rollback(Exception):
    """Raised to undo everything a module built."""


def worlds_for_module(
    django_db_blocker: DjangoDbBlocker, key_dir: Path, sizes: dict[str, int]
) -> Iterator[dict[str, World]]:
    """Build one network per entry of ``sizes`` (slug: rows) inside a transaction that is
    rolled back after the module's tests, which each run in a savepoint of it."""
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, KAKEHASHI_KEY_DIR=key_dir),
        django_db_blocker.unblock(),
    ):
        try:
            with transaction.atomic():
                yield {slug: build_world(slug, rows=rows) for slug, rows in sizes.items()}
                raise _Rollback
        except _Rollback:
            pass

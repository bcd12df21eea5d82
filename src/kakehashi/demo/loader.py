"""Loading the demo network, every change made through the services, so every one is audited.

Staff do what they would do in the product: the administrator creates the network, the
network office its centers and catalog, each center's registrar (or the office, where a
center has none) its cohorts and sessions; applicants apply themselves where applications
are open, and registrars decide on them.

History goes in as history: each center is planned and opened on its real date, and the
participants of past cohorts (2022 to 2025) are recorded by their registrars with
``record_past_participant`` (``admissions.enrollment.recorded`` in the audit log), as a
center moving its paper records into Kakehashi would.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Admission, Cohort, Format, Program
from kakehashi.core.actors import StaffActor, SystemActor
from kakehashi.core.errors import Conflict
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.core.services import accounts as account_services
from kakehashi.demo import teaching
from kakehashi.demo.accounts import (
    DEMO_PASSWORD,
    INSTRUCTOR_OF_REGION,
    STAFF,
    SUPERUSER,
    StaffAccount,
)
from kakehashi.demo.content import (
    CENTERS,
    NETWORK_DESCRIPTION,
    NETWORK_FOUNDED_ON,
    NETWORK_NAME,
    NETWORK_SLUG,
    CenterFacts,
)
from kakehashi.demo.people import PeopleGenerator, Person
from kakehashi.demo.programs import PROGRAMS, Pattern, ProgramFacts
from kakehashi.demo.schedule import plan_sessions
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, CenterStatus, Network, Room

SEED = 1994
PEOPLE_PER_CENTER = 45

# The demo's applicants apply through the public form, as anyone would.
DEMO_APPLICANTS = SystemActor("demo.applicants")


@dataclass(frozen=True)
class PastCohort:
    """A cohort that has ended: its participants enrolled and (most) completed."""

    center: str
    program: str
    not_before: datetime.date
    capacity: int


PAST_COHORTS: tuple[PastCohort, ...] = (
    PastCohort("moscow", "production-kaizen", datetime.date(2022, 4, 4), 20),
    PastCohort("moscow", "japanese-language", datetime.date(2023, 2, 7), 16),
    PastCohort("moscow", "japanese-language", datetime.date(2024, 9, 10), 16),
    PastCohort("moscow", "japanese-language", datetime.date(2025, 2, 4), 16),
    PastCohort("saint-petersburg", "marketing", datetime.date(2022, 5, 16), 20),
    PastCohort("saint-petersburg", "japanese-language", datetime.date(2023, 3, 7), 14),
    PastCohort("saint-petersburg", "japanese-language", datetime.date(2024, 10, 1), 14),
    PastCohort("saint-petersburg", "japanese-language", datetime.date(2025, 3, 4), 14),
    PastCohort("nizhny-novgorod", "small-business", datetime.date(2022, 3, 14), 20),
    PastCohort("nizhny-novgorod", "japanese-language", datetime.date(2023, 9, 12), 14),
    PastCohort("nizhny-novgorod", "japanese-language", datetime.date(2024, 2, 6), 14),
    PastCohort("nizhny-novgorod", "japanese-language", datetime.date(2025, 2, 11), 14),
    PastCohort("khabarovsk", "finance", datetime.date(2022, 10, 10), 20),
    PastCohort("khabarovsk", "japanese-language", datetime.date(2023, 2, 14), 14),
    PastCohort("khabarovsk", "japanese-language", datetime.date(2024, 9, 17), 14),
    PastCohort("khabarovsk", "japanese-language", datetime.date(2025, 3, 11), 14),
    PastCohort("vladivostok", "hr-management", datetime.date(2022, 9, 19), 20),
    PastCohort("vladivostok", "japanese-language", datetime.date(2023, 10, 3), 14),
    PastCohort("vladivostok", "japanese-language", datetime.date(2024, 2, 13), 14),
    PastCohort("vladivostok", "japanese-language", datetime.date(2025, 2, 18), 14),
    PastCohort("yuzhno-sakhalinsk", "general-management", datetime.date(2022, 11, 14), 20),
    PastCohort("yuzhno-sakhalinsk", "japanese-language", datetime.date(2023, 3, 14), 12),
    PastCohort("yuzhno-sakhalinsk", "japanese-language", datetime.date(2024, 10, 8), 12),
    PastCohort("yuzhno-sakhalinsk", "japanese-language", datetime.date(2025, 3, 18), 12),
)


@dataclass(frozen=True)
class CurrentCohort:
    """A cohort that is running or open for applications, dated from the center's today.

    First come: ``enrolled`` people apply and get seats, ``waitlisted`` more apply after the
    cohort is full. By review: everyone applies with a motivation; the registrar accepts
    ``accepted + offered`` of them (only ``accepted`` confirm) and rejects ``rejected``.
    A cohort that has already started (``start_in_days`` < 0) was filled by its registrar.
    """

    center: str
    program: str
    start_in_days: int
    capacity: int
    admission: str = Admission.FIRST_COME
    fee: Decimal = Decimal(0)
    format: str = Format.IN_PERSON
    enrolled: int = 0
    waitlisted: int = 0
    accepted: int = 0
    offered: int = 0
    pending: int = 0
    rejected: int = 0

    @property
    def applicants(self) -> int:
        return (
            self.enrolled
            + self.waitlisted
            + self.accepted
            + self.offered
            + self.pending
            + self.rejected
        )


REVIEW = Admission.REVIEW
CURRENT_COHORTS: tuple[CurrentCohort, ...] = (
    CurrentCohort(
        "moscow", "production-kaizen", 21, 20, REVIEW, accepted=4, offered=2, pending=3, rejected=1
    ),
    CurrentCohort("moscow", "japanese-language", 17, 16, fee=Decimal(14000), enrolled=9),
    # Nearly full: one seat left.
    CurrentCohort("saint-petersburg", "marketing", 20, 12, enrolled=11),
    CurrentCohort("saint-petersburg", "general-management", 45, 16, REVIEW, accepted=1, pending=4),
    # Full, with people waiting.
    CurrentCohort("nizhny-novgorod", "small-business", 14, 15, enrolled=15, waitlisted=3),
    CurrentCohort("khabarovsk", "finance", 28, 18, REVIEW, accepted=2, offered=1, pending=3),
    # Running now: started three weeks ago.
    CurrentCohort("khabarovsk", "japanese-language", -20, 14, enrolled=12),
    # Places in Japan are few and allotted per center.
    CurrentCohort(
        "vladivostok",
        "training-in-japan",
        35,
        6,
        REVIEW,
        accepted=3,
        offered=2,
        pending=5,
        rejected=1,
    ),
    CurrentCohort("vladivostok", "japanese-language", 12, 14, fee=Decimal(9600), enrolled=7),
    CurrentCohort("yuzhno-sakhalinsk", "hr-management", 10, 30, format=Format.ONLINE, enrolled=8),
)

WITHDRAWAL_REASONS = (
    "Could not get time off work.",
    "Moved to another city.",
    "Family circumstances.",
    "Changed jobs.",
)
REJECTION_REASON = "More applicants than places; invited to apply for the next cohort."


class DemoAlreadyLoaded(Conflict):
    code = "demo_loaded"


@dataclass
class LoadReport:
    network: Network


def is_loaded() -> bool:
    return Network.objects.filter(slug=NETWORK_SLUG).exists()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour))


class DemoLoader:
    """Builds the demo network once, in the caller's transaction."""

    def __init__(self, *, seed: int = SEED) -> None:
        # A fixed seed, not for security: the demo must be the same every time.
        self.rng = random.Random(seed)
        self.generator = PeopleGenerator(self.rng)
        self.users: dict[str, User] = {}
        self.centers: dict[str, Center] = {}
        self.rooms: dict[str, dict[str, Room]] = {}
        self.programs: dict[str, Program] = {}
        self.pools: dict[str, list[Person]] = {}
        self.past_cohorts: list[Cohort] = []
        # Its own generator, so that the people and cohorts stay what they were without it.
        self.teaching_rng = random.Random(seed + 1)
        self.center_facts = {facts.slug: facts for facts in CENTERS}
        self.program_facts = {facts.slug: facts for facts in PROGRAMS}

    # --- who acts ----------------------------------------------------------------------------

    def _staff_of(self, center: str, *roles: str) -> User:
        """The first account holding one of ``roles`` at ``center`` (in that order of roles),
        or the network office, which may do anything anywhere."""
        for role in roles:
            for account in STAFF:
                if account.role == role and center in account.centers:
                    return self.users[account.username]
        return self.users["office"]

    def registrar(self, center: str) -> User:
        return self._staff_of(center, Role.REGISTRAR, Role.MANAGER)

    def manager(self, center: str) -> User:
        return self._staff_of(center, Role.MANAGER)

    # --- the network -------------------------------------------------------------------------

    def load(self) -> LoadReport:
        self._create_users()
        network = network_services.create_network(
            actor=StaffActor(self.users["admin"]),
            slug=NETWORK_SLUG,
            name=NETWORK_NAME,
            description=NETWORK_DESCRIPTION,
            founded_on=NETWORK_FOUNDED_ON,
        )
        self._grant_roles(network, [a for a in STAFF if a.role != SUPERUSER and not a.centers])
        for facts in CENTERS:
            self._open_center(network, facts)
        self._grant_roles(network, [a for a in STAFF if a.centers])
        for facts in CENTERS:
            self.rooms[facts.slug] = {
                name: network_services.add_room(
                    actor=StaffActor(self.manager(facts.slug)),
                    center=self.centers[facts.slug],
                    name=name,
                    capacity=seats,
                )
                for name, seats in facts.rooms
            }
        for program in PROGRAMS:
            self.programs[program.slug] = catalog.create_program(
                actor=StaffActor(self.users["office"]),
                network=network,
                slug=program.slug,
                name=program.name,
                description=program.description,
                topic=program.topic,
                audience=program.audience,
                hours=program.hours,
            )
        teaching.set_completion_rules(self.users["office"], self.programs)
        for facts in CENTERS:
            self.pools[facts.slug] = self.generator.people(facts.slug, PEOPLE_PER_CENTER)
        for past in PAST_COHORTS:
            self._past_cohort(past)
        first = PAST_COHORTS[0]
        teaching.revoke_one(self.registrar(first.center), self.past_cohorts[0])
        for current in CURRENT_COHORTS:
            self._current_cohort(current)
        return LoadReport(network=network)

    def _create_users(self) -> None:
        for account in STAFF:
            # Staff status lets them log in to the admin, which is all there is for now.
            self.users[account.username] = account_services.create_staff_account(
                actor=SystemActor("demo"),
                username=account.username,
                email=account.email,
                password=DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                superuser=account.role == SUPERUSER,
            )

    def _grant_roles(self, network: Network, accounts: list[StaffAccount]) -> None:
        for account in accounts:
            # The administrator appoints the network office; the office appoints the rest.
            actor = self.users["admin" if account.role == Role.OFFICE else "office"]
            for center in account.centers or (None,):
                network_services.grant_role(
                    actor=StaffActor(actor),
                    user=self.users[account.username],
                    network=network,
                    role=account.role,
                    center=self.centers[center] if center else None,
                )

    def _open_center(self, network: Network, facts: CenterFacts) -> None:
        office = self.users["office"]
        center = network_services.create_center(
            actor=StaffActor(office),
            network=network,
            slug=facts.slug,
            name=facts.name,
            city=facts.city,
            description=facts.description,
            timezone_name=facts.timezone,
            opened_on=facts.opened_on,
        )
        center = network_services.change_center_status(
            actor=StaffActor(office),
            center=center,
            to_status=CenterStatus.OPERATING,
            effective_on=facts.opened_on,
            reason=f"Opened in {facts.opened_on:%B %Y}.",
        )
        self.centers[facts.slug] = center

    # --- cohorts -----------------------------------------------------------------------------

    def _local_today(self, center: str) -> datetime.date:
        return timezone.localdate(timezone=self.centers[center].tzinfo)

    def _room_for(self, center: str, program: ProgramFacts) -> Room:
        rooms = self.rooms[center]
        if program.pattern == Pattern.EVENINGS:
            return rooms.get("Language classroom") or rooms["Seminar room"]
        if program.pattern == Pattern.INTERNSHIP:
            return rooms["Seminar room"]
        return rooms["Lecture hall"]

    def _schedule(
        self,
        *,
        center: str,
        program: str,
        not_before: datetime.date,
        capacity: int,
        opens_on: datetime.date | None = None,
        admission: str = Admission.FIRST_COME,
        fee: Decimal = Decimal(0),
        format: str = Format.IN_PERSON,
    ) -> tuple[Cohort, datetime.date]:
        """Create a cohort and its sessions; return it and the day it really ends."""
        facts = self.program_facts[program]
        where = self.centers[center]
        registrar = self.registrar(center)
        sessions = plan_sessions(facts, not_before)
        starts_on = sessions[0].local_date(where.tzinfo)
        ends_on = sessions[-1].local_date(where.tzinfo)
        cohort = catalog.create_cohort(
            actor=StaffActor(registrar),
            program=self.programs[program],
            center=where,
            starts_on=starts_on,
            ends_on=ends_on,
            capacity=capacity,
            fee=fee,
            currency="RUB",
            format=format,
            admission=admission,
            applications_open_at=_at(opens_on or starts_on - datetime.timedelta(days=30), 9),
            applications_close_at=_at(starts_on - datetime.timedelta(days=3), 18),
            # A week to confirm an offered seat, so that offers outlive a demo session.
            offer_hours=7 * 24 if admission == Admission.REVIEW else None,
        )
        online = format == Format.ONLINE
        instructor = self.users[INSTRUCTOR_OF_REGION[self.center_facts[center].region]]
        for session in sessions:
            catalog.schedule_session(
                actor=StaffActor(registrar),
                cohort=cohort,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                title=session.title,
                room=None if online or session.in_japan else self._room_for(center, facts),
                instructor=instructor,
                online_url=f"https://meet.example.org/{center}/{cohort.code}" if online else "",
            )
        return cohort, ends_on

    def _past_cohort(self, plan: PastCohort) -> None:
        registrar = self.registrar(plan.center)
        cohort, _ends_on = self._schedule(
            center=plan.center,
            program=plan.program,
            not_before=plan.not_before,
            capacity=plan.capacity,
        )
        self.past_cohorts.append(cohort)
        size = self.rng.randint(plan.capacity - 6, plan.capacity)
        people = self.rng.sample(self.pools[plan.center], size)
        leaver = self.rng.randrange(len(people)) if self.rng.random() < 0.4 else None
        for index, person in enumerate(people):
            left = index == leaver
            admissions.record_past_participant(
                actor=StaffActor(registrar),
                cohort=cohort,
                applicant=person.applicant,
                outcome=Status.WITHDRAWN if left else Status.COMPLETED,
                note=self.rng.choice(WITHDRAWAL_REASONS) if left else "",
            )

    def _current_cohort(self, plan: CurrentCohort) -> None:
        registrar = self.registrar(plan.center)
        today = self._local_today(plan.center)
        not_before = today + datetime.timedelta(days=plan.start_in_days)
        running = plan.start_in_days < 0
        cohort, _ends_on = self._schedule(
            center=plan.center,
            program=plan.program,
            not_before=not_before,
            capacity=plan.capacity,
            # Applications opened a week ago and close three days before the start.
            opens_on=None if running else today - datetime.timedelta(days=7),
            admission=plan.admission,
            fee=plan.fee,
            format=plan.format,
        )
        people = self.rng.sample(self.pools[plan.center], plan.applicants)
        if running:
            # The window has closed; the registrar enrolled the group.
            for person in people:
                admissions.apply(
                    actor=StaffActor(registrar), cohort=cohort, applicant=person.applicant
                )
            teaching.take_attendance(self.teaching_rng, registrar, cohort)
            return
        if plan.admission == Admission.FIRST_COME:
            for person in people:
                admissions.apply(actor=DEMO_APPLICANTS, cohort=cohort, applicant=person.applicant)
            if cohort.fee:
                teaching.settle_fees(self.teaching_rng, registrar, cohort)
            return
        topic = self.program_facts[plan.program].topic
        applications = [
            admissions.apply(
                actor=DEMO_APPLICANTS,
                cohort=cohort,
                applicant=person.applicant,
                motivation=self.generator.motivation(topic),
            )
            for person in people
        ]
        decided = iter(applications)
        for _ in range(plan.accepted):
            self._accept(registrar, next(decided), confirmed=True)
        for _ in range(plan.offered):
            self._accept(registrar, next(decided), confirmed=False)
        for _ in range(plan.pending):
            next(decided)
        for _ in range(plan.rejected):
            admissions.reject(
                actor=StaffActor(registrar), enrollment=next(decided), reason=REJECTION_REASON
            )

    @staticmethod
    def _accept(registrar: User, enrollment: Enrollment, *, confirmed: bool) -> None:
        offer = admissions.accept(actor=StaffActor(registrar), enrollment=enrollment)
        if confirmed:
            # The applicant confirms through the link in their offer.
            admissions.confirm(
                actor=admissions.participant_actor(offer.participant), enrollment=offer
            )


@transaction.atomic
def load_demo(*, seed: int = SEED) -> LoadReport:
    """Load the demo network in one transaction: all of it, or (on any error) nothing."""
    if is_loaded():
        raise DemoAlreadyLoaded(f"The demo network {NETWORK_SLUG!r} is already loaded.")
    # The people of the demo apply in Russian, as the centers' participants did: their mail,
    # certificates and receipts are in Russian (a visitor's own applications follow their
    # browser's language).
    with translation.override("ru"):
        return DemoLoader(seed=seed).load()

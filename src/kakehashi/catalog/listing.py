"""What the public sees of the catalog: which cohorts are listed, and how a listing reads.

Only cohorts of operating centers, of programs still offered, that are open for
applications or have not started yet are listed. The catalog's pages and the application
form (in admissions) read the same rule from here.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from kakehashi.catalog.models import Cohort, CohortQuerySet, Program
from kakehashi.core.money import format_money
from kakehashi.core.translated import LANGUAGE_NAMES
from kakehashi.network.models import CenterStatus


def listed_cohorts(now: datetime.datetime | None = None) -> CohortQuerySet:
    """Cohorts the public may see, with their program, center and seat counts.

    A cohort is listed while its center operates and its program is offered, until it
    ends, if it has not started yet or still takes applications. "Today" is the center's
    own date, which SQL cannot know: this query keeps every cohort that may be listed in
    some time zone, and ``is_listed`` decides each one exactly.
    """
    now = now or timezone.now()
    # Every center's today lies within a day of today in UTC.
    earliest_today = now.date() - datetime.timedelta(days=1)
    takes_applications = (
        Q(applications_open_at__isnull=True) | Q(applications_open_at__lte=now)
    ) & (Q(applications_close_at__isnull=True) | Q(applications_close_at__gt=now))
    return (
        Cohort.objects.with_counts()
        .select_related("program", "program__network", "center")
        .filter(
            Q(starts_on__gte=earliest_today) | takes_applications,
            center__status=CenterStatus.OPERATING,
            program__is_active=True,
            ends_on__gte=earliest_today,
        )
        .order_by("starts_on", "pk")
    )


def is_listed(cohort: Cohort, now: datetime.datetime | None = None) -> bool:
    """The exact rule of ``listed_cohorts``, with the center's own date."""
    now = now or timezone.now()
    today = timezone.localdate(now, cohort.center.tzinfo)
    if cohort.ends_on < today:
        return False
    return cohort.starts_on > today or cohort.applications_open(now)


@dataclass
class CohortListing:
    """One cohort as a visitor reads it: where, when, seats, fee and how to apply."""

    cohort: Cohort
    seats_left: int
    waiting: int
    fee: str  # formatted; empty when the cohort is free
    language: str
    # "open", "later" (applications open at ``opens_at``) or "closed"
    applications: str
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None

    @classmethod
    def of(cls, cohort: Cohort, now: datetime.datetime | None = None) -> "CohortListing":
        now = now or timezone.now()
        held: int = getattr(cohort, "seats_held_count", 0)
        waiting: int = getattr(cohort, "waitlist_count", 0)
        if cohort.applications_open(now):
            applications = "open"
        elif cohort.applications_open_at and now < cohort.applications_open_at:
            applications = "later"
        else:
            applications = "closed"
        return cls(
            cohort=cohort,
            seats_left=max(cohort.capacity - held, 0),
            waiting=waiting,
            fee="" if cohort.is_free else format_money(cohort.fee, cohort.currency),
            language=str(LANGUAGE_NAMES.get(cohort.language, cohort.language)),
            applications=applications,
            opens_at=cohort.applications_open_at,
            closes_at=cohort.applications_close_at,
        )

    @property
    def has_waiting_list(self) -> bool:
        """New applicants go to the waiting list (first come) or wait for a free seat."""
        return self.seats_left == 0 or self.waiting > 0

    @property
    def can_apply(self) -> bool:
        return self.applications == "open"


@dataclass
class ProgramListing:
    """A program of the catalog with the cohorts that matched the visitor's filters."""

    program: Program
    cohorts: list[CohortListing] = field(default_factory=list)

"""``kakehashi demo``: load the demo network once; ``--accounts`` prints how to log in."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.db.models import Count, Max, Min
from django.utils import timezone

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort, Session
from kakehashi.core import audit
from kakehashi.core.errors import DomainError
from kakehashi.core.models import AuditEvent, User
from kakehashi.core.translated import texts_of
from kakehashi.demo.accounts import (
    DEMO_PASSWORD,
    STAFF,
    describe_accounts,
    login_url,
    site_url,
)
from kakehashi.demo.content import NETWORK_SLUG
from kakehashi.demo.loader import DemoAlreadyLoaded, LoadReport, load_demo
from kakehashi.network.models import Network, Room


class Command(BaseCommand):
    help = (
        "Load the demo network (the Japan Centers in Russia, with generated people, companies "
        "and cohorts) once; running it again changes nothing. --accounts prints the demo "
        "logins."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--accounts",
            action="store_true",
            help="Only print the demo accounts and where to log in; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["accounts"]:
            self._accounts_only()
            return
        network = Network.objects.filter(slug=NETWORK_SLUG).first()
        if network is not None:
            self.stdout.write(
                f"The demo network {NETWORK_SLUG} is already loaded; nothing was changed."
            )
            self._print_accounts(network)
            return
        taken = sorted(
            User.objects.filter(username__in=[a.username for a in STAFF]).values_list(
                "username", flat=True
            )
        )
        if taken:
            raise CommandError(
                f"The demo needs these usernames, which are already taken: {', '.join(taken)}. "
                "Load the demo into a fresh database, or rename those users."
            )
        started = time.monotonic()
        try:
            report = load_demo()
        except DemoAlreadyLoaded:  # loaded meanwhile by another run of this command
            self.stdout.write(f"The demo network {NETWORK_SLUG} is already loaded.")
            return
        except DomainError as error:
            raise CommandError(
                f"Loading the demo failed and nothing was changed: {error.message}"
            ) from error
        self._print_summary(report, time.monotonic() - started)
        self._print_accounts(report.network)

    def _accounts_only(self) -> None:
        try:
            network = Network.objects.filter(slug=NETWORK_SLUG).first()
        except DatabaseError:
            self.stdout.write("The database is not set up yet: run `kakehashi migrate` first.")
            return
        if network is None:
            self.stdout.write(
                "The demo network is not loaded, so there are no demo accounts: "
                "run `kakehashi demo` to load it."
            )
            return
        self._print_accounts(network)

    def _print_accounts(self, network: Network) -> None:
        accounts = describe_accounts(network)
        if not accounts:
            self.stdout.write("No demo accounts are left in the database.")
            return
        width = max(len(username) for username, _role in accounts) + 2
        pw_width = len(DEMO_PASSWORD) + 2
        self.stdout.write(
            f"\nThe catalog is at {site_url()}; staff work in the office at {site_url('/office/')}"
            f" (and the admin at {site_url('/admin/')}).\nDemo accounts; log in at {login_url()}"
        )
        self.stdout.write(f"  {'username':<{width}}{'password':<{pw_width}}role")
        for username, role in accounts:
            self.stdout.write(f"  {username:<{width}}{DEMO_PASSWORD:<{pw_width}}{role}")
        self.stdout.write(
            "For the REST API (/api/v1/), get a token with `kakehashi token create USERNAME`."
        )

    def _print_summary(self, report: LoadReport, seconds: float) -> None:
        network = report.network
        out = self.stdout.write
        today = timezone.localdate()
        cohorts = Cohort.objects.filter(center__network=network)
        statuses = dict(
            Enrollment.objects.filter(cohort__center__network=network)
            .order_by()
            .values("status")
            .annotate(count=Count("pk"))
            .values_list("status", "count")
        )
        past = cohorts.filter(ends_on__lt=today).aggregate(
            count=Count("pk"), first=Min("starts_on"), last=Max("starts_on")
        )
        centers = list(network.centers.order_by("opened_on"))
        chains = [audit.chain_key_for_network(network.pk)] + [
            audit.chain_key_for_center(center.pk) for center in centers
        ]
        out(
            f"Loaded the demo network {texts_of(network, 'name')['en']} ({network.slug}) in "
            f"{seconds:.1f} s:"
        )
        out(f"  {len(centers)} centers, operating:")
        for center in centers:
            city = texts_of(center, "city")["en"]
            out(
                f"    {city:<20}opened {center.opened_on}  {center.timezone:<18}"
                f"{center.rooms.count()} rooms"
            )
        out(
            f"  {Room.objects.filter(center__network=network).count()} rooms, "
            f"{network.programs.count()} programs in en/ru/ja"
        )
        out(
            f"  {cohorts.count()} cohorts: {past['count']} past "
            f"({past['first']:%Y} to {past['last']:%Y}), "
            f"{cohorts.filter(starts_on__lte=today, ends_on__gte=today).count()} running, "
            f"{cohorts.filter(starts_on__gt=today).count()} open for applications; "
            f"{Session.objects.filter(cohort__center__network=network).count()} sessions"
        )
        by_status = ", ".join(
            f"{statuses[status]} {Status(status).label.lower()}"
            for status in Status.values
            if statuses.get(status)
        )
        out(
            f"  {network.participants.count()} participants, "
            f"{sum(statuses.values())} enrollments ({by_status})"
        )
        out(
            f"  {len(STAFF)} staff accounts, "
            f"{AuditEvent.objects.filter(chain__key__in=chains).count()} audit events"
        )
        out(
            "People, companies and cohorts are generated (emails at example.org and "
            'example.com, companies marked "(generated)"); the network, its six centers and '
            "their opening dates are real."
        )

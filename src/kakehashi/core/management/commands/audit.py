from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kakehashi.core import audit


class Command(BaseCommand):
    help = "Work with the audit log. `audit verify` checks every hash chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check every chain and report the first broken link.")

    def handle(self, *args: Any, **options: Any) -> None:
        broken = 0
        chains = 0
        for chain, link in audit.verify():
            chains += 1
            if link is None:
                self.stdout.write(f"ok      {chain.key}: {chain.length} events")
            else:
                broken += 1
                self.stdout.write(self.style.ERROR(f"BROKEN  {link}"))
        if broken:
            raise CommandError(f"{broken} of {chains} audit chains are broken.")
        self.stdout.write(self.style.SUCCESS(f"All {chains} audit chains are intact."))

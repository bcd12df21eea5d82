"""``kakehashi keys rotate --network SLUG`` retires a network's signing key and makes a new
one; ``kakehashi keys list`` shows every key. Retired keys stay published, so the
certificates they signed keep verifying."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kakehashi.core.actors import SystemActor
from kakehashi.core.errors import DomainError
from kakehashi.credentials import keys
from kakehashi.credentials.models import SigningKey
from kakehashi.network.models import Network


class Command(BaseCommand):
    help = "Manage the networks' signing keys: `keys rotate --network SLUG`, `keys list`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        rotate = actions.add_parser("rotate", help="Retire the network's key and make a new one.")
        rotate.add_argument("--network", required=True, metavar="SLUG")
        actions.add_parser("list", help="Show every signing key and whether its file is there.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for key in SigningKey.objects.select_related("network").order_by("network", "pk"):
                state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
                present = "file present" if key.private_key_path.is_file() else "FILE MISSING"
                self.stdout.write(f"{key.network.slug}  {key.kid}  {state}  {present}")
            return
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            raise CommandError(f"There is no network {options['network']!r}.", returncode=2)
        try:
            key = keys.rotate_key(actor=SystemActor("command.keys.rotate"), network=network)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"{network.slug} now signs with {key.kid} ({key.private_key_path}).")
        )

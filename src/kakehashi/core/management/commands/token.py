from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kakehashi.core.models import ApiToken


class Command(BaseCommand):
    help = "Manage API tokens. `token create USERNAME` prints a new bearer token."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown only once).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user is called {options['username']!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive; activate them first.")
        _token, raw = ApiToken.issue(user=user, name=options["name"])
        self.stdout.write(raw)

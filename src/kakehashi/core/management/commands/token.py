from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kakehashi.core.actors import SystemActor
from kakehashi.core.errors import DomainError
from kakehashi.core.models import User
from kakehashi.core.services.tokens import issue_api_token


class Command(BaseCommand):
    help = "Manage API tokens. `token create USERNAME` prints a new bearer token."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown only once).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive; activate them first.")
        try:
            _token, raw = issue_api_token(
                actor=SystemActor("command.token_create"), user=user, name=options["name"]
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(raw)

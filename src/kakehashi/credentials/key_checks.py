"""System checks for signing: every active signing key has its private key file, and the
address certificates carry is a public one.

Without the key file no certificate of the network can be issued, and every completion
there would fail; ``kakehashi check`` (and every command that runs the checks, such as
``runserver`` and ``migrate``) says so before the first participant finds out.
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.db import DatabaseError


def check_signing_keys(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from kakehashi.credentials.models import SigningKey

    try:
        active = list(SigningKey.objects.filter(retired_at__isnull=True).select_related("network"))
    except DatabaseError:
        # Before the first migration there are no keys to check.
        return []
    problems: list[CheckMessage] = []
    for key in active:
        path = key.private_key_path
        if not path.is_file():
            problems.append(
                Error(
                    f"The private key {key.kid} of network {key.network.slug} is missing "
                    f"(expected at {path}): no certificate of this network can be issued.",
                    hint=(
                        "Restore the file from the backup (KAKEHASHI_KEY_DIR), or make a new "
                        f"key with `kakehashi keys rotate --network {key.network.slug}`."
                    ),
                    obj=key,
                    id="credentials.E001",
                )
            )
        elif path.stat().st_mode & 0o077:
            problems.append(
                Warning(
                    f"The private key file {path} can be read by other users.",
                    hint=f"chmod 600 {path}",
                    obj=key,
                    id="credentials.W001",
                )
            )
    return problems


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "testserver", ""}


def check_base_url(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Each credential carries its verify address and its issuer's for ever: issued under a
    local address, they would point nowhere (a deployment check: ``check --deploy``)."""
    host = urlsplit(settings.KAKEHASHI_BASE_URL).hostname or ""
    if host not in LOCAL_HOSTS:
        return []
    return [
        Warning(
            f"KAKEHASHI_BASE_URL is {settings.KAKEHASHI_BASE_URL!r}: every certificate issued "
            "now carries this address (its verify page, its issuer) for good.",
            hint="Set KAKEHASHI_BASE_URL to the public address, e.g. https://certificates.example.org.",
            id="credentials.W002",
        )
    ]

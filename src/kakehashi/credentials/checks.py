"""A system check: the fonts certificates and transcripts are set in are installed.

Without them no certificate can be made, and every completion would leave its PDF unmade;
``kakehashi check`` (and every command that runs the checks) says so first. The id is
``credentials.E002``: ``credentials.E001`` is the missing signing key.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error

from kakehashi.core import pdf


def check_fonts(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    problems = pdf.font_problems()
    if not problems:
        return []
    return [
        Error(
            f"The fonts in {pdf.font_dir()} cannot be used, so no certificate or transcript "
            f"can be made: {' '.join(problems)}",
            hint=pdf.font_hint(),
            id="credentials.E002",
        )
    ]

"""Check-in codes: what the instructor's QR code carries.

A code names one session and the moment it was shown, signed with the site's key under
its own salt (so no other signed value of Kakehashi is ever accepted as one). The
instructor's screen shows a fresh code every minute, and a code is accepted for five
minutes after it was shown: a photo of the screen sent to a friend at home soon stops
working.
"""

import datetime

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.catalog.models import Session
from kakehashi.core.errors import DomainError, NotFound

SALT = "kakehashi.delivery.check-in-code"
# How long a code is accepted after it was shown, and how often the screen shows a new one.
CODE_LIFETIME = datetime.timedelta(minutes=5)
REFRESH_SECONDS = 60


class CodeInvalid(NotFound):
    """Not a code Kakehashi made: mistyped, cut short or forged."""

    code = "check_in_code_invalid"


class CodeExpired(DomainError):
    """A genuine code, shown too long ago."""

    code = "check_in_code_expired"
    status = 400


def check_in_code(session: Session, *, now: datetime.datetime | None = None) -> str:
    """A code for checking in to ``session``, valid for ``CODE_LIFETIME`` from ``now``."""
    shown = int((now or timezone.now()).timestamp())
    return signing.Signer(salt=SALT).sign_object([session.pk, shown])


def session_id_from_code(code: str, *, now: datetime.datetime | None = None) -> int:
    """The session a code names; raises CodeInvalid or CodeExpired."""
    try:
        value = signing.Signer(salt=SALT).unsign_object(code)
    except (signing.BadSignature, ValueError):
        raise CodeInvalid(
            _("This check-in code is not valid. Scan the code on the instructor's screen again.")
        ) from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        raise CodeInvalid(
            _("This check-in code is not valid. Scan the code on the instructor's screen again.")
        )
    session_id, shown = value
    # In whole seconds, as the moment shown was recorded.
    age = int((now or timezone.now()).timestamp()) - shown
    if age > CODE_LIFETIME.total_seconds():
        raise CodeExpired(
            _(
                "This check-in code has expired: codes work for a few minutes after they are "
                "shown. Scan the code on the instructor's screen again."
            )
        )
    return int(session_id)

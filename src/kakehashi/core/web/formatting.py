"""How pages write money and shares, in the active language."""

from decimal import Decimal

from babel.numbers import format_percent
from django.conf import settings
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from kakehashi.core.money import format_money


def _locale() -> str:
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def money(amount: Decimal, currency: str) -> str:
    """An amount as people of the active language write it, or "Free"."""
    if not amount:
        return _("Free")
    return format_money(amount, currency)


def fill_rate(held: int, capacity: int) -> str:
    """How full something is (seats held of its capacity), as a percentage."""
    if not capacity:
        return "—"
    return format_percent(Decimal(held) / Decimal(capacity), locale=_locale())

"""Exact amounts of money: ``Decimal`` in the currency's minor units, never floats."""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.core.errors import InvalidInput

# Currencies Kakehashi accepts; babel knows their minor units (JPY 0, RUB and USD 2, ...).
# Amounts are stored with two decimal places, so currencies with three (KWD) are refused
# rather than rounded.
CURRENCIES: frozenset[str] = frozenset(
    code for code in list_currencies() if int(get_currency_precision(code)) <= 2
)
# The largest amount the database columns hold (12 digits, 2 of them decimal places).
MAX_AMOUNT = Decimal("9999999999.99")


def minor_units(currency: str) -> int:
    return int(get_currency_precision(currency))


def quantum(currency: str) -> Decimal:
    """The smallest amount of ``currency``: 1 for JPY, 0.01 for RUB and USD."""
    return Decimal(1).scaleb(-minor_units(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """``amount`` as a whole number of the currency's minor units (12.50 USD is 1250, 1500
    JPY is 1500), as card providers count; refuses an amount that is not exact in them."""
    scaled = amount.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of minor units")
    return int(scaled)


def from_minor(units: int, currency: str) -> Decimal:
    """The amount that ``units`` minor units of ``currency`` make (1250 USD cents is 12.50)."""
    return Decimal(units).scaleb(-minor_units(currency)).quantize(quantum(currency))


def check_currency(currency: str, *, field: str = "currency") -> str:
    code = (currency or "").strip().upper()
    if code not in CURRENCIES:
        raise InvalidInput(
            _("%(code)s is not a known currency code (use ISO 4217, e.g. RUB, JPY, USD).")
            % {"code": currency or "''"},
            fields={field: _("Unknown currency.")},
        )
    return code


def to_amount(
    value: object, currency: str, *, field: str = "amount", positive: bool = False
) -> Decimal:
    """Parse ``value`` as an amount in ``currency``, refusing what cannot be exact.

    Rejects negative amounts (and zero, when ``positive``), NaN and infinities, and more
    decimal places than the currency has (1.5 JPY does not exist).
    """
    code = check_currency(currency)
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            _("%(value)s is not an amount of money.") % {"value": value},
            fields={field: _("Enter a number such as 1500 or 12.50.")},
        ) from None
    if not amount.is_finite():
        raise InvalidInput(
            _("An amount must be a finite number."), fields={field: _("Enter a number.")}
        )
    if amount < 0:
        raise InvalidInput(
            _("An amount cannot be negative."), fields={field: _("Enter zero or more.")}
        )
    if positive and amount == 0:
        raise InvalidInput(
            _("An amount must be more than zero."), fields={field: _("Enter more than zero.")}
        )
    if amount > MAX_AMOUNT:
        raise InvalidInput(
            _("%(value)s is more than Kakehashi can record (at most %(max)s).")
            % {"value": value, "max": MAX_AMOUNT},
            fields={field: _("Enter a smaller amount.")},
        )
    places = minor_units(code)
    exponent = amount.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and -exponent > places
        and amount != amount.quantize(Decimal(1).scaleb(-places))
    ):
        raise InvalidInput(
            ngettext(
                "%(code)s has %(places)d decimal place; %(value)s has more.",
                "%(code)s has %(places)d decimal places; %(value)s has more.",
                places,
            )
            % {"code": code, "places": places, "value": value},
            fields={field: _("Too many decimal places for this currency.")},
        )
    return amount.quantize(Decimal(1).scaleb(-places))


# A currency code written against a digit ("RUB14,000.00"); CLDR's currency spacing, which
# babel does not apply, puts a no-break space between them.
_CODE_BEFORE_DIGIT = re.compile(r"^([A-Z]{3})(?=\d)")
_CODE_AFTER_DIGIT = re.compile(r"(?<=\d)([A-Z]{3})$")


def format_money(amount: Decimal, currency: str) -> str:
    """An amount as the active language writes it: "14 000,00 ₽", "RUB 14,000.00"."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    text = format_currency(amount, currency, locale=translation.to_locale(language))
    text = _CODE_BEFORE_DIGIT.sub("\\1\u00a0", text)
    return _CODE_AFTER_DIGIT.sub("\u00a0\\1", text)

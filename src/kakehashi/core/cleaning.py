"""Checks of raw input that every service shares, each naming the field it refuses.

A service cleans what it is given before it changes anything, whoever calls it (a form,
the API, a command), so that bad input never reaches the database as a crash (PostgreSQL
refuses NUL characters and numbers wider than a column) or as silently mangled data.
"""

import re
from urllib.parse import urlparse

from django.utils.text import slugify
from django.utils.translation import gettext as _

from kakehashi.core.errors import InvalidInput

# The widest whole number a PositiveIntegerField holds on every database we support.
MAX_INT = 2_147_483_647
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def clean_text(field: str, value: str | None, *, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise InvalidInput(
            _("%(field)s contains a NUL character.") % {"field": field},
            fields={field: _("Remove the invisible control character.")},
        )
    if required and not text:
        raise InvalidInput(
            _("%(field)s is required.") % {"field": field},
            fields={field: _("This field is required.")},
        )
    if len(text) > max_length:
        raise InvalidInput(
            _("%(field)s is longer than %(max)d characters.") % {"field": field, "max": max_length},
            fields={field: _("At most %(max)d characters.") % {"max": max_length}},
        )
    return text


def clean_slug(field: str, value: str | None, *, max_length: int = 50) -> str:
    """A short address: "Spring 2027" becomes spring-2027; letters that have no latin
    spelling are refused rather than silently dropped."""
    text = clean_text(field, value, max_length=max_length, required=True)
    slug = slugify(text)
    if not text.isascii() or not _SLUG.match(slug):
        raise InvalidInput(
            _("%(value)s is not a valid %(field)s: use latin letters, digits and hyphens.")
            % {"value": text, "field": field},
            fields={field: _("Use latin letters, digits and hyphens, e.g. spring-2027.")},
        )
    return slug


def clean_int(field: str, value: object, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise InvalidInput(
                _("%(field)s must be a whole number.") % {"field": field},
                fields={field: _("Enter a whole number.")},
            ) from None
    else:
        number = value
    if not minimum <= number <= maximum:
        raise InvalidInput(
            _("%(field)s must be between %(min)d and %(max)d.")
            % {"field": field, "min": minimum, "max": maximum},
            fields={field: _("Enter %(min)d to %(max)d.") % {"min": minimum, "max": maximum}},
        )
    return number


def clean_url(field: str, value: str | None, *, max_length: int = 200) -> str:
    url = clean_text(field, value, max_length=max_length)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InvalidInput(
                _("%(value)s is not a web address.") % {"value": url},
                fields={field: _("Enter an address starting with https://.")},
            )
    return url

"""Checks of raw input that every service shares, each naming the field it refuses.

A service cleans what it is given before it changes anything, whoever calls it (a form,
the API, a command), so that bad input never reaches the database as a crash (PostgreSQL
refuses NUL characters and numbers wider than a column) or as silently mangled data.

Messages name a field the way a person reads it (``label("full_name")`` is "full name",
"ФИО" in Russian); the ``fields`` of an error keep the code identifiers, which forms and
API clients match on.
"""

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from kakehashi.core.errors import InvalidInput

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# The widest whole number a PositiveIntegerField holds on every database we support.
MAX_INT = 2_147_483_647
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Every field a service names in a message, as a person reads it. The same words as the
# models' verbose names, so that a form's label and its error agree.
FIELD_LABELS: dict[str, "_StrPromise"] = {
    # participants and enrollments
    "email": gettext_lazy("email"),
    "full_name": gettext_lazy("full name"),
    "company": gettext_lazy("company"),
    "position": gettext_lazy("position"),
    "industry": gettext_lazy("industry"),
    "phone": gettext_lazy("phone"),
    "motivation": gettext_lazy("motivation"),
    "note": gettext_lazy("note"),
    "outcome": gettext_lazy("outcome"),
    # networks, centers, rooms and roles
    "slug": gettext_lazy("short address"),
    "name": gettext_lazy("name"),
    "description": gettext_lazy("description"),
    "city": gettext_lazy("city"),
    "address": gettext_lazy("address"),
    "timezone": gettext_lazy("time zone"),
    "opened_on": gettext_lazy("opened on"),
    "planned_on": gettext_lazy("planned on"),
    "status": gettext_lazy("status"),
    "effective_on": gettext_lazy("effective on"),
    "reason": gettext_lazy("reason"),
    "role": gettext_lazy("role"),
    "network": gettext_lazy("network"),
    "center": gettext_lazy("center"),
    "room": gettext_lazy("room"),
    "capacity": gettext_lazy("seats"),
    # programs, cohorts and sessions
    "program": gettext_lazy("program"),
    "topic": gettext_lazy("topic"),
    "audience": gettext_lazy("audience"),
    "hours": gettext_lazy("hours of instruction"),
    "is_active": gettext_lazy("offered"),
    "code": gettext_lazy("code"),
    "starts_on": gettext_lazy("starts on"),
    "ends_on": gettext_lazy("ends on"),
    "fee": gettext_lazy("fee"),
    "amount": gettext_lazy("amount"),
    "currency": gettext_lazy("currency"),
    "language": gettext_lazy("language of instruction"),
    "format": gettext_lazy("format"),
    "admission": gettext_lazy("admission"),
    "applications_open_at": gettext_lazy("applications open"),
    "applications_close_at": gettext_lazy("applications close"),
    "offer_hours": gettext_lazy("hours an offer holds a seat"),
    "title": gettext_lazy("title"),
    "starts_at": gettext_lazy("starts at"),
    "ends_at": gettext_lazy("ends at"),
    "instructor": gettext_lazy("instructor"),
    "online_url": gettext_lazy("online link"),
}


def label(field: str) -> str:
    """The name of ``field`` in the active language; an unknown field keeps its code."""
    return str(FIELD_LABELS.get(field, field))


def text_list(items: Iterable[object]) -> str:
    """Items separated the way the active language separates them ("a, b" or "a、b")."""
    return pgettext("between the items of a list", ", ").join(str(item) for item in items)


def choice_list(choices: Iterable[tuple[str, object]]) -> str:
    """Choices as a person reads them, each with the code an API client sends:
    "Planned (planned), Operating (operating), Closed (closed)"."""
    return text_list(
        _("%(label)s (%(code)s)") % {"label": name, "code": code} for code, name in choices
    )


def clean_text(
    field: str,
    value: str | None,
    *,
    max_length: int,
    required: bool = False,
    shown_as: str | None = None,
) -> str:
    """Strip ``value`` and check it; messages call the field ``shown_as`` when given
    (e.g. "name (Russian)"), else its label."""
    name = shown_as or label(field)
    text = (value or "").strip()
    if "\x00" in text:
        raise InvalidInput(
            capfirst(_("%(field)s contains a NUL character.") % {"field": name}),
            fields={field: _("Remove the invisible control character.")},
        )
    if required and not text:
        raise InvalidInput(
            capfirst(_("%(field)s is required.") % {"field": name}),
            fields={field: _("This field is required.")},
        )
    if len(text) > max_length:
        raise InvalidInput(
            capfirst(
                ngettext(
                    "%(field)s is longer than %(max)d character.",
                    "%(field)s is longer than %(max)d characters.",
                    max_length,
                )
                % {"field": name, "max": max_length}
            ),
            fields={
                field: ngettext(
                    "At most %(max)d character.", "At most %(max)d characters.", max_length
                )
                % {"max": max_length}
            },
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
            % {"value": text, "field": label(field)},
            fields={field: _("Use latin letters, digits and hyphens, e.g. spring-2027.")},
        )
    return slug


def clean_int(field: str, value: object, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise InvalidInput(
                capfirst(_("%(field)s must be a whole number.") % {"field": label(field)}),
                fields={field: _("Enter a whole number.")},
            ) from None
    else:
        number = value
    if not minimum <= number <= maximum:
        raise InvalidInput(
            capfirst(
                _("%(field)s must be between %(min)d and %(max)d.")
                % {"field": label(field), "min": minimum, "max": maximum}
            ),
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

"""Text written in several languages, stored the one way modeltranslation does it.

A model field ``name`` registered for translation has columns ``name_en``, ``name_ru`` and
``name_ja``; services take such text as ``{"en": ..., "ru": ..., "ja": ...}``.
"""

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kakehashi.core.cleaning import choice_list, clean_text, label, text_list
from kakehashi.core.errors import InvalidInput

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)
# Each language's name, translated into the active language when shown.
LANGUAGE_NAMES: dict[str, "_StrPromise"] = dict(settings.LANGUAGES)
DEFAULT = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def check_texts(
    field: str,
    values: Mapping[str, str] | None,
    *,
    required: bool = True,
    max_length: int | None = None,
) -> dict[str, str]:
    """Validate translations of ``field``; the default language is required when ``required``."""
    values = dict(values or {})
    unknown = sorted(set(values) - set(LANGUAGE_CODES))
    if unknown:
        raise InvalidInput(
            capfirst(
                _("%(field)s has text in unsupported languages: %(codes)s (use %(known)s).")
                % {
                    "field": label(field),
                    "codes": text_list(unknown),
                    "known": choice_list(settings.LANGUAGES),
                }
            ),
            fields={field: _("Unsupported language.")},
        )
    cleaned: dict[str, str] = {}
    for code, text in values.items():
        # "name (Russian)": which of the translations is wrong. The error is reported
        # against the field itself, where forms and clients show it.
        shown_as = _("%(field)s (%(language)s)") % {
            "field": label(field),
            "language": LANGUAGE_NAMES[code],
        }
        cleaned[code] = clean_text(field, text, max_length=max_length or 100_000, shown_as=shown_as)
    if required and not cleaned.get(DEFAULT):
        raise InvalidInput(
            capfirst(_("%(field)s is required in English.") % {"field": label(field)}),
            fields={field: _("This field is required.")},
        )
    return cleaned


def apply_texts(instance: models.Model, field: str, values: Mapping[str, str]) -> None:
    for code, text in values.items():
        setattr(instance, f"{field}_{code}", text)


def texts_of(instance: models.Model, field: str) -> dict[str, str]:
    return {code: getattr(instance, f"{field}_{code}") or "" for code in LANGUAGE_CODES}


def changed_texts(
    data: Mapping[str, object], changed: Iterable[str], field: str
) -> dict[str, str] | None:
    """The translations of ``field`` from a form's cleaned ``data``, or None when none of
    its languages is among the ``changed`` fields (so that the service leaves it alone)."""
    if not any(name.startswith(f"{field}_") for name in changed):
        return None
    return {code: str(data.get(f"{field}_{code}") or "") for code in LANGUAGE_CODES}


def changed_values(
    data: Mapping[str, object], changed: Iterable[str], *names: str
) -> dict[str, object]:
    """The plain fields among ``names`` that a form changed, for a service's keywords."""
    touched = set(changed)
    return {name: data[name] for name in names if name in touched}

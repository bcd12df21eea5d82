"""Text written in several languages, stored the one way modeltranslation does it.

A model field ``name`` registered for translation has columns ``name_en``, ``name_ru`` and
``name_ja``; services take such text as ``{"en": ..., "ru": ..., "ja": ...}``.
"""

from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from kakehashi.core.cleaning import clean_text
from kakehashi.core.errors import InvalidInput

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)
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
            _("%(field)s has text in unsupported languages: %(codes)s (use %(known)s).")
            % {"field": field, "codes": ", ".join(unknown), "known": ", ".join(LANGUAGE_CODES)},
            fields={field: _("Unsupported language.")},
        )
    cleaned: dict[str, str] = {}
    for code, text in values.items():
        try:
            cleaned[code] = clean_text(f"{field} ({code})", text, max_length=max_length or 100_000)
        except InvalidInput as error:
            # Report against the field itself, where forms and clients show it.
            raise InvalidInput(
                error.message, fields={field: next(iter(error.fields.values()))}
            ) from None
    if required and not cleaned.get(DEFAULT):
        raise InvalidInput(
            _("%(field)s is required in English.") % {"field": field},
            fields={field: _("This field is required.")},
        )
    return cleaned


def apply_texts(instance: models.Model, field: str, values: Mapping[str, str]) -> None:
    for code, text in values.items():
        setattr(instance, f"{field}_{code}", text)


def texts_of(instance: models.Model, field: str) -> dict[str, str]:
    return {code: getattr(instance, f"{field}_{code}") or "" for code in LANGUAGE_CODES}

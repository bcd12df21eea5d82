"""The office forms' base and the inputs every app's forms share.

Times are typed as the clock reads at the center: the views validate and render these
forms inside ``timezone.override(center.tzinfo)``, so a ``datetime-local`` value is read,
and shown again, in the center's zone.
"""

from typing import Any

from django import forms

from kakehashi.core.errors import DomainError
from kakehashi.core.translated import DEFAULT, LANGUAGE_CODES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's date picker sends and expects ISO dates, whatever the language.
        super().__init__(attrs, format="%Y-%m-%d")


class LocalTimeInput(forms.DateTimeInput):
    """A time as the clock reads at the center (see the module's docstring)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class OfficeForm(forms.Form):
    """A form that shows a service's refusal like its own errors."""

    def show_refusal(self, error: DomainError) -> None:
        """The message above the form, and each of the error's fields beside that field
        (a translated text, such as a program's name, beside its English input)."""
        self.add_error(None, error.message)
        for name, text in error.fields.items():
            for candidate in (name, f"{name}_{DEFAULT}"):
                if candidate in self.fields:
                    self.add_error(candidate, text)
                    break

    def translations(self, field: str) -> list[forms.BoundField]:
        """The inputs of a translated field, one per language, for a fieldset."""
        return [
            self[f"{field}_{code}"] for code in LANGUAGE_CODES if f"{field}_{code}" in self.fields
        ]

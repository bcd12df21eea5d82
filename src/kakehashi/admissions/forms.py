"""The application form of the participant portal.

The form only shapes what was typed; the rules (a valid email, a motivation for a cohort
that admits by review, one application per person) are the service's, and its errors are
put back beside the fields they name.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.admissions.services import Applicant
from kakehashi.catalog.models import Admission, Cohort
from kakehashi.core.errors import DomainError

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def _text(
    label: "_StrPromise", *, max_length: int, autocomplete: str, required: bool = False
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


class ApplicationForm(forms.Form):
    """Who is applying, and why when the cohort admits by review."""

    full_name = _text(_("Full name"), max_length=200, autocomplete="name", required=True)
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send the result and a link to your page here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company = _text(_("Company"), max_length=200, autocomplete="organization")
    position = _text(_("Position"), max_length=200, autocomplete="organization-title")
    industry = _text(_("Industry"), max_length=200, autocomplete="off")
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    motivation = forms.CharField(
        label=_("Why do you want to take part?"),
        max_length=5000,
        help_text=_(
            "A few sentences about your work and what you expect from the program: "
            "the center reads them to decide."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cohort.admission != Admission.REVIEW:
            del self.fields["motivation"]

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            email=data["email"],
            full_name=data["full_name"],
            company=data["company"],
            position=data["position"],
            industry=data["industry"],
            phone=data["phone"],
        )

    def motivation_text(self) -> str:
        return str(self.cleaned_data.get("motivation", ""))

    def fields_with_errors(self) -> list[forms.BoundField]:
        """For the summary above the form, each linking to its field."""
        return [self[name] for name in self.fields if name in self.errors]

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal beside the fields it names, or above the form."""
        named = [name for name in error.fields if name in self.fields]
        for name in named:
            self.add_error(name, error.fields[name])
        if not named:
            self.add_error(None, error.message)

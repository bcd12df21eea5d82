"""The office's forms for completion rules and results.

They check what a person can get wrong while typing (letters in a number); the services
judge the rest, and their refusals are put back on the form beside the field they name
(``OfficeForm.show_refusal``). Numbers are read as the active language writes them, so a
Russian registrar may type 82,5.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kakehashi.core.web.forms import OfficeForm
from kakehashi.delivery.models import Assessment, CompletionRule

PASSED_CHOICES = [("yes", _("Passed")), ("no", _("Not passed"))]


def _number(label: Any, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        localize=True,
        max_digits=7,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class CompletionRuleForm(OfficeForm):
    """What completing a program takes."""

    min_attendance_percent = forms.IntegerField(
        label=_("Minimum attendance (%)"),
        min_value=0,
        max_value=100,
        help_text=_(
            "The share of the cohort's sessions a participant must attend (late counts, "
            "excused does not)."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    assessment = forms.ChoiceField(
        label=_("Final assessment"), choices=Assessment.choices, widget=forms.RadioSelect
    )
    pass_mark = _number(_("Pass mark"), required=False)
    max_score = _number(_("Highest score"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pass_mark"].help_text = _("For a scored assessment: the lowest passing score.")
        self.fields["max_score"].help_text = _("For a scored assessment: the best possible score.")

    @staticmethod
    def initial_for(rule: CompletionRule) -> dict[str, Any]:
        return {
            "min_attendance_percent": rule.min_attendance_percent,
            "assessment": rule.assessment,
            "pass_mark": rule.pass_mark.normalize(),
            "max_score": rule.max_score.normalize(),
        }


class ResultForm(OfficeForm):
    """One participant's result in the final assessment: a score, or passed or not."""

    score = _number(_("Score"), required=False)
    passed = forms.ChoiceField(
        label=_("Result"), choices=PASSED_CHOICES, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)

    def __init__(self, *args: Any, assessment: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the kind of result the program's rule asks for.
        del self.fields["passed" if assessment == Assessment.SCORE else "score"]

    def result(self) -> dict[str, Any]:
        """The keywords for ``record_result``."""
        data = self.cleaned_data
        values: dict[str, Any] = {"note": data.get("note") or ""}
        if "score" in self.fields:
            values["score"] = data.get("score")
        else:
            values["passed"] = {"yes": True, "no": False}.get(data.get("passed") or "")
        return values

"""The office's forms for programs, cohorts and sessions.

They check what a person can get wrong while typing (a missing date, letters in a number,
an end before the start) and say so beside the field; everything else is the services'
to judge. A service's refusal is put back on the form by ``show_refusal``: its ``fields``
beside those fields, its message above the form.

Times are typed as the clock reads at the center: the views validate and render these
forms inside ``timezone.override(center.tzinfo)``, so a ``datetime-local`` value is read,
and shown again, in the center's zone.
"""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kakehashi.catalog.models import Admission, Audience, Cohort, Format, Program, Topic
from kakehashi.core.cleaning import FIELD_LABELS
from kakehashi.core.models import User
from kakehashi.core.translated import DEFAULT, LANGUAGE_CODES, LANGUAGE_NAMES
from kakehashi.core.web.forms import DateInput, LocalTimeInput, OfficeForm
from kakehashi.network.models import Center, Network, Room

# What the services accept, as the widest a form lets through.
MAX_HOURS = 10_000
MAX_SEATS = 100_000
MAX_OFFER_HOURS = 24 * 60


def _label(field: str) -> Any:
    """The field's name as the services' messages call it, capitalised for a label."""
    return capfirst(FIELD_LABELS[field])


def _local_time(field: str, *, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_label(field),
        required=required,
        widget=LocalTimeInput,
        help_text=_("Local time at the center."),
    )


# --- programs --------------------------------------------------------------------------------


def _texts_fields(field: str, *, required: bool, max_length: int | None) -> dict[str, Any]:
    fields: dict[str, forms.CharField] = {}
    for code in LANGUAGE_CODES:
        widget: Any = forms.Textarea if max_length is None else forms.TextInput
        fields[f"{field}_{code}"] = forms.CharField(
            label=LANGUAGE_NAMES[code],
            required=required and code == DEFAULT,
            max_length=max_length,
            widget=widget(attrs={"lang": code}),
        )
    return fields


class ProgramForm(OfficeForm):
    """A program of the network's catalog, with its name and description in every language.

    ``networks``: where the person may add programs; the field is left out when there is
    only one.
    """

    def __init__(
        self, *args: Any, networks: QuerySet[Network] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_texts_fields("name", required=True, max_length=200))
        self.fields.update(_texts_fields("description", required=False, max_length=None))
        if networks is not None:
            self.fields["network"] = forms.ModelChoiceField(
                label=_label("network"), queryset=networks, empty_label=None
            )

    @property
    def name_fields(self) -> list[forms.BoundField]:
        return self.translations("name")

    @property
    def description_fields(self) -> list[forms.BoundField]:
        return self.translations("description")

    slug = forms.CharField(
        label=_label("slug"),
        max_length=50,
        help_text=_(
            "Latin letters, digits and hyphens, e.g. production-management. "
            "It cannot be changed later."
        ),
    )
    topic = forms.ChoiceField(label=_label("topic"), choices=Topic.choices)
    audience = forms.ChoiceField(
        label=_label("audience"), choices=Audience.choices, initial=Audience.EVERYONE
    )
    hours = forms.IntegerField(label=_label("hours"), min_value=0, max_value=MAX_HOURS, initial=0)

    def texts(self, field: str) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"{field}_{code}") or "" for code in LANGUAGE_CODES}


class ProgramEditForm(ProgramForm):
    """The same, for a program already in the catalog: its short address stays."""

    is_active = forms.BooleanField(
        label=_label("is_active"),
        required=False,
        help_text=_("Untick to retire the program: no new cohorts, existing ones run on."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["slug"]

    @staticmethod
    def initial_for(program: Program) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "topic": program.topic,
            "audience": program.audience,
            "hours": program.hours,
            "is_active": program.is_active,
        }
        for field in ("name", "description"):
            for code in LANGUAGE_CODES:
                initial[f"{field}_{code}"] = getattr(program, f"{field}_{code}") or ""
        return initial


# --- cohorts ---------------------------------------------------------------------------------


class CohortEditForm(OfficeForm):
    """What may change about a cohort once it is scheduled."""

    starts_on = forms.DateField(label=_label("starts_on"), widget=DateInput)
    ends_on = forms.DateField(label=_label("ends_on"), widget=DateInput)
    capacity = forms.IntegerField(label=_label("capacity"), min_value=1, max_value=MAX_SEATS)
    fee = forms.DecimalField(
        label=_label("fee"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=0,
        help_text=_("Zero for a free cohort."),
    )
    currency = forms.CharField(
        label=_label("currency"),
        max_length=3,
        initial="RUB",
        help_text=_("Three letters: RUB, JPY, USD…"),
    )
    language = forms.ChoiceField(label=_label("language"), choices=settings.LANGUAGES, initial="ru")
    format = forms.ChoiceField(
        label=_label("format"), choices=Format.choices, initial=Format.IN_PERSON
    )
    admission = forms.ChoiceField(
        label=_label("admission"), choices=Admission.choices, initial=Admission.FIRST_COME
    )
    applications_open_at = _local_time("applications_open_at", required=False)
    applications_close_at = _local_time("applications_close_at", required=False)
    offer_hours = forms.IntegerField(
        label=_label("offer_hours"),
        min_value=1,
        max_value=MAX_OFFER_HOURS,
        initial=settings.KAKEHASHI_OFFER_HOURS,
        help_text=_("How long a person has to confirm an offered seat."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Must be on or after the start date."))
        opens, closes = data.get("applications_open_at"), data.get("applications_close_at")
        if opens and closes and closes <= opens:
            self.add_error("applications_close_at", _("Must be after the opening time."))
        currency = data.get("currency")
        if currency:
            data["currency"] = currency.strip().upper()
        return data

    @staticmethod
    def initial_for(cohort: Cohort) -> dict[str, Any]:
        return {name: getattr(cohort, name) for name in CohortEditForm.base_fields}


class CohortForm(CohortEditForm):
    """A new cohort: which program, and a code of its own at the center."""

    program: "forms.ModelChoiceField[Program]" = forms.ModelChoiceField(
        label=_label("program"), queryset=Program.objects.none()
    )
    code = forms.CharField(
        label=_label("code"),
        max_length=60,
        required=False,
        help_text=_("Leave empty for the program's code and the month it starts."),
    )

    field_order = ["program", "code"]

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = cast("forms.ModelChoiceField[Program]", self.fields["program"])
        program.queryset = Program.objects.filter(
            network_id=center.network_id, is_active=True
        ).order_by("slug")


# --- sessions --------------------------------------------------------------------------------


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Room) -> str:
        # Not str(room), which names the center too and reads it once per room.
        return obj.name


class SessionForm(OfficeForm):
    """One meeting of a cohort, its times typed in the center's local time."""

    title = forms.CharField(label=_label("title"), max_length=200, required=False)
    starts_at = _local_time("starts_at", required=True)
    ends_at = _local_time("ends_at", required=True)
    room = RoomChoiceField(label=_label("room"), queryset=Room.objects.none(), required=False)
    instructor = PersonChoiceField(
        label=_label("instructor"), queryset=User.objects.none(), required=False
    )
    format = forms.ChoiceField(
        label=_label("format"),
        required=False,
        choices=[("", _("Same as the cohort")), *Format.choices],
    )
    online_url = forms.URLField(
        label=_label("online_url"),
        required=False,
        assume_scheme="https",
        help_text=_("For online and hybrid sessions."),
    )

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        room = cast("forms.ModelChoiceField[Room]", self.fields["room"])
        instructor = cast("forms.ModelChoiceField[User]", self.fields["instructor"])
        room.queryset = Room.objects.filter(center=center).order_by("name")
        # People who work at the center, or network-wide in its network.
        instructor.queryset = (
            User.objects.filter(
                Q(memberships__center=center)
                | Q(memberships__center__isnull=True, memberships__network_id=center.network_id),
                is_active=True,
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Must be after the start."))
        return data

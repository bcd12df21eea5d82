"""The public catalog: programs across the network, filtered, and each program's cohorts.

Only what the public may see is listed: cohorts of operating centers, of programs still
offered, that are open for applications or have not started yet. Every page reads its rows
in a fixed number of queries (the seats are counted by ``Cohort.objects.with_counts()``).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from kakehashi.catalog.listing import CohortListing, ProgramListing, is_listed, listed_cohorts
from kakehashi.catalog.models import Audience, CohortQuerySet, Format, Program, Topic
from kakehashi.core.web.forms import DateInput
from kakehashi.network.models import Center, CenterStatus

# --- filters -----------------------------------------------------------------------------------

# "Executives" also finds programs for everyone; "online" also finds cohorts taught both ways.
AUDIENCES = {
    Audience.EXECUTIVES: (Audience.EXECUTIVES, Audience.EVERYONE),
    Audience.ENTREPRENEURS: (Audience.ENTREPRENEURS, Audience.EVERYONE),
}
FORMATS = {
    Format.IN_PERSON: (Format.IN_PERSON, Format.HYBRID),
    Format.ONLINE: (Format.ONLINE, Format.HYBRID),
    Format.HYBRID: (Format.HYBRID,),
}


class CatalogFilters(forms.Form):
    """The catalog's filters, read from the query string (a GET form)."""

    center = forms.ChoiceField(label=_("City"), required=False)
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", _("All topics")), *Topic.choices]
    )
    audience = forms.ChoiceField(
        label=_("For"),
        required=False,
        choices=[
            ("", _("Everyone")),
            (Audience.EXECUTIVES, Audience.EXECUTIVES.label),
            (Audience.ENTREPRENEURS, Audience.ENTREPRENEURS.label),
        ],
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *settings.LANGUAGES],
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Any format")), *Format.choices]
    )
    starts_from = forms.DateField(label=_("Starting from"), required=False, widget=DateInput())
    starts_by = forms.DateField(label=_("Starting by"), required=False, widget=DateInput())

    def __init__(self, data: Any, *, centers: list[Center]) -> None:
        super().__init__(data)
        cities = [center.city for center in centers]
        choices = [
            # Two centers in one city are told apart by name.
            (str(center.pk), center.city if cities.count(center.city) == 1 else str(center))
            for center in centers
        ]
        center_field = self.fields["center"]
        assert isinstance(center_field, forms.ChoiceField)
        center_field.choices = [("", _("All cities")), *choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("starts_from"), cleaned.get("starts_by")
        if first and last and last < first:
            self.add_error("starts_by", _("Choose a day on or after the first one."))
        return cleaned

    def chosen(self) -> dict[str, Any]:
        """The filters the visitor set; one with an error is left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def apply(self, cohorts: CohortQuerySet) -> CohortQuerySet:
        """The cohorts that pass every filter the visitor set."""
        chosen = self.chosen()
        if "center" in chosen:
            cohorts = cohorts.filter(center_id=int(chosen["center"]))
        if "topic" in chosen:
            cohorts = cohorts.filter(program__topic=chosen["topic"])
        if "audience" in chosen:
            cohorts = cohorts.filter(program__audience__in=AUDIENCES[chosen["audience"]])
        if "language" in chosen:
            cohorts = cohorts.filter(language=chosen["language"])
        if "format" in chosen:
            cohorts = cohorts.filter(format__in=FORMATS[chosen["format"]])
        if "starts_from" in chosen:
            cohorts = cohorts.filter(starts_on__gte=chosen["starts_from"])
        if "starts_by" in chosen:
            cohorts = cohorts.filter(starts_on__lte=chosen["starts_by"])
        return cohorts


def _operating_centers() -> list[Center]:
    centers = list(Center.objects.filter(status=CenterStatus.OPERATING))
    return sorted(centers, key=lambda center: (center.city, center.name))


def _is_partial(request: HttpRequest) -> bool:
    """An htmx request for the results alone (not htmx restoring a page from history)."""
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


# --- pages -------------------------------------------------------------------------------------


def catalog(request: HttpRequest) -> HttpResponse:
    """The front page: programs across the network with their upcoming cohorts."""
    now = timezone.now()
    filters = CatalogFilters(request.GET or None, centers=_operating_centers())
    programs: dict[int, ProgramListing] = {}
    # Soonest first: a program is placed by its first cohort that matches.
    for cohort in filters.apply(listed_cohorts(now)):
        if is_listed(cohort, now):
            listing = programs.setdefault(cohort.program_id, ProgramListing(cohort.program))
            listing.cohorts.append(CohortListing.of(cohort, now))
    context = {"filters": filters, "programs": list(programs.values())}
    if _is_partial(request):
        response = render(request, "catalog/_results_update.html", context)
    else:
        response = render(request, "catalog/catalog.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def program_detail(request: HttpRequest, network: str, program: str) -> HttpResponse:
    """One program: what it is, and its upcoming cohorts with seats, fee and how to apply."""
    now = timezone.now()
    found: Program = get_object_or_404(
        Program.objects.select_related("network"),
        network__slug=network,
        slug=program,
        is_active=True,
    )
    cohorts = [
        CohortListing.of(cohort, now)
        for cohort in listed_cohorts(now).filter(program=found)
        if is_listed(cohort, now)
    ]
    return render(request, "catalog/program.html", {"program": found, "cohorts": cohorts})

"""Admin for the catalog: programs, cohorts and sessions, all written by
``kakehashi.catalog.services``."""

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import DateTimeField, Field, ForeignKey, Q, QuerySet, URLField
from django.forms import Field as FormField
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from kakehashi.catalog import services
from kakehashi.catalog.models import Cohort, CohortQuerySet, Format, Program, Session
from kakehashi.catalog.services import PROGRAM_PLAIN_FIELDS
from kakehashi.core.actors import StaffActor
from kakehashi.core.admin import (
    ReadOnlyInline,
    ServiceForm,
    ServiceModelAdmin,
    acting_user,
    staff_user,
    texts_from,
    wall_clock,
)
from kakehashi.core.models import User
from kakehashi.core.money import minor_units
from kakehashi.core.roles import Perm
from kakehashi.core.translated import changed_texts, changed_values
from kakehashi.network import access
from kakehashi.network.access import networks_managed_by, networks_visible_to
from kakehashi.network.admin import (
    CenterScopedAdmin,
    center_time,
    open_centers_for,
    remembered,
)
from kakehashi.network.models import Room

LOCAL_TIME_HELP = _("Local time at the center.")


def _local_time_help(db_field: Field, formfield: FormField | None) -> None:
    if formfield is not None and isinstance(db_field, DateTimeField):
        formfield.help_text = LOCAL_TIME_HELP


# --- programs --------------------------------------------------------------------------------


@admin.register(Program)
class ProgramAdmin(ServiceModelAdmin, TranslationAdmin):
    """The network's catalog: the network office adds, edits and retires programs."""

    add_fieldsets = [
        (None, {"fields": ["network", "slug", "name", "topic", "audience", "hours"]}),
        (_("Description"), {"fields": ["description"]}),
    ]
    fieldsets = [
        (None, {"fields": ["network", "slug", "name", "topic", "audience", "hours", "is_active"]}),
        (_("Description"), {"fields": ["description"]}),
    ]
    list_display = ["name", "slug", "topic", "audience", "hours", "is_active", "network"]
    list_filter = ["topic", "audience", "is_active", ("network", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["network"]
    search_fields = ["slug", "name_en", "name_ru", "name_ja"]

    # Programs belong to a network, not a center: whoever works anywhere in the network
    # may read its catalog; only the network office adds to it.

    def get_queryset(self, request: HttpRequest) -> QuerySet[Program]:
        queryset = super().get_queryset(request)
        user = staff_user(request)
        if user is None:
            return queryset.none()
        return queryset.filter(network__in=networks_visible_to(user).values("pk"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Program | None = None) -> bool:
        user = staff_user(request)
        if user is None:
            return False
        networks = networks_visible_to(user)
        if obj is not None:
            return networks.filter(pk=obj.network_id).exists()
        return remembered(request, "view_programs", networks.exists)

    def has_add_permission(self, request: HttpRequest) -> bool:
        user = staff_user(request)
        return user is not None and remembered(
            request,
            "add_program",
            networks_managed_by(user, Perm.MANAGE_PROGRAMS).exists,
        )

    def has_change_permission(self, request: HttpRequest, obj: Program | None = None) -> bool:
        user = staff_user(request)
        if user is None:
            return False
        if obj is None:
            return self.has_add_permission(request)
        return access.has_perm(user, Perm.MANAGE_PROGRAMS, network=obj.network_id)

    def get_readonly_fields(self, request: HttpRequest, obj: Program | None = None) -> Any:
        # Links and cohort codes are made from the slug; a program stays in its network.
        return ["network", "slug"] if obj is not None else []

    def change_through_service(
        self, request: HttpRequest, obj: Program, data: Mapping[str, Any], changed: Sequence[str]
    ) -> Program:
        return services.update_program(
            actor=StaffActor(acting_user(request)),
            program=obj,
            name=changed_texts(data, changed, "name"),
            description=changed_texts(data, changed, "description"),
            **changed_values(data, changed, *PROGRAM_PLAIN_FIELDS),  # type: ignore[arg-type]
        )

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        user = staff_user(request)
        if db_field.name == "network" and user is not None:
            kwargs["queryset"] = networks_managed_by(user, Perm.MANAGE_PROGRAMS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create_through_service(self, request: HttpRequest, data: Mapping[str, Any]) -> Program:
        return services.create_program(
            actor=StaffActor(acting_user(request)),
            network=data["network"],
            slug=data["slug"],
            name=texts_from(data, "name"),
            description=texts_from(data, "description"),
            topic=data["topic"],
            audience=data["audience"],
            hours=data["hours"],
        )


# --- cohorts ---------------------------------------------------------------------------------


class CohortForm(ServiceForm):
    code = forms.SlugField(
        label=_("code"),
        max_length=60,
        required=False,
        help_text=_("Leave empty for the program's code and the month it starts."),
    )
    language = forms.ChoiceField(label=_("language of instruction"), choices=settings.LANGUAGES)


class SessionInline(ReadOnlyInline):
    model = Session
    fields = readonly_fields = ("starts_at", "ends_at", "title", "room", "instructor", "format")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Session]:
        return super().get_queryset(request).select_related("room__center", "instructor")


_COHORT_FIELDSETS: list[tuple[Any, dict[str, list[str]]]] = [
    (None, {"fields": ["program", "center", "code"]}),
    (_("Dates and seats"), {"fields": ["starts_on", "ends_on", "capacity", "offer_hours"]}),
    (_("Fee"), {"fields": ["fee", "currency"]}),
    (_("Teaching and admission"), {"fields": ["language", "format", "admission"]}),
    (_("Applications"), {"fields": ["applications_open_at", "applications_close_at"]}),
]


def _count(cohort: Cohort, name: str) -> int:
    # Annotated by Cohort.objects.with_counts() in CohortAdmin.get_queryset.
    return cast(int, getattr(cohort, name))


@admin.register(Cohort)
class CohortAdmin(CenterScopedAdmin):
    """Schedule cohorts and change their dates, seats, fee and admission."""

    form = CohortForm
    add_perm = Perm.MANAGE_COHORTS
    change_perm = Perm.MANAGE_COHORTS
    list_display = [
        "code",
        "program",
        "center",
        "starts_on",
        "ends_on",
        "capacity",
        "seats_held",
        "waitlist_length",
        "admission",
        "fee_with_currency",
    ]
    list_filter = [
        ("center", admin.RelatedOnlyFieldListFilter),
        "admission",
        "format",
        ("program", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["program", "center"]
    search_fields = ["code", "program__slug", "program__name_en", "program__name_ru"]
    date_hierarchy = "starts_on"
    inlines = [SessionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cohort]:
        # Seats held and the waiting list counted in the same query as the rows.
        return cast(CohortQuerySet, super().get_queryset(request)).with_counts()

    def get_fieldsets(self, request: HttpRequest, obj: Cohort | None = None) -> Any:
        if obj is None:
            return _COHORT_FIELDSETS
        (name, first), *rest = _COHORT_FIELDSETS
        return [(name, {"fields": [*first["fields"], "seats_held", "waitlist_length"]}), *rest]

    def get_readonly_fields(self, request: HttpRequest, obj: Cohort | None = None) -> Any:
        # What no service changes after scheduling: which program, where, and its code.
        return [] if obj is None else ["program", "center", "code", "seats_held", "waitlist_length"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "offer_hours": settings.KAKEHASHI_OFFER_HOURS,
            **super().get_changeform_initial_data(request),
        }

    def formfield_for_dbfield(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        _local_time_help(db_field, formfield)
        return formfield

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        user = staff_user(request)
        if user is not None:
            centers = open_centers_for(user, Perm.MANAGE_COHORTS)
            if db_field.name == "center":
                kwargs["queryset"] = centers
            elif db_field.name == "program":
                kwargs["queryset"] = Program.objects.filter(
                    network__in=centers.values("network_id"), is_active=True
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("seats held"), ordering="seats_held_count")
    def seats_held(self, cohort: Cohort) -> int:
        return _count(cohort, "seats_held_count")

    @admin.display(description=_("waiting"), ordering="waitlist_count")
    def waitlist_length(self, cohort: Cohort) -> int:
        return _count(cohort, "waitlist_count")

    @admin.display(description=_("fee"), ordering="fee")
    def fee_with_currency(self, cohort: Cohort) -> str:
        return f"{cohort.fee:.{minor_units(cohort.currency)}f} {cohort.currency}"

    def create_through_service(self, request: HttpRequest, data: Mapping[str, Any]) -> Cohort:
        opens, closes = data.get("applications_open_at"), data.get("applications_close_at")
        return services.create_cohort(
            actor=StaffActor(acting_user(request)),
            program=data["program"],
            center=data["center"],
            code=data.get("code") or "",
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            capacity=data["capacity"],
            offer_hours=data.get("offer_hours"),
            fee=data["fee"],
            currency=data["currency"],
            language=data["language"],
            format=data["format"],
            admission=data["admission"],
            applications_open_at=wall_clock(opens) if opens else None,
            applications_close_at=wall_clock(closes) if closes else None,
        )

    def change_through_service(
        self, request: HttpRequest, obj: Cohort, data: Mapping[str, Any], changed: Sequence[str]
    ) -> Cohort:
        changes = {name: data[name] for name in changed if name in services.UPDATABLE_COHORT_FIELDS}
        if not changes:
            return obj  # nothing changed, nothing to audit
        for name in ("applications_open_at", "applications_close_at"):
            if changes.get(name) is not None:
                changes[name] = wall_clock(changes[name])
        return services.update_cohort(actor=StaffActor(acting_user(request)), cohort=obj, **changes)


# --- sessions --------------------------------------------------------------------------------


class SessionForm(ServiceForm):
    format = forms.ChoiceField(
        label=_("format"),
        required=False,
        choices=[("", _("Same as the cohort")), *Format.choices],
    )


@admin.register(Session)
class SessionAdmin(CenterScopedAdmin):
    """Schedule a cohort's sessions; rescheduling or cancelling one needs a service that
    does not exist yet, so a session's page is read-only."""

    form = SessionForm
    center_path = "cohort__center"
    add_perm = Perm.MANAGE_COHORTS
    fields = [
        "cohort",
        "title",
        "starts_at",
        "ends_at",
        "room",
        "instructor",
        "format",
        "online_url",
    ]
    list_display = ["cohort", "title", "local_start", "local_end", "room", "instructor", "format"]
    list_filter = [("cohort__center", admin.RelatedOnlyFieldListFilter), "format"]
    list_select_related = ["cohort__program", "cohort__center", "room__center", "instructor"]
    search_fields = ["title", "cohort__code"]
    date_hierarchy = "starts_at"

    def formfield_for_dbfield(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        if isinstance(db_field, URLField):
            kwargs.setdefault("assume_scheme", "https")  # a link typed without one
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        _local_time_help(db_field, formfield)
        return formfield

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        user = staff_user(request)
        if user is not None:
            centers = open_centers_for(user, Perm.MANAGE_COHORTS)
            if db_field.name == "cohort":
                kwargs["queryset"] = Cohort.objects.filter(center__in=centers).select_related(
                    "program", "center"
                )
            elif db_field.name == "room":
                kwargs["queryset"] = Room.objects.filter(center__in=centers).select_related(
                    "center"
                )
            elif db_field.name == "instructor":
                # People who work at those centers, or network-wide in their networks.
                kwargs["queryset"] = User.objects.filter(
                    Q(memberships__center__in=centers)
                    | Q(
                        memberships__center__isnull=True,
                        memberships__network__in=centers.values("network_id"),
                    )
                ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("starts (local time)"), ordering="starts_at")
    def local_start(self, session: Session) -> str:
        return center_time(session.starts_at, session.cohort.center)

    @admin.display(description=_("ends (local time)"), ordering="ends_at")
    def local_end(self, session: Session) -> str:
        return center_time(session.ends_at, session.cohort.center)

    def create_through_service(self, request: HttpRequest, data: Mapping[str, Any]) -> Session:
        return services.schedule_session(
            actor=StaffActor(acting_user(request)),
            cohort=data["cohort"],
            starts_at=wall_clock(data["starts_at"]),
            ends_at=wall_clock(data["ends_at"]),
            title=data.get("title") or "",
            room=data.get("room"),
            instructor=data.get("instructor"),
            format=data.get("format") or None,
            online_url=data.get("online_url") or "",
        )

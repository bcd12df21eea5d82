"""Admin for centers and their rooms, and the per-center scoping every app's admin shares.

Staff see only the centers where they hold a role, and may do there what their roles allow
(``kakehashi.core.roles.GRANTS``); Django's own model permissions play no part. Every
change is a call to ``kakehashi.network.services``.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from kakehashi.core.actors import StaffActor
from kakehashi.core.admin import (
    ReadOnlyInline,
    ServiceForm,
    ServiceModelAdmin,
    acting_user,
    staff_user,
    texts_from,
)
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.core.translated import changed_texts
from kakehashi.network import access, services
from kakehashi.network.access import networks_managed_by
from kakehashi.network.models import (
    CENTER_TRANSITIONS,
    Center,
    CenterStatus,
    CenterStatusChange,
    Membership,
    Network,
    Room,
)

# --- who may see and do what, in the admin's terms --------------------------------------------


def open_centers_for(user: User, perm: Perm) -> QuerySet[Center]:
    """Centers where ``user`` holds ``perm`` and that still change (not closed)."""
    return access.centers_visible_to(user, perm).exclude(status=CenterStatus.CLOSED)


def center_time(value: datetime.datetime | None, center: Center) -> str:
    """``value`` as the clock reads at ``center``, for a list column."""
    if value is None:
        return "—"
    return f"{timezone.localtime(value, center.tzinfo):%Y-%m-%d %H:%M}"


def remembered(request: HttpRequest, key: object, compute: Callable[[], bool]) -> bool:
    """``compute()``, once per request: the admin asks the same question many times a page."""
    answers: dict[object, bool] = request.__dict__.setdefault("_kakehashi_admin_answers", {})
    if key not in answers:
        answers[key] = compute()
    return answers[key]


class CenterScopedAdmin(ServiceModelAdmin):
    """An admin for records that belong to one center.

    Lists and pages show only the centers where the user holds ``view_perm``; adding and
    changing follow ``add_perm`` and ``change_perm`` at the record's center (None: there is
    no service for it, so the admin offers none). A closed center's records are read-only
    for everyone, superusers included."""

    # The path from the model to its center, as in a query ("center", "cohort__center");
    # empty for Center itself.
    center_path: ClassVar[str] = "center"
    view_perm: ClassVar[Perm] = Perm.VIEW_CENTER
    add_perm: ClassVar[Perm | None] = None
    change_perm: ClassVar[Perm | None] = None

    def center_of(self, obj: Any) -> Center:
        target = obj
        for step in self.center_path.split("__") if self.center_path else ():
            target = getattr(target, step)
        assert isinstance(target, Center)
        return target

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        user = staff_user(request)
        if user is None:
            return queryset.none()
        if user.is_superuser:
            return queryset
        centers = access.centers_visible_to(user, self.view_perm).values("pk")
        return queryset.filter(**{f"{self.center_path or 'pk'}__in": centers})

    def may(self, request: HttpRequest, perm: Perm, obj: Any | None, *, change: bool) -> bool:
        """May the user use ``perm`` on ``obj``, or, without one, at any center at all?"""
        user = staff_user(request)
        if user is None:
            return False
        if obj is None:
            if user.is_superuser:
                return True
            centers = open_centers_for if change else access.centers_visible_to
            return remembered(request, (perm, change), lambda: centers(user, perm).exists())
        center = self.center_of(obj)
        if change and center.is_read_only:
            return False
        return access.has_perm(user, perm, network=center.network_id, center=center)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) or self.has_add_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any | None = None) -> bool:
        return self.may(request, self.view_perm, obj, change=False)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.add_perm is not None and self.may(request, self.add_perm, None, change=True)

    def has_change_permission(self, request: HttpRequest, obj: Any | None = None) -> bool:
        return self.change_perm is not None and self.may(
            request, self.change_perm, obj, change=True
        )

    def local_timezone(self, obj: Any) -> datetime.tzinfo | None:
        return self.center_of(obj).tzinfo


# --- centers ---------------------------------------------------------------------------------


class CenterForm(ServiceForm):
    """A center's page: its details are corrected with ``services.update_center``; the
    lifecycle fields move it one step along (``services.change_center_status``)."""

    new_status = forms.ChoiceField(
        label=_("move to status"),
        required=False,
        help_text=_("Leave empty to keep the current status."),
    )
    effective_on = forms.DateField(
        label=_("effective on"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Empty: today."),
    )
    status_reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        admin_site = getattr(self, "service_admin", None)
        request = getattr(self, "service_request", None)
        may_move = (
            not self.instance._state.adding
            and admin_site is not None
            and admin_site.may_move_along(request, self.instance)
        )
        if not may_move:
            # A new center is always planned; a manager corrects details but only the
            # network office moves a center along its lifecycle.
            for name in _LIFECYCLE:
                self.fields.pop(name, None)
        elif "new_status" in self.fields:
            allowed = CENTER_TRANSITIONS[self.instance.status]
            choice_field = self.fields["new_status"]
            assert isinstance(choice_field, forms.ChoiceField)
            choice_field.choices = [("", "—")] + [
                (status.value, status.label) for status in CenterStatus if status in allowed
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("new_status") and (
            cleaned.get("effective_on") or cleaned.get("status_reason")
        ):
            self.add_error("new_status", _("Choose the status the center moves to."))
        return cleaned


class CenterStatusChangeInline(ReadOnlyInline):
    model = CenterStatusChange
    fields = readonly_fields = (
        "effective_on",
        "from_status",
        "to_status",
        "reason",
        "recorded_by",
        "recorded_at",
    )
    ordering = ["effective_on", "pk"]
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CenterStatusChange]:
        return super().get_queryset(request).select_related("recorded_by")


class RoomInline(ReadOnlyInline):
    model = Room
    fields = readonly_fields = ("name", "capacity")


_CENTER_DETAILS = ["network", "slug", "name", "city", "timezone", "opened_on"]
_CENTER_TEXTS = ["description", "address"]
_LIFECYCLE = ["new_status", "effective_on", "status_reason"]


@admin.register(Center)
class CenterAdmin(CenterScopedAdmin, TranslationAdmin):
    """Plan centers, correct their details and move them along their lifecycle."""

    form = CenterForm
    center_path = ""
    change_perm = Perm.MANAGE_NETWORK
    service_field_aliases = {"status": "new_status", "reason": "status_reason"}
    add_fieldsets = [
        (None, {"fields": _CENTER_DETAILS}),
        (_("Description"), {"fields": _CENTER_TEXTS}),
    ]
    list_display = ["name", "city", "network", "status", "status_since", "opened_on", "timezone"]
    list_filter = ["status", ("network", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["network"]
    search_fields = ["slug", "name_en", "name_ru", "name_ja", "city_en", "city_ru", "city_ja"]
    inlines = [CenterStatusChangeInline, RoomInline]

    def may_move_along(self, request: HttpRequest, obj: Center) -> bool:
        user = staff_user(request)
        return (
            user is not None
            and not obj.is_read_only
            and access.has_perm(user, Perm.MANAGE_NETWORK, network=obj.network_id)
        )

    def get_fieldsets(self, request: HttpRequest, obj: Center | None = None) -> Any:
        if obj is None:
            return super().get_fieldsets(request, obj)
        lifecycle: list[str] = ["status", "status_since"]
        if self.may_move_along(request, obj):
            lifecycle += _LIFECYCLE
        return [
            (None, {"fields": self.replace_orig_field(_CENTER_DETAILS)}),
            (_("Description"), {"fields": self.replace_orig_field(_CENTER_TEXTS)}),
            (_("Lifecycle"), {"fields": lifecycle}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Center | None = None) -> Any:
        if obj is None:
            return []
        fixed = ["network", "slug", "status", "status_since"]
        if not self.has_change_permission(request, obj):
            return self.replace_orig_field([*_CENTER_DETAILS, *_CENTER_TEXTS, *fixed])
        # A center keeps its network and address (slug); the rest a manager may correct.
        return fixed

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        user = staff_user(request)
        if db_field.name == "network" and user is not None:
            kwargs["queryset"] = networks_managed_by(user, Perm.MANAGE_NETWORK)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # A center's own permissions are the network office's, decided network-wide.

    def has_view_permission(self, request: HttpRequest, obj: Center | None = None) -> bool:
        return super().has_view_permission(request, obj) or (
            obj is None and self.has_add_permission(request)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        user = staff_user(request)
        return user is not None and remembered(
            request,
            "add_center",
            lambda: networks_managed_by(user, Perm.MANAGE_NETWORK).exists(),
        )

    def has_change_permission(self, request: HttpRequest, obj: Center | None = None) -> bool:
        user = staff_user(request)
        if user is None:
            return False
        if obj is None:
            return self.has_add_permission(request)
        # Closed is final: nothing left to change. The office moves a center along its
        # lifecycle; its manager corrects its details.
        return not obj.is_read_only and access.has_perm(
            user, Perm.MANAGE_CENTER, network=obj.network_id, center=obj
        )

    def create_through_service(self, request: HttpRequest, data: Mapping[str, Any]) -> Center:
        return services.create_center(
            actor=StaffActor(acting_user(request)),
            network=data["network"],
            slug=data["slug"],
            name=texts_from(data, "name"),
            city=texts_from(data, "city"),
            timezone_name=data["timezone"],
            description=texts_from(data, "description"),
            address=texts_from(data, "address"),
            opened_on=data.get("opened_on"),
        )

    def change_through_service(
        self, request: HttpRequest, obj: Center, data: Mapping[str, Any], changed: Sequence[str]
    ) -> Center:
        details = {"timezone", "opened_on"} & set(changed)
        texts = {
            field: changed_texts(data, changed, field)
            for field in ("name", "city", "description", "address")
        }
        if details or any(value is not None for value in texts.values()):
            obj = services.update_center(
                actor=StaffActor(acting_user(request)),
                center=obj,
                timezone_name=data["timezone"] if "timezone" in details else None,
                opened_on=data.get("opened_on") if "opened_on" in details else None,
                **texts,
            )
        if not data.get("new_status"):
            return obj
        return services.change_center_status(
            actor=StaffActor(acting_user(request)),
            center=obj,
            to_status=data["new_status"],
            effective_on=data.get("effective_on"),
            reason=data.get("status_reason") or "",
        )


# --- rooms -----------------------------------------------------------------------------------


@admin.register(Room)
class RoomAdmin(CenterScopedAdmin):
    """Add rooms to a center; rooms cannot be renamed or removed yet (no service for it)."""

    add_perm = Perm.MANAGE_CENTER
    fields = ["center", "name", "capacity"]
    list_display = ["name", "center", "capacity"]
    list_filter = [("center", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["center"]
    search_fields = ["name"]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        user = staff_user(request)
        if db_field.name == "center" and user is not None:
            kwargs["queryset"] = open_centers_for(user, Perm.MANAGE_CENTER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create_through_service(self, request: HttpRequest, data: Mapping[str, Any]) -> Room:
        return services.add_room(
            actor=StaffActor(acting_user(request)),
            center=data["center"],
            name=data["name"],
            capacity=data.get("capacity"),
        )


# --- memberships -------------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(ServiceModelAdmin):
    """Who works where: the network office grants and revokes roles, at one center or
    network-wide. Revoking is the one delete the admin offers, through ``revoke_role``."""

    fields = ["user", "network", "center", "role"]
    list_display = ["user", "role", "center", "network"]
    list_filter = ["role", ("center", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "center", "network"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]

    def managed_networks(self, request: HttpRequest) -> QuerySet[Network]:
        user = staff_user(request)
        if user is None:
            return Network.objects.none()
        return networks_managed_by(user, Perm.MANAGE_NETWORK)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        managed = self.managed_networks(request).values("pk")
        return super().get_queryset(request).filter(network__in=managed)

    def may_manage(self, request: HttpRequest, obj: Membership | None) -> bool:
        networks = self.managed_networks(request)
        if obj is not None:
            return networks.filter(pk=obj.network_id).exists()
        return remembered(request, "manage_memberships", networks.exists)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.may_manage(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return self.may_manage(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.may_manage(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return obj is None and self.may_manage(request, None)  # a role is revoked, not edited

    def has_delete_permission(self, request: HttpRequest, obj: Any | None = None) -> bool:
        return self.may_manage(request, obj)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "network":
            kwargs["queryset"] = self.managed_networks(request)
        if db_field.name == "center":
            managed = self.managed_networks(request).values("pk")
            kwargs["queryset"] = Center.objects.filter(network__in=managed).exclude(
                status=CenterStatus.CLOSED
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create_through_service(self, request: HttpRequest, data: Mapping[str, Any]) -> Membership:
        return services.grant_role(
            actor=StaffActor(acting_user(request)),
            user=data["user"],
            network=data["network"],
            center=data.get("center"),
            role=data["role"],
        )

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.revoke_role(actor=StaffActor(acting_user(request)), membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            services.revoke_role(actor=StaffActor(acting_user(request)), membership=membership)

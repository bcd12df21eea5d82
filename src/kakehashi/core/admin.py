"""The core admin (users, tokens, the audit log) and the parts every app's admin is built on.

Services are the only writers. An admin form here checks only what the form itself can
know (a date is a date, a number fits its column); then it hands the cleaned values to a
service, which checks permissions, applies the rules and writes the audit event. A
``DomainError`` from the service becomes an error on the form, beside the fields it names,
and nothing is saved.
"""

import copy
import datetime
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from typing import Any, ClassVar, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import router, transaction
from django.db.models import Field, Model, QuerySet
from django.forms import Field as FormField
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import DomainError
from kakehashi.core.models import ApiToken, AuditEvent, OutgoingEmail, User
from kakehashi.core.services import accounts, tokens
from kakehashi.core.translated import DEFAULT, LANGUAGE_CODES


class ServicePasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "set password" page, stored by ``set_password_from_admin``."""

    # Who sets the password: given per request by ``KakehashiUserAdmin``.
    service_user: ClassVar[User | None] = None

    def save(self, commit: bool = True) -> Any:
        if self.service_user is None or not commit:
            raise ImproperlyConfigured("The password is set by the service, for a known actor.")
        usable = self.cleaned_data.get("set_usable_password", True)
        return accounts.set_password_from_admin(
            actor=StaffActor(self.service_user),
            user=cast(User, self.user),
            password=self.cleaned_data["password1"] if usable else None,
        )


@admin.register(User)
class KakehashiUserAdmin(UserAdmin):
    """Accounts, added and edited through ``save_account_from_admin``. They are never
    deleted here (the audit log and the records name who acted): deactivate one instead."""

    fieldsets = (*(UserAdmin.fieldsets or ()), ("Kakehashi", {"fields": ("preferred_language",)}))
    change_password_form = ServicePasswordChangeForm

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # The form must know who sets the password, but Django builds it from the account
        # alone: hand Django a copy of this admin whose form class knows. A copy, because
        # one admin object serves every request at once.
        per_request = copy.copy(self)
        per_request.change_password_form = cast(
            type[ServicePasswordChangeForm],
            type(
                "ServicePasswordChangeFormFor",
                (ServicePasswordChangeForm,),
                {"service_user": request.user},
            ),
        )
        return UserAdmin.user_change_password(per_request, request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        cleaned = form.cleaned_data
        accounts.save_account_from_admin(
            actor=StaffActor(cast(User, request.user)),
            user=obj,
            created=not change,
            changed=form.changed_data,
            groups=cleaned.get("groups"),
            permissions=cleaned.get("user_permissions"),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        # The service already stored the groups and permissions beside the account.
        pass

    def has_delete_permission(self, request: HttpRequest, obj: Any | None = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only services write: the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "chain",
        "seq",
        "action",
        "actor_label",
        "object_type",
        "object_id",
    ]
    list_filter = ["chain", "action"]
    list_select_related = ["chain"]
    search_fields = ["action", "object_id", "actor_label"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued with `kakehashi token create`, which shows them once; here they
    are listed and revoked (``revoke_api_token``), never edited or deleted."""

    list_display = ["hint", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.change_apitoken")

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = StaffActor(cast(User, request.user))
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                tokens.revoke_api_token(actor=actor, token=token)
            except DomainError as error:
                self.message_user(request, f"{token}: {error.message}", messages.ERROR)
            else:
                revoked += 1
        self.message_user(
            request,
            ngettext("Revoked %(n)d token.", "Revoked %(n)d tokens.", revoked) % {"n": revoked},
        )


# --- Admins whose every write is a service call ------------------------------------------------

# Set on the request by ``ServiceModelAdmin.save_model``: the admin got as far as saving.
_SAVED_BY_ADMIN = "_kakehashi_admin_saved"


def staff_user(request: HttpRequest) -> User | None:
    """The active staff member behind an admin request, or None."""
    user = request.user
    if isinstance(user, User) and user.is_active and user.is_staff:
        return user
    return None


def acting_user(request: HttpRequest) -> User:
    """The staff member a service acts for.

    Never None: an admin request always names its person, whom the services are told
    about as ``StaffActor(acting_user(request))`` and check by their roles.
    """
    user = staff_user(request)
    if user is None:
        raise PermissionDenied
    return user


def texts_from(data: Mapping[str, Any], field: str) -> dict[str, str]:
    """The translations of ``field`` typed into an admin form (``name_en``, ``name_ru``, ...),
    in the ``{"en": ..., "ru": ...}`` shape that services take."""
    return {
        code: data.get(f"{field}_{code}") or ""
        for code in LANGUAGE_CODES
        if f"{field}_{code}" in data
    }


def wall_clock(value: datetime.datetime) -> datetime.datetime:
    """The time as a person typed it, without a zone, for the service to place in the
    center's zone.

    A form reads a typed time in the active zone: the center's on a change page
    (``ServiceModelAdmin.local_timezone``), the server's on an add page, where the center is
    not known until the form is posted. Either way the clock reading is what was meant.
    """
    return timezone.make_naive(value) if timezone.is_aware(value) else value


def add_domain_error(
    form: forms.BaseForm, error: DomainError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on ``form``: the message above the form, and each field's
    note beside that field (beside the default language of a translated field)."""
    form.add_error(None, error.message)
    for service_name, text in error.fields.items():
        name = (aliases or {}).get(service_name, service_name)
        for candidate in (name, f"{name}_{DEFAULT}"):
            if candidate in form.fields:
                form.add_error(candidate, text)
                break


class ServiceForm(forms.ModelForm):
    """A model form that writes nothing itself: once its own fields are valid, it hands the
    cleaned values to the admin's service call, while it is still being validated.

    Calling the service during validation is what lets its ``DomainError`` land on the form
    like any other error (the admin then shows the form again and saves nothing); after
    validation, the admin has already decided to save and could only answer with a 500.
    ``ServiceModelAdmin.get_form`` binds the admin and the request to the form class.
    """

    service_admin: ClassVar["ServiceModelAdmin | None"] = None
    service_request: ClassVar[HttpRequest | None] = None

    def _post_clean(self) -> None:
        # Deliberately not ModelForm's: that builds an instance from the form and judges it
        # by the model's constraints, with Django's generic messages. The service is the one
        # judge, and its messages say what to do.
        if self.errors:
            return
        if self.service_admin is None or self.service_request is None:
            raise ImproperlyConfigured(
                "A ServiceForm writes through its admin's service: get it from "
                "ServiceModelAdmin.get_form()."
            )
        try:
            self.instance = self.service_admin.save_through_service(self.service_request, self)
        except DomainError as error:
            add_domain_error(self, error, self.service_admin.service_field_aliases)

    def save(self, commit: bool = True) -> Any:
        """Return the record the service saved while the form was validated."""
        if self.errors:
            raise ValueError("The form has errors; the service saved nothing.")
        return self.instance

    def save_m2m(self) -> None:
        """Nothing left to save: the service saved the whole record."""


class ReadOnlyInline(admin.TabularInline):
    """Related records listed on their parent's page: shown to whoever may see the parent,
    never added, changed or deleted from here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        parent_admin = self.admin_site.get_model_admin(self.parent_model)
        return parent_admin.has_view_permission(request, obj)


class ServiceModelAdmin(admin.ModelAdmin):
    """An admin whose every write is a service call, and which never deletes.

    A subclass implements ``create_through_service`` for its add form and, where its app
    has an update service, ``change_through_service``; where there is none, it answers
    False from ``has_change_permission`` and the change page is read-only. Inlines must be
    ``ReadOnlyInline`` lists, since only the form's one service call writes.
    """

    form = ServiceForm
    # Services name the fields of their errors by their own keyword arguments; where the
    # form calls a field otherwise, map the service's name to the form's here.
    service_field_aliases: ClassVar[Mapping[str, str]] = {}

    # --- the service calls -------------------------------------------------------------------

    def create_through_service(self, request: HttpRequest, data: Mapping[str, Any]) -> Model:
        """Create the record from the add form's cleaned data; raise DomainError to refuse."""
        raise NotImplementedError(f"{type(self).__name__} has no service to create records.")

    def change_through_service(
        self, request: HttpRequest, obj: Any, data: Mapping[str, Any], changed: Sequence[str]
    ) -> Model:
        """Apply the change form's ``changed`` fields to ``obj``; raise DomainError to refuse."""
        raise NotImplementedError(f"{type(self).__name__} has no service to change records.")

    def save_through_service(self, request: HttpRequest, form: ServiceForm) -> Model:
        if form.instance._state.adding:
            return self.create_through_service(request, form.cleaned_data)
        return self.change_through_service(
            request, form.instance, form.cleaned_data, form.changed_data
        )

    def apply_service(
        self,
        request: HttpRequest,
        queryset: "QuerySet[Any]",
        call: Callable[[Any], object],
        *,
        done: Callable[[int], str],
    ) -> int:
        """Run an action's service ``call`` on each selected record.

        Each call is its own transaction, so one refusal leaves the others done; every
        refusal is reported with the record it concerns. Returns how many succeeded.
        """
        succeeded = 0
        for obj in queryset:
            try:
                call(obj)
            except DomainError as error:
                self.message_user(
                    request,
                    _("%(record)s: %(message)s") % {"record": obj, "message": error.message},
                    messages.ERROR,
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done(succeeded), messages.SUCCESS)
        return succeeded

    def local_timezone(self, obj: Any) -> datetime.tzinfo | None:
        """The zone in which ``obj``'s times are shown and typed on its page (its center's)."""
        return None

    # --- forms -----------------------------------------------------------------------------------

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if not issubclass(form_class, ServiceForm):
            raise ImproperlyConfigured(f"{type(self).__name__}.form must be a ServiceForm.")
        bound = type(
            form_class.__name__,
            (form_class,),
            {"service_admin": self, "service_request": request},
        )
        return cast("type[forms.ModelForm]", bound)

    def formfield_for_dbfield(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            # A number must fit its column (32 bits on PostgreSQL). Model validation would
            # say so, but the service takes the form's values as typed, and the database
            # would answer with a 500; so the form checks the column's range itself.
            for validator in db_field.validators:
                if (
                    isinstance(validator, MinValueValidator | MaxValueValidator)
                    and validator not in formfield.validators
                ):
                    formfield.validators.append(validator)
        return formfield

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        # The service already wrote ``obj`` and its audit event, while the form validated.
        if obj.pk is None:
            raise ImproperlyConfigured(f"{type(self).__name__}: the service saved nothing.")
        request.__dict__[_SAVED_BY_ADMIN] = True

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        # Inlines are read-only lists (see get_inline_instances): nothing related is saved,
        # which is what the admin's change message then reads from each formset.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_inline_instances(
        self, request: HttpRequest, obj: Any | None = None
    ) -> list[admin.options.InlineModelAdmin]:
        if obj is None:
            return []  # nothing to list before the record exists
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if not isinstance(inline, ReadOnlyInline):
                raise ImproperlyConfigured(
                    f"{type(self).__name__}: inline {type(inline).__name__} must be a "
                    "ReadOnlyInline; only services write."
                )
        return inlines

    # --- pages -----------------------------------------------------------------------------------

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        # A record outside the user's centers is simply not there: 404, rather than the
        # admin's redirect with "perhaps it was deleted?", which would hint that it exists.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such record, or you may not see it."))
        return obj

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        zone = (
            self.local_timezone(self.get_object(request, unquote(object_id))) if object_id else None
        )
        with ExitStack() as stack:
            if zone is not None:
                stack.enter_context(timezone.override(zone))
            if request.method == "POST":
                with transaction.atomic(using=router.db_for_write(self.model)):
                    response = super().changeform_view(request, object_id, form_url, extra_context)
                    if not request.__dict__.pop(_SAVED_BY_ADMIN, False):
                        # The page came back with errors: whatever ran during validation
                        # must not stay. Services refuse before writing, so this is a guard.
                        transaction.set_rollback(True)
            else:
                response = super().changeform_view(request, object_id, form_url, extra_context)
            if isinstance(response, TemplateResponse):
                # Render inside the zone: times are converted for display as the page renders.
                response.render()
        return response

    # --- no deletes ------------------------------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any | None = None) -> bool:
        # Domain records are never deleted: a center is closed, an enrollment withdrawn.
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied

    def delete_queryset(self, request: HttpRequest, queryset: "QuerySet[Any]") -> None:
        raise PermissionDenied


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """The outbox, for whoever runs the site: what was sent, what waits, and why."""

    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = ["to", "subject", "body", "status", "attempts", "last_error", "sent_at"]

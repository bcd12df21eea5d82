from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from kakehashi.core.models import ApiToken, AuditEvent, User


@admin.register(User)
class KakehashiUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Kakehashi", {"fields": ("preferred_language",)}))


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
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["hint", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    fields = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # tokens are created with `kakehashi token create`, which shows them once

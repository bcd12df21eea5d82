"""Admin for attendance and results: read-only lists of the centers one works at.

Marks and results are taken on the office's teaching pages (or through the API), which
call ``kakehashi.delivery.services``; the admin offers no add or change form for them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kakehashi.core.roles import Perm
from kakehashi.delivery.models import AssessmentResult, Attendance
from kakehashi.network.admin import CenterScopedAdmin, center_time


@admin.register(Attendance)
class AttendanceAdmin(CenterScopedAdmin):
    """Who attended which session, as marked by staff or checked in."""

    center_path = "session__cohort__center"
    view_perm = Perm.VIEW_ROSTER
    fields = readonly_fields = (
        "session",
        "enrollment",
        "status",
        "source",
        "recorded_by",
        "recorded_at",
    )
    list_display = ["participant", "session", "status", "source", "recorded_by", "recorded"]
    list_filter = [
        "status",
        "source",
        ("session__cohort__center", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = [
        "enrollment__participant",
        "session__cohort__program",
        "session__cohort__center",
        "recorded_by",
    ]
    search_fields = ["enrollment__participant__full_name", "enrollment__participant__email"]

    @admin.display(description=_("participant"), ordering="enrollment__participant__full_name")
    def participant(self, attendance: Attendance) -> str:
        return attendance.enrollment.participant.full_name

    @admin.display(description=_("recorded at (local time)"), ordering="recorded_at")
    def recorded(self, attendance: Attendance) -> str:
        return center_time(attendance.recorded_at, attendance.session.cohort.center)


@admin.register(AssessmentResult)
class AssessmentResultAdmin(CenterScopedAdmin):
    """Results of the final assessments."""

    center_path = "enrollment__cohort__center"
    view_perm = Perm.VIEW_ROSTER
    fields = readonly_fields = (
        "enrollment",
        "score",
        "passed",
        "note",
        "recorded_by",
        "recorded_at",
    )
    list_display = ["participant", "cohort", "score", "passed", "recorded_by", "recorded"]
    list_filter = [("enrollment__cohort__center", admin.RelatedOnlyFieldListFilter)]
    list_select_related = [
        "enrollment__participant",
        "enrollment__cohort__program",
        "enrollment__cohort__center",
        "recorded_by",
    ]
    search_fields = ["enrollment__participant__full_name", "enrollment__participant__email"]

    @admin.display(description=_("participant"), ordering="enrollment__participant__full_name")
    def participant(self, result: AssessmentResult) -> str:
        return result.enrollment.participant.full_name

    @admin.display(description=_("cohort"), ordering="enrollment__cohort__code")
    def cohort(self, result: AssessmentResult) -> str:
        return result.enrollment.cohort.code

    @admin.display(description=_("recorded at (local time)"), ordering="recorded_at")
    def recorded(self, result: AssessmentResult) -> str:
        return center_time(result.recorded_at, result.enrollment.cohort.center)

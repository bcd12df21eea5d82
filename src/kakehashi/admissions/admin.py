"""Admin for enrollments: a read-only roster, moved along by actions that call
``kakehashi.admissions.services``."""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kakehashi.admissions import services
from kakehashi.admissions.models import Enrollment
from kakehashi.core.actors import StaffActor
from kakehashi.core.admin import acting_user
from kakehashi.core.roles import Perm
from kakehashi.network.admin import CenterScopedAdmin, center_time

# What a staff member sees of an enrollment; nothing here is typed in, only acted upon.
_ENROLLMENT_FIELDS = (
    "participant",
    "cohort",
    "status",
    "created_at",
    "status_changed_at",
    "waitlisted_at",
    "offer_expires_at",
    "motivation",
    "note",
)


@admin.register(Enrollment)
class EnrollmentAdmin(CenterScopedAdmin):
    """The roster of the centers one works at. Applications are decided with the actions;
    each selected enrollment is one service call, and each refusal is reported by name."""

    center_path = "cohort__center"
    view_perm = Perm.VIEW_ROSTER
    fields = readonly_fields = _ENROLLMENT_FIELDS
    list_display = [
        "participant_name",
        "participant_email",
        "cohort",
        "status",
        "applied_at",
        "offer_expires",
    ]
    list_filter = ["status", ("cohort__center", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["participant", "cohort__program", "cohort__center"]
    search_fields = ["participant__full_name", "participant__email", "cohort__code"]
    actions = ["accept", "waitlist", "reject", "withdraw"]

    @admin.display(description=_("participant"), ordering="participant__full_name")
    def participant_name(self, enrollment: Enrollment) -> str:
        return enrollment.participant.full_name

    @admin.display(description=_("email"), ordering="participant__email")
    def participant_email(self, enrollment: Enrollment) -> str:
        return enrollment.participant.email

    @admin.display(description=_("applied at (local time)"), ordering="created_at")
    def applied_at(self, enrollment: Enrollment) -> str:
        return center_time(enrollment.created_at, enrollment.cohort.center)

    @admin.display(description=_("offer expires (local time)"), ordering="offer_expires_at")
    def offer_expires(self, enrollment: Enrollment) -> str:
        return center_time(enrollment.offer_expires_at, enrollment.cohort.center)

    # The actions' permissions, asked by the admin before it offers them (``review`` and
    # ``enroll_others`` in allowed_permissions); each service checks the record's center.

    def has_review_permission(self, request: HttpRequest) -> bool:
        return self.may(request, Perm.REVIEW, None, change=True)

    def has_enroll_others_permission(self, request: HttpRequest) -> bool:
        return self.may(request, Perm.ENROLL_OTHERS, None, change=True)

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Enrollment],
        service: Callable[..., Enrollment],
        done: Callable[[int], str],
    ) -> None:
        actor = StaffActor(acting_user(request))
        self.apply_service(
            request,
            queryset,
            lambda enrollment: service(actor=actor, enrollment=enrollment),
            done=done,
        )

    @admin.action(description=_("Accept: offer a seat"), permissions=["review"])
    def accept(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        self._each(
            request,
            queryset,
            services.accept,
            lambda n: (
                ngettext(
                    "Offered a seat to %(n)d applicant.", "Offered seats to %(n)d applicants.", n
                )
                % {"n": n}
            ),
        )

    @admin.action(description=_("Put on the waiting list"), permissions=["review"])
    def waitlist(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        self._each(
            request,
            queryset,
            services.waitlist,
            lambda n: (
                ngettext(
                    "Put %(n)d applicant on the waiting list.",
                    "Put %(n)d applicants on the waiting list.",
                    n,
                )
                % {"n": n}
            ),
        )

    @admin.action(description=_("Reject"), permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        self._each(
            request,
            queryset,
            services.reject,
            lambda n: (
                ngettext("Rejected %(n)d application.", "Rejected %(n)d applications.", n)
                % {"n": n}
            ),
        )

    @admin.action(description=_("Withdraw"), permissions=["enroll_others"])
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        self._each(
            request,
            queryset,
            services.withdraw,
            lambda n: (
                ngettext("Withdrew %(n)d enrollment.", "Withdrew %(n)d enrollments.", n) % {"n": n}
            ),
        )

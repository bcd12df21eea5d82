"""The admissions part of the REST API: applying and moving enrollments along."""

import datetime
from collections.abc import Callable

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from kakehashi.admissions import services
from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import InvalidInput
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.core.schemas import ERRORS, InputSchema
from kakehashi.network import access

router = Router(tags=["admissions"])


class ParticipantIn(InputSchema):
    email: str = Field(..., max_length=254)
    full_name: str = Field(..., max_length=200)
    company: str = Field("", max_length=200)
    position: str = Field("", max_length=200)
    industry: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)


class EnrollmentIn(InputSchema):
    participant: ParticipantIn
    motivation: str = Field("", max_length=5000)


class ParticipantOut(Schema):
    id: int
    email: str
    full_name: str
    company: str
    position: str


class EnrollmentOut(Schema):
    id: int
    cohort: int = Field(..., alias="cohort_id")
    participant: ParticipantOut
    status: str
    waitlist_position: int | None = None
    offer_expires_at: datetime.datetime | None
    created_at: datetime.datetime
    status_changed_at: datetime.datetime


class ReasonIn(InputSchema):
    reason: str = Field("", max_length=2000)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _out(enrollment: Enrollment) -> Enrollment:
    enrollment.waitlist_position = services.waitlist_position(enrollment)  # type: ignore[attr-defined]
    return enrollment


def _visible_enrollment(request: HttpRequest, enrollment_id: int) -> Enrollment:
    """An enrollment at a center the user may see, or the participant's own."""
    user = _user(request)
    centers = access.centers_visible_to(user, Perm.VIEW_ROSTER).values("pk")
    return get_object_or_404(
        Enrollment.objects.select_related("participant", "cohort__center").filter(
            Q(cohort__center__in=centers) | Q(participant__user_id=user.pk)
        ),
        pk=enrollment_id,
    )


@router.post("/cohorts/{cohort_id}/enrollments", response={201: EnrollmentOut, **ERRORS})
def enroll(request: HttpRequest, cohort_id: int, payload: EnrollmentIn) -> HttpStatus[Enrollment]:
    """Apply on a participant's behalf. First-come cohorts answer ``enrolled`` or
    ``waitlisted`` (with ``waitlist_position``); review cohorts answer ``applied``."""
    user = _user(request)
    cohort = get_object_or_404(
        Cohort.objects.select_related("center").filter(
            center__in=access.centers_visible_to(user).values("pk")
        ),
        pk=cohort_id,
    )
    access.require(user, Perm.ENROLL_OTHERS, network=cohort.center.network_id, center=cohort.center)
    try:
        enrollment = services.apply(
            actor=StaffActor(user),
            cohort=cohort,
            applicant=services.Applicant(**payload.participant.dict()),
            motivation=payload.motivation,
        )
    except InvalidInput as error:
        # The service names the applicant's fields ("email"); the client sent them inside
        # "participant", and schema errors already name them so ("participant.email").
        raise InvalidInput(
            error.message,
            fields={
                (f"participant.{name}" if name in ParticipantIn.model_fields else name): text
                for name, text in error.fields.items()
            },
        ) from None
    return HttpStatus(201, _out(enrollment))


@router.get("/cohorts/{cohort_id}/enrollments", response={200: list[EnrollmentOut], **ERRORS})
def list_enrollments(
    request: HttpRequest, cohort_id: int, status: Status | None = None
) -> list[Enrollment]:
    """A cohort's roster; the waiting list in order, with positions."""
    user = _user(request)
    cohort = get_object_or_404(
        Cohort.objects.filter(
            center__in=access.centers_visible_to(user, Perm.VIEW_ROSTER).values("pk")
        ),
        pk=cohort_id,
    )
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort, **({"status": status} if status else {}))
        .select_related("participant")
        .order_by("created_at", "pk")
    )
    waiting = services.in_waiting_order(e for e in enrollments if e.status == Status.WAITLISTED)
    positions = {e.pk: index for index, e in enumerate(waiting, start=1)}
    for enrollment in enrollments:
        enrollment.waitlist_position = positions.get(enrollment.pk)  # type: ignore[attr-defined]
    return enrollments


@router.get("/enrollments/{enrollment_id}", response={200: EnrollmentOut, **ERRORS})
def get_enrollment(request: HttpRequest, enrollment_id: int) -> Enrollment:
    return _out(_visible_enrollment(request, enrollment_id))


def _action(
    name: str, service: Callable[..., Enrollment], doc: str, *, with_reason: bool = False
) -> None:
    if with_reason:

        def handler(
            request: HttpRequest, enrollment_id: int, payload: ReasonIn | None = None
        ) -> Enrollment:
            enrollment = _visible_enrollment(request, enrollment_id)
            reason = payload.reason if payload else ""
            return _out(
                service(actor=StaffActor(_user(request)), enrollment=enrollment, reason=reason)
            )

    else:

        def handler(request: HttpRequest, enrollment_id: int) -> Enrollment:  # type: ignore[misc]
            enrollment = _visible_enrollment(request, enrollment_id)
            return _out(service(actor=StaffActor(_user(request)), enrollment=enrollment))

    handler.__name__ = f"{name}_enrollment"
    handler.__doc__ = doc
    router.post(f"/enrollments/{{enrollment_id}}/{name}", response={200: EnrollmentOut, **ERRORS})(
        handler
    )


_action(
    "accept", services.accept, "Accept an application: offer a seat that must be confirmed in time."
)
_action("reject", services.reject, "Turn down a pending or waiting application.", with_reason=True)
_action("waitlist", services.waitlist, "Put a pending application on the waiting list.")
_action("confirm", services.confirm, "Take the offered seat (the participant, or staff for them).")
_action(
    "decline", services.decline, "Turn down the offered seat; it goes to the next person waiting."
)
_action(
    "withdraw",
    services.withdraw,
    "Leave the cohort or its waiting list; a freed seat passes on.",
    with_reason=True,
)

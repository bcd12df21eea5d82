"""The catalog part of the REST API: programs, cohorts and sessions."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from kakehashi.catalog import services
from kakehashi.catalog.models import Cohort, Program, Session
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import InvalidInput
from kakehashi.core.models import User
from kakehashi.core.money import minor_units
from kakehashi.core.roles import Perm
from kakehashi.core.schemas import ERRORS, MAX_INT, Id, InputSchema, Texts
from kakehashi.core.translated import texts_of
from kakehashi.network import access
from kakehashi.network.models import Network, Room

router = Router(tags=["catalog"])


class ProgramOut(Schema):
    id: int
    slug: str
    name: str
    names: Texts
    description: str
    topic: str
    audience: str
    hours: int
    is_active: bool

    @staticmethod
    def resolve_names(program: Program) -> dict[str, str]:
        return texts_of(program, "name")


class ProgramIn(InputSchema):
    network: str = Field(..., max_length=50)
    slug: str = Field(..., max_length=50)
    name: Texts
    description: Texts | None = None
    topic: str
    audience: str = "everyone"
    hours: int = Field(0, ge=0, le=MAX_INT)


class ProgramRef(Schema):
    id: int
    slug: str
    name: str


class CenterRef(Schema):
    id: int
    slug: str
    name: str
    timezone: str


class CohortOut(Schema):
    id: int
    code: str
    program: ProgramRef
    center: CenterRef
    starts_on: datetime.date
    ends_on: datetime.date
    capacity: int
    seats_held: int
    seats_left: int
    waitlist_length: int
    fee: str
    currency: str
    language: str
    format: str
    admission: str
    applications_open_at: datetime.datetime | None
    applications_close_at: datetime.datetime | None
    offer_hours: int

    @staticmethod
    def resolve_seats_held(cohort: Cohort) -> int:
        return cohort.seats_held_count  # type: ignore[attr-defined]

    @staticmethod
    def resolve_seats_left(cohort: Cohort) -> int:
        return max(0, cohort.capacity - cohort.seats_held_count)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_waitlist_length(cohort: Cohort) -> int:
        return cohort.waitlist_count  # type: ignore[attr-defined]

    @staticmethod
    def resolve_fee(cohort: Cohort) -> str:
        # A string with the currency's minor units, so that no client reads money as a float.
        return f"{cohort.fee:.{minor_units(cohort.currency)}f}"


# Cohort.fee is a DecimalField(max_digits=12, decimal_places=2): what does not fit is refused
# here, since PostgreSQL would fail the insert and SQLite would store a value that cannot be
# read back. Whether the currency allows cents (JPY does not) is the service's to decide.
FEE_LIMIT = Decimal(10) ** 10
FEE_PLACES = 2


class CohortIn(InputSchema):
    program: Id
    center: Id
    code: str = Field("", max_length=60)
    starts_on: datetime.date
    ends_on: datetime.date
    capacity: int = Field(..., ge=1, le=MAX_INT)
    fee: Decimal = Field(Decimal(0), lt=FEE_LIMIT, decimal_places=FEE_PLACES)
    currency: str = "RUB"
    language: str = "ru"
    format: str = "in_person"
    admission: str = "first_come"
    applications_open_at: datetime.datetime | None = None
    applications_close_at: datetime.datetime | None = None
    # 0 is refused rather than read as "the default".
    offer_hours: int | None = Field(None, ge=1, le=MAX_INT)


class CohortPatch(InputSchema):
    """Only the fields sent are changed; ``null`` clears only what may be empty."""

    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    capacity: int | None = Field(None, ge=1, le=MAX_INT)
    fee: Decimal | None = Field(None, lt=FEE_LIMIT, decimal_places=FEE_PLACES)
    currency: str | None = None
    language: str | None = None
    format: str | None = None
    admission: str | None = None
    applications_open_at: datetime.datetime | None = None
    applications_close_at: datetime.datetime | None = None
    offer_hours: int | None = Field(None, ge=1, le=MAX_INT)

    @field_validator(
        "starts_on",
        "ends_on",
        "capacity",
        "fee",
        "currency",
        "language",
        "format",
        "admission",
        "offer_hours",
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Runs only for fields the client sent: null is not "leave as it is".
        if value is None:
            # Translated here, at validation time, when the request's language is active.
            raise PydanticCustomError(
                "not_null", _("Cannot be empty; leave the field out to keep its value.")
            )
        return value


class SessionOut(Schema):
    id: int
    cohort: int = Field(..., alias="cohort_id")
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    local_start: str
    room: str | None
    instructor: str | None
    format: str
    online_url: str

    @staticmethod
    def resolve_local_start(session: Session) -> str:
        return session.starts_at.astimezone(session.cohort.center.tzinfo).isoformat()

    @staticmethod
    def resolve_room(session: Session) -> str | None:
        return session.room.name if session.room else None

    @staticmethod
    def resolve_instructor(session: Session) -> str | None:
        return str(session.instructor) if session.instructor else None


class SessionIn(InputSchema):
    title: str = Field("", max_length=200)
    starts_at: datetime.datetime = Field(
        ..., description="Naive times are the center's local time."
    )
    ends_at: datetime.datetime
    room: Id | None = None
    instructor: str | None = Field(None, max_length=150, description="Username of the instructor.")
    format: str | None = None
    online_url: str = Field("", max_length=200)

    @field_validator("online_url")
    @classmethod
    def _is_url(cls, value: str) -> str:
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except DjangoValidationError:
                raise PydanticCustomError(
                    "url", _("Enter a web address starting with https://.")
                ) from None
        return value


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def visible_cohorts(request: HttpRequest) -> QuerySet[Cohort]:
    centers = access.centers_visible_to(_user(request))
    return (
        Cohort.objects.filter(center__in=centers.values("pk"))
        .select_related("program", "center")
        .with_counts()
    )


def visible_programs(request: HttpRequest) -> QuerySet[Program]:
    """The catalogs of the networks you work in: at one of their centers, or network-wide.

    Counting only the centers you may see would hide its own catalog from the network
    office of a network that has no center yet, though the office writes that catalog.
    """
    networks = access.networks_visible_to(_user(request))
    return Program.objects.filter(network_id__in=networks.values("pk"))


@router.get("/programs", response=list[ProgramOut])
@paginate(LimitOffsetPagination)
def list_programs(request: HttpRequest) -> QuerySet[Program]:
    """The catalogs of the networks you work in."""
    return visible_programs(request).order_by("slug", "pk")


@router.get("/programs/{program_id}", response={200: ProgramOut, **ERRORS})
def get_program(request: HttpRequest, program_id: int) -> Program:
    return get_object_or_404(visible_programs(request), pk=program_id)


@router.post("/programs", response={201: ProgramOut, **ERRORS})
def create_program(request: HttpRequest, payload: ProgramIn) -> Status[Program]:
    network = get_object_or_404(Network, slug=payload.network)
    program = services.create_program(
        actor=StaffActor(_user(request)),
        network=network,
        slug=payload.slug,
        name=payload.name.dict(),
        description=payload.description.dict() if payload.description else None,
        topic=payload.topic,
        audience=payload.audience,
        hours=payload.hours,
    )
    return Status(201, program)


@router.get("/cohorts", response=list[CohortOut])
@paginate(LimitOffsetPagination)
def list_cohorts(
    request: HttpRequest,
    center: Id | None = None,
    program: Id | None = None,
    starts_after: datetime.date | None = None,
) -> QuerySet[Cohort]:
    """Cohorts at the centers you may see, by start date; filter by center, program, date."""
    cohorts = visible_cohorts(request)
    if center is not None:
        cohorts = cohorts.filter(center_id=center)
    if program is not None:
        cohorts = cohorts.filter(program_id=program)
    if starts_after is not None:
        cohorts = cohorts.filter(starts_on__gte=starts_after)
    return cohorts.order_by("starts_on", "pk")


@router.get("/cohorts/{cohort_id}", response={200: CohortOut, **ERRORS})
def get_cohort(request: HttpRequest, cohort_id: int) -> Cohort:
    return get_object_or_404(visible_cohorts(request), pk=cohort_id)


def _reload(cohort_id: int) -> Cohort:
    return Cohort.objects.select_related("program", "center").with_counts().get(pk=cohort_id)


@router.post("/cohorts", response={201: CohortOut, **ERRORS})
def create_cohort(request: HttpRequest, payload: CohortIn) -> Status[Cohort]:
    center = get_object_or_404(access.centers_visible_to(_user(request)), pk=payload.center)
    # Only the catalogs you may see: a program of another network is "no program" to you.
    program = visible_programs(request).filter(pk=payload.program).first()
    if program is None:
        raise InvalidInput(
            _("There is no program %(id)s.") % {"id": payload.program},
            fields={"program": _("Unknown program.")},
        )
    cohort = services.create_cohort(
        actor=StaffActor(_user(request)),
        program=program,
        center=center,
        **payload.dict(exclude={"program", "center"}),
    )
    return Status(201, _reload(cohort.pk))


@router.patch("/cohorts/{cohort_id}", response={200: CohortOut, **ERRORS})
def update_cohort(request: HttpRequest, cohort_id: int, payload: CohortPatch) -> Cohort:
    cohort = get_object_or_404(visible_cohorts(request), pk=cohort_id)
    services.update_cohort(
        actor=StaffActor(_user(request)), cohort=cohort, **payload.dict(exclude_unset=True)
    )
    return _reload(cohort_id)


@router.get("/cohorts/{cohort_id}/sessions", response={200: list[SessionOut], **ERRORS})
def list_sessions(request: HttpRequest, cohort_id: int) -> QuerySet[Session]:
    cohort = get_object_or_404(visible_cohorts(request), pk=cohort_id)
    return cohort.sessions.select_related("cohort__center", "room", "instructor").order_by(
        "starts_at"
    )


@router.post("/cohorts/{cohort_id}/sessions", response={201: SessionOut, **ERRORS})
def schedule_session(request: HttpRequest, cohort_id: int, payload: SessionIn) -> Status[Session]:
    cohort = get_object_or_404(visible_cohorts(request), pk=cohort_id)
    room = None
    if payload.room is not None:
        room = Room.objects.filter(pk=payload.room, center_id=cohort.center_id).first()
        if room is None:
            raise InvalidInput(
                _("That room is not at this center."), fields={"room": _("Unknown room.")}
            )
    instructor = None
    if payload.instructor:
        instructor = User.objects.filter(username=payload.instructor, is_active=True).first()
        if instructor is None or not access.has_perm(
            instructor, Perm.VIEW_CENTER, network=cohort.center.network_id, center=cohort.center
        ):
            raise InvalidInput(
                _("%(name)s is not staff of this center.") % {"name": payload.instructor},
                fields={"instructor": _("Choose someone who works at this center.")},
            )
    session = services.schedule_session(
        actor=StaffActor(_user(request)),
        cohort=cohort,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        title=payload.title,
        room=room,
        instructor=instructor,
        format=payload.format,
        online_url=payload.online_url,
    )
    return Status(201, session)


class ProgramPatch(InputSchema):
    name: Texts | None = None
    description: Texts | None = None
    topic: str | None = None
    audience: str | None = None
    hours: int | None = Field(None, ge=0, le=10_000)
    is_active: bool | None = None


@router.patch("/programs/{program_id}", response={200: ProgramOut, **ERRORS})
def update_program(request: HttpRequest, program_id: int, payload: ProgramPatch) -> Program:
    """Edit a program, or retire it with ``{"is_active": false}`` (network office)."""
    program = get_object_or_404(visible_programs(request), pk=program_id)
    return services.update_program(
        actor=StaffActor(_user(request)),
        program=program,
        name=payload.name.dict(exclude_unset=True) if payload.name else None,
        description=payload.description.dict(exclude_unset=True) if payload.description else None,
        topic=payload.topic,
        audience=payload.audience,
        hours=payload.hours,
        is_active=payload.is_active,
    )

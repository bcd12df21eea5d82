"""The network part of the REST API: centers and their lifecycle."""

import datetime

from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from kakehashi.core.actors import StaffActor
from kakehashi.core.schemas import ERRORS, InputSchema, Texts
from kakehashi.core.translated import texts_of
from kakehashi.network import access, services
from kakehashi.network.models import Center, Network

router = Router(tags=["centers"])


class CenterOut(Schema):
    id: int
    network: str
    slug: str
    name: str
    names: Texts
    city: str
    timezone: str
    status: str
    status_since: datetime.date
    opened_on: datetime.date | None

    @staticmethod
    def resolve_network(center: Center) -> str:
        return center.network.slug

    @staticmethod
    def resolve_names(center: Center) -> dict[str, str]:
        return texts_of(center, "name")


class CenterIn(InputSchema):
    network: str = Field(..., max_length=50)
    slug: str = Field(..., max_length=50)
    name: Texts
    city: Texts
    timezone: str
    description: Texts | None = None
    address: Texts | None = None
    opened_on: datetime.date | None = None


class StatusIn(InputSchema):
    status: str
    effective_on: datetime.date | None = None
    reason: str = ""


def visible_centers(request: HttpRequest) -> QuerySet[Center]:
    return access.centers_visible_to(request.user).select_related("network")  # type: ignore[arg-type]


@router.get("/centers", response=list[CenterOut])
@paginate(LimitOffsetPagination)
def list_centers(request: HttpRequest) -> QuerySet[Center]:
    """The centers you may see, oldest first; planned centers (not yet opened) last."""
    # Without nulls_last, SQLite would put the unopened centers first and PostgreSQL last.
    return visible_centers(request).order_by(F("opened_on").asc(nulls_last=True), "pk")


@router.get("/centers/{center_id}", response={200: CenterOut, **ERRORS})
def get_center(request: HttpRequest, center_id: int) -> Center:
    return get_object_or_404(visible_centers(request), pk=center_id)


@router.post("/centers", response={201: CenterOut, **ERRORS})
def create_center(request: HttpRequest, payload: CenterIn) -> Status[Center]:
    """Plan a new center (network office)."""
    network = get_object_or_404(Network, slug=payload.network)
    center = services.create_center(
        actor=StaffActor(request.user),  # type: ignore[arg-type]
        network=network,
        slug=payload.slug,
        name=payload.name.dict(),
        city=payload.city.dict(),
        timezone_name=payload.timezone,
        description=payload.description.dict() if payload.description else None,
        address=payload.address.dict() if payload.address else None,
        opened_on=payload.opened_on,
    )
    return Status(201, center)


@router.post("/centers/{center_id}/status", response={200: CenterOut, **ERRORS})
def change_status(request: HttpRequest, center_id: int, payload: StatusIn) -> Center:
    """Move a center along its lifecycle: planned → operating ↔ suspended → closing → closed."""
    center = get_object_or_404(visible_centers(request), pk=center_id)
    return services.change_center_status(
        actor=StaffActor(request.user),  # type: ignore[arg-type]
        center=center,
        to_status=payload.status,
        effective_on=payload.effective_on,
        reason=payload.reason,
    )


class CenterPatch(InputSchema):
    name: Texts | None = None
    city: Texts | None = None
    description: Texts | None = None
    address: Texts | None = None
    timezone: str | None = Field(None, max_length=64)
    opened_on: datetime.date | None = None


def _given(texts: Texts | None) -> dict[str, str] | None:
    """Only the languages the client sent: the others keep their text."""
    return texts.dict(exclude_unset=True) if texts is not None else None


@router.patch("/centers/{center_id}", response={200: CenterOut, **ERRORS})
def update_center(request: HttpRequest, center_id: int, payload: CenterPatch) -> Center:
    """Correct a center's names, address, time zone or opening date (center manager)."""
    center = get_object_or_404(visible_centers(request), pk=center_id)
    return services.update_center(
        actor=StaffActor(request.user),  # type: ignore[arg-type]
        center=center,
        name=_given(payload.name),
        city=_given(payload.city),
        description=_given(payload.description),
        address=_given(payload.address),
        timezone_name=payload.timezone,
        opened_on=payload.opened_on,
    )

"""Use cases that change the catalog: programs, cohorts and sessions."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.catalog.models import (
    SEAT_HOLDING,
    Admission,
    Audience,
    Cohort,
    Format,
    Program,
    Session,
    Topic,
)
from kakehashi.catalog.signals import capacity_increased
from kakehashi.core import audit
from kakehashi.core.actors import Actor
from kakehashi.core.cleaning import (
    choice_list,
    clean_int,
    clean_slug,
    clean_text,
    clean_url,
    label,
    text_list,
)
from kakehashi.core.errors import InvalidInput
from kakehashi.core.locking import lock_row
from kakehashi.core.models import User
from kakehashi.core.money import check_currency, to_amount
from kakehashi.core.roles import Perm
from kakehashi.core.translated import LANGUAGE_CODES, apply_texts, check_texts, texts_of
from kakehashi.network import access
from kakehashi.network.models import Center, Network, Room
from kakehashi.network.services import ensure_writable


def _choice(field: str, value: str, choices: type[Any]) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("%(value)s is not a valid %(field)s.") % {"value": value, "field": label(field)},
            fields={
                field: _("Choose one of: %(choices)s.") % {"choices": choice_list(choices.choices)}
            },
        )
    return value


@transaction.atomic
def create_program(
    *,
    actor: Actor,
    network: Network,
    slug: str,
    name: Mapping[str, str],
    topic: str,
    description: Mapping[str, str] | None = None,
    audience: str = Audience.EVERYONE,
    hours: int = 0,
) -> Program:
    """Add a program to the network's catalog (the network office's job)."""
    access.authorize(actor, Perm.MANAGE_PROGRAMS, network=network)
    program = Program(
        network=network,
        slug=clean_slug("slug", slug),
        topic=_choice("topic", topic, Topic),
        audience=_choice("audience", audience, Audience),
        hours=clean_int("hours", hours, minimum=0, maximum=10_000),
    )
    if not program.slug:
        raise InvalidInput(
            _("A program needs a short address (slug)."), fields={"slug": _("Required.")}
        )
    if hours < 0:
        raise InvalidInput(
            _("Hours cannot be negative."), fields={"hours": _("Enter zero or more.")}
        )
    apply_texts(program, "name", check_texts("name", name, max_length=200))
    apply_texts(program, "description", check_texts("description", description, required=False))
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError:
        raise InvalidInput(
            _("The catalog already has a program at %(slug)s.") % {"slug": program.slug},
            fields={"slug": _("Already taken.")},
        ) from None
    audit.record(
        chain_key=audit.chain_key_for_network(network.pk),
        action="catalog.program.created",
        actor=actor,
        target=program,
        data={"slug": program.slug, "name": texts_of(program, "name"), "topic": topic},
    )
    return program


def _aware(value: datetime.datetime | None, center: Center) -> datetime.datetime | None:
    """A naive time is read as the center's local time."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, center.tzinfo)


def _check_cohort_fields(center: Center, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise cohort fields; raises InvalidInput naming the first bad one."""
    out = dict(fields)
    nullable = {"applications_open_at", "applications_close_at"}
    for name, value in out.items():
        if value is None and name not in nullable:
            raise InvalidInput(
                capfirst(_("%(field)s cannot be empty.") % {"field": label(name)}),
                fields={name: _("This field is required.")},
            )
    if "capacity" in out:
        capacity = clean_int("capacity", out["capacity"], minimum=0, maximum=100_000)
        if capacity < 1:
            raise InvalidInput(
                _("A cohort needs at least one seat."), fields={"capacity": _("Enter 1 or more.")}
            )
        out["capacity"] = capacity
    if "currency" in out:
        out["currency"] = check_currency(out["currency"])
    if "fee" in out:
        out["fee"] = to_amount(out["fee"], out.get("currency", "RUB"), field="fee")
    if "language" in out and out["language"] not in LANGUAGE_CODES:
        raise InvalidInput(
            _("%(code)s is not a language Kakehashi teaches in (use %(known)s).")
            % {"code": out["language"], "known": choice_list(settings.LANGUAGES)},
            fields={"language": _("Unsupported language.")},
        )
    if "format" in out:
        _choice("format", out["format"], Format)
    if "admission" in out:
        _choice("admission", out["admission"], Admission)
    if "offer_hours" in out:
        out["offer_hours"] = clean_int(
            "offer_hours", out["offer_hours"], minimum=1, maximum=24 * 60
        )
    for name in ("applications_open_at", "applications_close_at"):
        if name in out:
            out[name] = _aware(out[name], center)
    return out


def _check_dates(cohort: Cohort) -> None:
    if cohort.ends_on < cohort.starts_on:
        raise InvalidInput(
            _("A cohort cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": cohort.ends_on.isoformat(), "start": cohort.starts_on.isoformat()},
            fields={"ends_on": _("Must be on or after the start date.")},
        )
    if (
        cohort.applications_open_at
        and cohort.applications_close_at
        and cohort.applications_close_at <= cohort.applications_open_at
    ):
        raise InvalidInput(
            _("Applications must close after they open."),
            fields={"applications_close_at": _("Must be after the opening time.")},
        )


@transaction.atomic
def create_cohort(
    *,
    actor: Actor,
    program: Program,
    center: Center,
    starts_on: datetime.date,
    ends_on: datetime.date,
    capacity: int,
    code: str = "",
    fee: Decimal | str | int = 0,
    currency: str = "RUB",
    language: str = "ru",
    format: str = Format.IN_PERSON,
    admission: str = Admission.FIRST_COME,
    applications_open_at: datetime.datetime | None = None,
    applications_close_at: datetime.datetime | None = None,
    offer_hours: int | None = None,
) -> Cohort:
    """Schedule a run of ``program`` at ``center``."""
    access.authorize(actor, Perm.MANAGE_COHORTS, network=center.network_id, center=center)
    center = lock_row(Center.objects.all(), pk=center.pk)
    ensure_writable(center)
    program = Program.objects.get(pk=program.pk)  # as it is now, not as the caller read it
    if program.network_id != center.network_id:
        raise InvalidInput(
            _("%(program)s is not in this center's network.") % {"program": program.name},
            fields={"program": _("Choose a program of the same network.")},
        )
    if not program.is_active:
        raise InvalidInput(
            _("%(program)s is no longer offered.") % {"program": program.name},
            fields={"program": _("Choose a program that is offered.")},
        )
    fields = _check_cohort_fields(
        center,
        {
            "capacity": capacity,
            "fee": fee,
            "currency": currency,
            "language": language,
            "format": format,
            "admission": admission,
            "applications_open_at": applications_open_at,
            "applications_close_at": applications_close_at,
            "offer_hours": settings.KAKEHASHI_OFFER_HOURS if offer_hours is None else offer_hours,
        },
    )
    cohort = Cohort(
        program=program,
        center=center,
        code=clean_slug("code", code, max_length=60)
        if code
        else f"{program.slug}-{starts_on:%Y-%m}",
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,
    )
    _check_dates(cohort)
    if Cohort.objects.filter(center=center, code=cohort.code).exists():
        raise InvalidInput(
            _("%(center)s already has a cohort coded %(code)s.")
            % {"center": center.name, "code": cohort.code},
            fields={"code": _("Already taken; give another code.")},
        )
    cohort.save()
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action="catalog.cohort.created",
        actor=actor,
        target=cohort,
        data={
            "program": program.slug,
            "code": cohort.code,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "capacity": cohort.capacity,
            "fee": cohort.fee,
            "currency": cohort.currency,
            "admission": cohort.admission,
        },
    )
    return cohort


UPDATABLE_COHORT_FIELDS = frozenset(
    {
        "starts_on",
        "ends_on",
        "capacity",
        "fee",
        "currency",
        "language",
        "format",
        "admission",
        "applications_open_at",
        "applications_close_at",
        "offer_hours",
    }
)


@transaction.atomic
def update_cohort(*, actor: Actor, cohort: Cohort, **changes: Any) -> Cohort:
    """Change a cohort. Capacity never drops below the seats already held; raising it
    offers the new seats to the waiting list in the same transaction."""
    unknown = sorted(set(changes) - UPDATABLE_COHORT_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(names)s.")
            % {"names": text_list(label(name) for name in unknown)},
            fields={name: _("Cannot be changed.") for name in unknown},
        )
    cohort = lock_row(Cohort.objects.select_related("center", "program"), pk=cohort.pk)
    access.authorize(
        actor, Perm.MANAGE_COHORTS, network=cohort.center.network_id, center=cohort.center
    )
    ensure_writable(cohort.center)
    # Fee and currency are checked together: 1.5 is a fee in RUB but not in JPY.
    if "fee" in changes or "currency" in changes:
        changes.setdefault("currency", cohort.currency)
        changes.setdefault("fee", cohort.fee)
    fields = _check_cohort_fields(cohort.center, changes)
    old_capacity = cohort.capacity
    before = {name: getattr(cohort, name) for name in fields}
    for name, value in fields.items():
        setattr(cohort, name, value)
    _check_dates(cohort)
    outside = cohort.sessions.all()
    sessions_outside = [
        session
        for session in outside
        if not (
            cohort.starts_on
            <= session.starts_at.astimezone(cohort.center.tzinfo).date()
            <= session.ends_at.astimezone(cohort.center.tzinfo).date()
            <= cohort.ends_on
        )
    ]
    if sessions_outside:
        raise InvalidInput(
            ngettext(
                "%(count)d session would fall outside the new dates; move it first.",
                "%(count)d sessions would fall outside the new dates; move them first.",
                len(sessions_outside),
            )
            % {"count": len(sessions_outside)},
            fields={"starts_on": _("Sessions fall outside these dates.")},
        )
    held = cohort.enrollments.filter(status__in=SEAT_HOLDING).count()
    if cohort.capacity < held:
        raise InvalidInput(
            ngettext(
                "%(held)d seat is already held; capacity cannot be lower than that.",
                "%(held)d seats are already held; capacity cannot be lower than that.",
                held,
            )
            % {"held": held},
            fields={"capacity": _("Enter %(held)d or more.") % {"held": held}},
        )
    cohort.save(update_fields=list(fields))
    audit.record(
        chain_key=audit.chain_key_for_center(cohort.center_id),
        action="catalog.cohort.changed",
        actor=actor,
        target=cohort,
        data={"before": before, "after": fields},
    )
    if cohort.capacity > old_capacity:
        capacity_increased.send(sender=Cohort, cohort=cohort, actor=actor)
    return cohort


@transaction.atomic
def schedule_session(
    *,
    actor: Actor,
    cohort: Cohort,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    title: str = "",
    room: Room | None = None,
    instructor: User | None = None,
    format: str | None = None,
    online_url: str = "",
) -> Session:
    """Add a session to a cohort. Naive times are the center's local time."""
    cohort = lock_row(Cohort.objects.select_related("center"), pk=cohort.pk)
    center = cohort.center
    access.authorize(actor, Perm.MANAGE_COHORTS, network=center.network_id, center=center)
    ensure_writable(center)
    start = _aware(starts_at, center)
    end = _aware(ends_at, center)
    assert start is not None and end is not None
    if end <= start:
        raise InvalidInput(
            _("A session must end after it starts."),
            fields={"ends_at": _("Must be after the start.")},
        )
    first_day = start.astimezone(center.tzinfo).date()
    last_day = end.astimezone(center.tzinfo).date()
    if first_day < cohort.starts_on or last_day > cohort.ends_on:
        raise InvalidInput(
            _("The session falls outside the cohort's dates (%(start)s to %(end)s).")
            % {"start": cohort.starts_on.isoformat(), "end": cohort.ends_on.isoformat()},
            fields={"starts_at": _("Choose a time within the cohort's dates.")},
        )
    if instructor is not None and not access.has_perm(
        instructor, Perm.VIEW_CENTER, network=center.network_id, center=center
    ):
        raise InvalidInput(
            _("%(name)s does not work at %(center)s.")
            % {"name": instructor.get_username(), "center": center.name},
            fields={"instructor": _("Choose someone who works at this center.")},
        )
    if room is not None and room.center_id != center.pk:
        raise InvalidInput(
            _("%(room)s is not at %(center)s.") % {"room": room.name, "center": center.name},
            fields={"room": _("Choose a room of this center.")},
        )
    session_format = _choice("format", format or cohort.format, Format)
    session = Session.objects.create(
        cohort=cohort,
        title=clean_text("title", title, max_length=200),
        starts_at=start,
        ends_at=end,
        room=room,
        instructor=instructor,
        format=session_format,
        online_url=clean_url("online_url", online_url),
    )
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action="catalog.session.scheduled",
        actor=actor,
        target=session,
        data={
            "cohort": cohort.pk,
            "starts_at": start,
            "ends_at": end,
            "room": room.name if room else None,
            "instructor": instructor.get_username() if instructor else None,
        },
    )
    return session


# The fields of a program that are not text in several languages.
PROGRAM_PLAIN_FIELDS = ("topic", "audience", "hours", "is_active")


@transaction.atomic
def update_program(
    *,
    actor: Actor,
    program: Program,
    name: Mapping[str, str] | None = None,
    description: Mapping[str, str] | None = None,
    topic: str | None = None,
    audience: str | None = None,
    hours: int | None = None,
    is_active: bool | None = None,
) -> Program:
    """Edit a program of the catalog, or retire it (``is_active=False``: no new cohorts).

    Only what is given changes; the slug stays, since links and cohort codes use it."""
    program = lock_row(Program.objects.all(), pk=program.pk)
    access.authorize(actor, Perm.MANAGE_PROGRAMS, network=program.network_id)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for field, values, required in (("name", name, True), ("description", description, False)):
        if values is None:
            continue
        current = texts_of(program, field)
        merged = check_texts(
            field, {**current, **values}, required=required, max_length=200 if required else None
        )
        if merged != current:
            before[field], after[field] = current, merged
            apply_texts(program, field, merged)
    plain: dict[str, object] = {}
    if topic is not None:
        plain["topic"] = _choice("topic", topic, Topic)
    if audience is not None:
        plain["audience"] = _choice("audience", audience, Audience)
    if hours is not None:
        plain["hours"] = clean_int("hours", hours, minimum=0, maximum=10_000)
    if is_active is not None:
        plain["is_active"] = bool(is_active)
    for field, value in plain.items():
        if getattr(program, field) != value:
            before[field], after[field] = getattr(program, field), value
            setattr(program, field, value)
    if not after:
        return program
    program.save()
    audit.record(
        chain_key=audit.chain_key_for_network(program.network_id),
        action="catalog.program.retired"
        if after.get("is_active") is False
        else "catalog.program.changed",
        actor=actor,
        target=program,
        data={"before": before, "after": after},
    )
    return program

"""Use cases that change networks, centers, rooms and memberships."""

import datetime
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.actors import Actor, acting_user
from kakehashi.core.cleaning import choice_list, clean_int, clean_slug, clean_text
from kakehashi.core.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from kakehashi.core.locking import lock_row
from kakehashi.core.models import User
from kakehashi.core.roles import Perm, Role
from kakehashi.core.translated import apply_texts, check_texts, texts_of
from kakehashi.network import access
from kakehashi.network.models import (
    CENTER_TRANSITIONS,
    Center,
    CenterStatus,
    CenterStatusChange,
    Membership,
    Network,
    Room,
    validate_timezone,
)


class CenterClosed(Conflict):
    code = "center_closed"


def ensure_writable(center: Center) -> None:
    """Refuse any change to a closed center's records."""
    if center.is_read_only:
        raise CenterClosed(
            _("%(center)s is closed; its records can be read but no longer changed.")
            % {"center": center.name}
        )


def _check_timezone(value: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        validate_timezone(value)
    except ValidationError:
        raise InvalidInput(
            _("%(value)s is not a known time zone (e.g. Europe/Moscow).") % {"value": value},
            fields={"timezone": _("Unknown time zone.")},
        ) from None
    return value


@transaction.atomic
def create_network(
    *,
    actor: Actor,
    slug: str,
    name: Mapping[str, str],
    description: Mapping[str, str] | None = None,
    founded_on: datetime.date | None = None,
) -> Network:
    """Create a network. Only a superuser (or a command run by the operator) may."""
    if not access.is_administrator(actor):
        raise PermissionDenied(_("Only an administrator can create a network."))
    network = Network(slug=clean_slug("slug", slug), founded_on=founded_on)
    apply_texts(network, "name", check_texts("name", name, max_length=200))
    apply_texts(network, "description", check_texts("description", description, required=False))
    if Network.objects.filter(slug=network.slug).exists():
        raise InvalidInput(
            _("A network with the address %(slug)s already exists.") % {"slug": network.slug},
            fields={"slug": _("Already taken.")},
        )
    network.save()
    audit.record(
        chain_key=audit.chain_key_for_network(network.pk),
        action="network.network.created",
        actor=actor,
        target=network,
        data={"slug": network.slug, "name": texts_of(network, "name")},
    )
    return network


@transaction.atomic
def create_center(
    *,
    actor: Actor,
    network: Network,
    slug: str,
    name: Mapping[str, str],
    city: Mapping[str, str],
    timezone_name: str,
    description: Mapping[str, str] | None = None,
    address: Mapping[str, str] | None = None,
    opened_on: datetime.date | None = None,
    planned_on: datetime.date | None = None,
) -> Center:
    """Plan a new center (status ``planned``); the network office's decision.

    ``planned_on`` dates the plan: by default today in the center's zone, or the opening
    day when that is earlier, so that a center recorded years after it opened can be
    moved to ``operating`` on its real opening date.
    """
    access.authorize(actor, Perm.MANAGE_NETWORK, network=network)
    center = Center(
        network=network,
        slug=clean_slug("slug", slug),
        timezone=_check_timezone(timezone_name),
        opened_on=opened_on,
        status=CenterStatus.PLANNED,
    )
    today = timezone.localdate(timezone=center.tzinfo)
    center.status_since = planned_on or min(today, opened_on or today)
    if opened_on is not None and center.status_since > opened_on:
        raise InvalidInput(
            _("A center is planned before it opens: %(planned)s is after %(opened)s.")
            % {"planned": center.status_since.isoformat(), "opened": opened_on.isoformat()},
            fields={"planned_on": _("Must be on or before the opening date.")},
        )
    if not center.slug:
        raise InvalidInput(
            _("A center needs a short address (slug)."), fields={"slug": _("Required.")}
        )
    apply_texts(center, "name", check_texts("name", name, max_length=200))
    apply_texts(center, "city", check_texts("city", city, max_length=100))
    apply_texts(center, "description", check_texts("description", description, required=False))
    apply_texts(center, "address", check_texts("address", address, required=False, max_length=300))
    try:
        with transaction.atomic():
            center.save()
    except IntegrityError:
        raise InvalidInput(
            _("This network already has a center at %(slug)s.") % {"slug": center.slug},
            fields={"slug": _("Already taken.")},
        ) from None
    CenterStatusChange.objects.create(
        center=center,
        from_status="",
        to_status=CenterStatus.PLANNED,
        effective_on=center.status_since,
        recorded_by=acting_user(actor),
    )
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action="network.center.created",
        actor=actor,
        target=center,
        data={"slug": center.slug, "name": texts_of(center, "name"), "timezone": center.timezone},
    )
    return center


@transaction.atomic
def change_center_status(
    *,
    actor: Actor,
    center: Center,
    to_status: str,
    effective_on: datetime.date | None = None,
    reason: str = "",
) -> Center:
    """Move a center one step along its lifecycle, dated and audited.

    planned → operating → (suspended ↔ operating) → closing → closed. Closed is final.
    """
    access.authorize(actor, Perm.MANAGE_NETWORK, network=center.network_id)
    if to_status not in CenterStatus.values:
        raise InvalidInput(
            _("%(status)s is not a center status.") % {"status": to_status},
            fields={
                "status": _("Choose one of: %(choices)s.")
                % {"choices": choice_list(CenterStatus.choices)}
            },
        )
    center = lock_row(Center.objects.all(), pk=center.pk)
    if to_status not in CENTER_TRANSITIONS[center.status]:
        raise InvalidTransition(
            _("%(center)s is %(current)s and cannot become %(next)s.")
            % {
                "center": center.name,
                "current": CenterStatus(center.status).label,
                "next": CenterStatus(to_status).label,
            }
        )
    effective_on = effective_on or timezone.localdate(timezone=center.tzinfo)
    last = center.status_changes.order_by("-effective_on", "-pk").first()
    if last is not None and effective_on < last.effective_on:
        raise InvalidInput(
            _("The change cannot take effect before the previous one (%(date)s).")
            % {"date": last.effective_on.isoformat()},
            fields={"effective_on": _("Too early.")},
        )
    reason = clean_text("reason", reason, max_length=2000)
    previous = center.status
    center.status = to_status
    center.status_since = effective_on
    if to_status == CenterStatus.OPERATING and center.opened_on is None:
        center.opened_on = effective_on
    center.save(update_fields=["status", "status_since", "opened_on"])
    CenterStatusChange.objects.create(
        center=center,
        from_status=previous,
        to_status=to_status,
        effective_on=effective_on,
        reason=reason,
        recorded_by=acting_user(actor),
    )
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action=f"network.center.{to_status}",
        actor=actor,
        target=center,
        data={"from": previous, "to": to_status, "effective_on": effective_on, "reason": reason},
    )
    return center


@transaction.atomic
def add_room(*, actor: Actor, center: Center, name: str, capacity: int | None = None) -> Room:
    access.authorize(actor, Perm.MANAGE_CENTER, network=center.network_id, center=center)
    center = lock_row(Center.objects.all(), pk=center.pk)
    ensure_writable(center)
    name = clean_text("name", name, max_length=100, required=True)
    if capacity is not None:
        capacity = clean_int("capacity", capacity, minimum=1)
    if center.rooms.filter(name=name).exists():
        raise InvalidInput(
            _("%(center)s already has a room called %(name)s.")
            % {"center": center.name, "name": name},
            fields={"name": _("Already taken.")},
        )
    room = Room.objects.create(center=center, name=name, capacity=capacity)
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action="network.room.created",
        actor=actor,
        target=room,
        data={"name": name, "capacity": capacity},
    )
    return room


@transaction.atomic
def grant_role(
    *, actor: Actor, user: User, network: Network, role: str, center: Center | None = None
) -> Membership:
    """Give ``user`` a role at ``center`` (or network-wide). Granting twice changes nothing."""
    access.authorize(actor, Perm.MANAGE_NETWORK, network=network)
    if role not in Role.values:
        raise InvalidInput(
            _("%(role)s is not a role.") % {"role": role},
            fields={
                "role": _("Choose one of: %(choices)s.") % {"choices": choice_list(Role.choices)}
            },
        )
    if center is not None and center.network_id != network.pk:
        raise InvalidInput(
            _("%(center)s is not a center of %(network)s.")
            % {"center": center.name, "network": network.name},
            fields={"center": _("Choose a center of this network.")},
        )
    if role == Role.OFFICE and center is not None:
        raise InvalidInput(
            _("The network office role is network-wide; give no center."),
            fields={"center": _("Leave empty for this role.")},
        )
    membership, created = Membership.objects.get_or_create(
        user=user, network=network, center=center, role=role
    )
    access.forget_roles(user)
    if created:
        key = (
            audit.chain_key_for_center(center.pk)
            if center is not None
            else audit.chain_key_for_network(network.pk)
        )
        audit.record(
            chain_key=key,
            action="network.membership.granted",
            actor=actor,
            target=membership,
            data={"user": user.get_username(), "role": role},
        )
    return membership


CENTER_TEXT_FIELDS = {"name": 200, "city": 100, "description": None, "address": 300}


@transaction.atomic
def update_center(
    *,
    actor: Actor,
    center: Center,
    name: Mapping[str, str] | None = None,
    city: Mapping[str, str] | None = None,
    description: Mapping[str, str] | None = None,
    address: Mapping[str, str] | None = None,
    timezone_name: str | None = None,
    opened_on: datetime.date | None = None,
) -> Center:
    """Correct a center's details; only what is given changes. Its slug and network stay."""
    center = lock_row(Center.objects.all(), pk=center.pk)
    access.authorize(actor, Perm.MANAGE_CENTER, network=center.network_id, center=center)
    ensure_writable(center)
    texts = {"name": name, "city": city, "description": description, "address": address}
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for field, values in texts.items():
        if values is None:
            continue
        limit = CENTER_TEXT_FIELDS[field]
        current = texts_of(center, field)
        merged = check_texts(
            field, {**current, **values}, required=field in ("name", "city"), max_length=limit
        )
        if merged != current:
            before[field], after[field] = current, merged
            apply_texts(center, field, merged)
    if timezone_name is not None and timezone_name != center.timezone:
        before["timezone"], after["timezone"] = center.timezone, _check_timezone(timezone_name)
        center.timezone = timezone_name
    if opened_on is not None and opened_on != center.opened_on:
        first = center.status_changes.order_by("effective_on", "pk").first()
        if first is not None and opened_on < first.effective_on:
            raise InvalidInput(
                _("A center cannot open (%(opened)s) before it was planned (%(planned)s).")
                % {"opened": opened_on.isoformat(), "planned": first.effective_on.isoformat()},
                fields={"opened_on": _("Must be on or after the day the center was planned.")},
            )
        before["opened_on"], after["opened_on"] = center.opened_on, opened_on
        center.opened_on = opened_on
    if not after:
        return center
    center.save()
    audit.record(
        chain_key=audit.chain_key_for_center(center.pk),
        action="network.center.changed",
        actor=actor,
        target=center,
        data={"before": before, "after": after},
    )
    return center


@transaction.atomic
def revoke_role(*, actor: Actor, membership: Membership) -> None:
    """Take a role away. The membership row goes; the audit log keeps that it existed."""
    access.authorize(actor, Perm.MANAGE_NETWORK, network=membership.network_id)
    membership = lock_row(Membership.objects.select_related("user"), pk=membership.pk)
    key = (
        audit.chain_key_for_center(membership.center_id)
        if membership.center_id is not None
        else audit.chain_key_for_network(membership.network_id)
    )
    audit.record(
        chain_key=key,
        action="network.membership.revoked",
        actor=actor,
        target=membership,
        data={"user": membership.user.get_username(), "role": membership.role},
    )
    user = membership.user
    membership.delete()
    access.forget_roles(user)

"""Permission checks: may this user do this at this center?

Superusers may do everything. Otherwise a user holds roles through memberships, each at one
center or network-wide, and ``kakehashi.core.roles.GRANTS`` says what each role allows.

Services are told who acts (:mod:`kakehashi.core.actors`) and ask :func:`authorize`: staff
by their roles, the system for what it was started to do. Participants and supporters hold
no roles: a service that lets them act checks that the record is their own.
"""

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from kakehashi.core.actors import Actor, StaffActor, SystemActor
from kakehashi.core.errors import PermissionDenied
from kakehashi.core.models import User
from kakehashi.core.roles import GRANTS, Perm, Role
from kakehashi.network.models import Center, Membership, Network


def _roles(user: User, *, network_id: int, center_id: int | None) -> set[str]:
    cache: dict[tuple[int, int | None], set[str]] = user.__dict__.setdefault("_kh_roles", {})
    key = (network_id, center_id)
    if key not in cache:
        where = Q(center__isnull=True)
        if center_id is not None:
            where |= Q(center_id=center_id)
        cache[key] = set(
            Membership.objects.filter(where, user=user, network_id=network_id).values_list(
                "role", flat=True
            )
        )
    return cache[key]


def has_perm(
    user: User | None, perm: Perm, *, network: Network | int, center: Center | None = None
) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    network_id = network if isinstance(network, int) else network.pk
    roles = _roles(user, network_id=network_id, center_id=center.pk if center else None)
    return any(perm in GRANTS[Role(role)] for role in roles)


def require(
    user: User | None, perm: Perm, *, network: Network | int, center: Center | None = None
) -> None:
    """Raise PermissionDenied unless ``user`` holds ``perm`` (at ``center``, if given)."""
    if not has_perm(user, perm, network=network, center=center):
        where = center.name if center is not None else _("this network")
        raise PermissionDenied(
            _("You are not allowed to %(action)s at %(where)s.")
            % {"action": Perm(perm).label, "where": where}
        )


def actor_may(
    actor: Actor, perm: Perm, *, network: Network | int, center: Center | None = None
) -> bool:
    """May ``actor`` act with ``perm`` (at ``center``, if given)?

    The system acts only where a job, a command or the demo was started to act, so it holds
    every permission; a participant or a supporter holds none (their own records are checked
    by the service that lets them act).
    """
    if isinstance(actor, SystemActor):
        return True
    if isinstance(actor, StaffActor):
        return has_perm(actor.user, perm, network=network, center=center)
    return False


def is_administrator(actor: Actor) -> bool:
    """The operator's own work: the system (a command, the demo) or a superuser."""
    return isinstance(actor, SystemActor) or (
        isinstance(actor, StaffActor) and actor.user.is_active and actor.user.is_superuser
    )


def authorize(
    actor: Actor, perm: Perm, *, network: Network | int, center: Center | None = None
) -> None:
    """Raise PermissionDenied unless ``actor`` may act with ``perm`` (see :func:`actor_may`)."""
    if not actor_may(actor, perm, network=network, center=center):
        where = center.name if center is not None else _("this network")
        raise PermissionDenied(
            _("You are not allowed to %(action)s at %(where)s.")
            % {"action": Perm(perm).label, "where": where}
        )


def centers_visible_to(user: User | None, perm: Perm = Perm.VIEW_CENTER) -> QuerySet[Center]:
    """The centers where ``user`` holds ``perm``: one query, usable as a subquery."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Center.objects.none()
    if user.is_superuser:
        return Center.objects.all()
    roles = [role for role, perms in GRANTS.items() if perm in perms]
    memberships = Membership.objects.filter(user=user, role__in=roles)
    # A center-level membership counts only within its own network, so a role recorded
    # against the wrong network can never open another network's center.
    return Center.objects.filter(
        Q(
            pk__in=memberships.filter(
                center__isnull=False, center__network_id=F("network_id")
            ).values("center_id")
        )
        | Q(network_id__in=memberships.filter(center__isnull=True).values("network_id"))
    )


def forget_roles(user: User) -> None:
    """Drop the roles cached on ``user`` (after a grant or a revocation)."""
    user.__dict__.pop("_kh_roles", None)


def networks_managed_by(user: User, perm: Perm) -> QuerySet[Network]:
    """Networks where ``user`` holds ``perm`` network-wide, as ``access.has_perm(network=...)``
    decides it (a role at one center does not count)."""
    if user.is_superuser:
        return Network.objects.all()
    roles = [role for role, perms in GRANTS.items() if perm in perms]
    memberships = Membership.objects.filter(user=user, center__isnull=True, role__in=roles)
    return Network.objects.filter(pk__in=memberships.values("network_id"))


def networks_visible_to(user: User, perm: Perm = Perm.VIEW_CENTER) -> QuerySet[Network]:
    """Networks where ``user`` holds ``perm`` network-wide or at any of their centers."""
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(
        Q(pk__in=networks_managed_by(user, perm).values("pk"))
        | Q(pk__in=centers_visible_to(user, perm).values("network_id"))
    )

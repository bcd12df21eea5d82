"""What payments shows of a group of accounts it does not know, such as a cohort.

Payments sits below the apps whose records are paid for: it names a group of accounts by a
string (``catalog.cohort:12``) and knows nothing of cohorts. The app that owns a kind of
group registers, at startup, a lookup that finds one group for a staff member (or answers
404 for one they may not see) and says what its payments page shows of it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.network.models import Center

# The kind of group a cohort's accounts are filed under (``catalog.cohort:<id>``).
COHORT = "catalog.cohort"


@dataclass(frozen=True)
class GroupPage:
    """One group as its payments page shows it: the center whose ledger holds its
    accounts, and what the page's template reads of the group's owner (``context``)."""

    center: Center
    context: dict[str, Any] = field(default_factory=dict)


GroupLookup = Callable[[User, int, Perm], GroupPage]

_lookups: dict[str, GroupLookup] = {}


def register_group_lookup(kind: str, lookup: GroupLookup) -> None:
    """Tell payments how to find groups of ``kind`` for a staff member.

    Call from the owning app's ``AppConfig.ready``; registering again replaces the lookup.
    """
    _lookups[kind] = lookup


def group_name(kind: str, key: int) -> str:
    return f"{kind}:{key}"


def split_group(group: str) -> tuple[str, int] | None:
    """The kind and key of a group's name, or None for a name of another shape."""
    kind, _sep, key = group.partition(":")
    return (kind, int(key)) if kind and key.isdigit() else None


def group_page(user: User, kind: str, key: int, perm: Perm) -> GroupPage:
    """The group ``kind:key`` as ``user`` may see it with ``perm``; any other is not found,
    and so is a kind no app has registered."""
    lookup = _lookups.get(kind)
    if lookup is None:
        raise Http404
    return lookup(user, key, perm)

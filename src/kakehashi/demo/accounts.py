"""The demo's staff accounts: who they are, and how to describe them to the operator."""

import os
from dataclasses import dataclass

from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.core.translated import texts_of
from kakehashi.network.models import Network

# Published with the demo on purpose: anyone running it must be able to log in.
DEMO_PASSWORD = "kakehashi-demo"  # noqa: S105

SUPERUSER = "superuser"


@dataclass(frozen=True)
class StaffAccount:
    """A generated member of staff, with one role at some centers (or network-wide)."""

    username: str
    first_name: str
    last_name: str
    role: str  # a Role, or SUPERUSER
    centers: tuple[str, ...] = ()  # center slugs; none means network-wide

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


WEST = ("moscow", "saint-petersburg", "nizhny-novgorod")
EAST = ("khabarovsk", "vladivostok", "yuzhno-sakhalinsk")

STAFF: tuple[StaffAccount, ...] = (
    StaffAccount("admin", "Demo", "Administrator", SUPERUSER),
    StaffAccount("office", "Марина", "Волкова", Role.OFFICE),
    StaffAccount("moscow.manager", "Андрей", "Кузнецов", Role.MANAGER, ("moscow",)),
    StaffAccount("moscow.registrar", "Елена", "Морозова", Role.REGISTRAR, ("moscow",)),
    StaffAccount(
        "petersburg.registrar", "Ирина", "Соколова", Role.REGISTRAR, ("saint-petersburg",)
    ),
    StaffAccount("khabarovsk.registrar", "Сергей", "Никитин", Role.REGISTRAR, ("khabarovsk",)),
    StaffAccount("vladivostok.manager", "Дмитрий", "Орлов", Role.MANAGER, ("vladivostok",)),
    StaffAccount("vladivostok.registrar", "Анна", "Лебедева", Role.REGISTRAR, ("vladivostok",)),
    StaffAccount("instructor.tanaka", "Hiroshi", "Tanaka", Role.INSTRUCTOR, WEST),
    StaffAccount("instructor.sato", "Yuko", "Sato", Role.INSTRUCTOR, EAST),
    StaffAccount("viewer", "Павел", "Егоров", Role.VIEWER),
)

# Who teaches where: the instructor of each region (see CenterFacts.region).
INSTRUCTOR_OF_REGION = {"west": "instructor.tanaka", "east": "instructor.sato"}


def site_url(path: str = "/") -> str:
    return f"http://127.0.0.1:{os.environ.get('PORT', '8000')}{path}"


def login_url() -> str:
    return site_url("/accounts/login/")


def describe_accounts(network: Network) -> list[tuple[str, str]]:
    """``(username, what the account may do)`` for each demo account that exists, read from
    the memberships in the database rather than from the plan above."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[account.username for account in STAFF])
    }
    lines = []
    for account in STAFF:
        user = users.get(account.username)
        if user is None or not user.is_active:
            continue
        roles: dict[str, list[str]] = {}
        for membership in user.memberships.filter(network=network).select_related("center"):
            where = texts_of(membership.center, "city")["en"] if membership.center else ""
            roles.setdefault(membership.role, []).append(where)
        parts = ["administrator (superuser)"] if user.is_superuser else []
        for role, places in roles.items():
            label = str(Role(role).label).lower()
            cities = [place for place in places if place]
            parts.append(f"{label}, {', '.join(cities)}" if cities else f"{label}, all centers")
        lines.append((user.username, "; ".join(parts) or "no role"))
    return lines

"""Who acts: every service is told, and authorizes each kind.

A service never receives ``None`` for "nobody in particular": it is told that a **staff**
user acts (with their roles at that center or network, or on their own account), that a
**participant** acts through their signed link or their account, that a **supporter** acts
through the signed link in their receipt, or that the **system** acts (a job, a closure,
retention, the demo), named by what it is doing. The audit log records which kind acted and
who, through :func:`audit_label`.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    from kakehashi.core.models import User


@dataclass(frozen=True)
class StaffActor:
    """A signed-in person acting with their roles, or on their own account."""

    kind: ClassVar[str] = "staff"
    user: "User"

    @property
    def label(self) -> str:
        return self.user.get_username()


@dataclass(frozen=True)
class ParticipantActor:
    """A participant acting on their own enrollments: through the signed link mailed to
    them (``via="link"``) or signed in to the account that owns their address."""

    kind: ClassVar[str] = "participant"
    participant_id: int
    via: Literal["link", "account"] = "link"
    user: "User | None" = None

    @property
    def label(self) -> str:
        return f"participant:{self.participant_id} ({self.via})"


@dataclass(frozen=True)
class SupporterActor:
    """A supporter acting through the signed link in their receipt."""

    kind: ClassVar[str] = "supporter"
    reference: str

    @property
    def label(self) -> str:
        return f"supporter:{self.reference}"


@dataclass(frozen=True)
class SystemActor:
    """Kakehashi itself, named by what it is doing (``"jobs.expire_offers"``, ``"demo"``)."""

    kind: ClassVar[str] = "system"
    purpose: str

    @property
    def label(self) -> str:
        return f"system:{self.purpose}"


Actor = StaffActor | ParticipantActor | SupporterActor | SystemActor


def staff(user: "User") -> StaffActor:
    return StaffActor(user=user)


def system(purpose: str) -> SystemActor:
    return SystemActor(purpose=purpose)


def audit_label(actor: Actor) -> str:
    """How the audit log names who acted."""
    return actor.label


def acting_user(actor: Actor) -> "User | None":
    """The account behind the action, if any (kept beside the label in the audit log)."""
    if isinstance(actor, StaffActor | ParticipantActor):
        return actor.user
    return None

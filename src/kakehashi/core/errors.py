"""Domain errors: what went wrong, said so that a person can act on it.

Views, the API and commands translate these into responses; a service raises one *before*
it has changed anything, or inside its transaction so that the change is rolled back.
"""

from typing import ClassVar


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.fields = {name: str(text) for name, text in (fields or {}).items()}


class InvalidInput(DomainError):
    """The request named something wrong: ``fields`` says which field and why."""

    code = "invalid"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    """The request is well formed but the current state does not allow it."""

    code = "conflict"
    status = 409


class InvalidTransition(Conflict):
    code = "invalid_transition"


class LockTimeout(Conflict):
    """Another request held the rows for too long; the caller may simply retry."""

    code = "busy"
    status = 503

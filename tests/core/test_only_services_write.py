"""Services are the only writers: no page, API handler, admin, form, task or command
writes a model itself.

The test reads the source (it needs no database): it finds the modules that face the
outside by their names and packages, walks each one's syntax tree and reports every call
of a model-writing method that is not on the short allow-list below, by file, line and
call. Modules are found by name rather than listed, so that a page moved into a ``views/``
package, or a new ``office_*.py``, is checked from its first day.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "kakehashi"

# Module names (and package names, for everything inside them) whose code faces the
# outside and so must leave writing to the services.
MODULE_NAMES = {"views.py", "api.py", "admin.py", "forms.py", "tasks.py", "feeds.py"}
MODULE_PREFIXES = ("office", "portal", "webhook")
PACKAGE_NAMES = {"views", "office", "portal"}

# Methods that write through the ORM (or change a user's credentials before a save).
WRITES = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "set_password",
    "set_unusable_password",
    "create_user",
    "create_superuser",
}

# (module, enclosing function, method) → why that call is not a write outside services.
ALLOWED: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Write:
    module: str
    line: int
    function: str
    call: str

    def __str__(self) -> str:
        where = f" in {self.function}()" if self.function else ""
        return f"{self.module}:{self.line}{where}: {self.call}"


def faces_the_outside(path: Path) -> bool:
    relative = path.relative_to(SOURCE)
    if "migrations" in relative.parts or "services" in relative.parts:
        return False  # the services are the writers (services/webhook_events.py, say)
    if relative.parts[-3:-1] == ("management", "commands"):
        return True
    if set(relative.parts[:-1]) & PACKAGE_NAMES:
        return True
    return path.name in MODULE_NAMES or path.name.startswith(MODULE_PREFIXES)


def outside_modules() -> list[Path]:
    # A views/ package's __init__.py is included: it may hold pages too.
    return sorted(path for path in SOURCE.rglob("*.py") if faces_the_outside(path))


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in WRITES:
        return False
    if func.attr == "update":
        # QuerySet.update takes field=value keywords; dict.update(mapping) and
        # set.update(items) take a positional argument.
        return bool(call.keywords) and not call.args
    if func.attr == "delete":
        # Model.delete() and QuerySet.delete() take no positional argument; the cache's
        # and the session's delete(key) do.
        return not call.args
    return True


class _Finder(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.scope: list[str] = []
        self.writes: list[Write] = []

    def _visit_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope

    def visit_Call(self, node: ast.Call) -> None:
        if _is_write(node):
            self.writes.append(
                Write(self.module, node.lineno, ".".join(self.scope), ast.unparse(node.func))
            )
        self.generic_visit(node)


def writes_in(path: Path) -> Iterator[Write]:
    module = str(path.relative_to(SOURCE.parent))
    finder = _Finder(module)
    finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    for write in finder.writes:
        method = write.call.rsplit(".", 1)[-1]
        if (write.module, write.function, method) not in ALLOWED:
            yield write


def test_the_walk_finds_the_modules_that_face_the_outside() -> None:
    found = {str(path.relative_to(SOURCE)) for path in outside_modules()}
    # One of each kind, so that a change in the finding cannot quietly check nothing.
    for expected in (
        "core/views/accounts.py",
        "core/forms.py",
        "core/admin.py",
        "core/management/commands/token.py",
        "credentials/tasks.py",
        "payments/webhooks.py",
        "payments/api.py",
    ):
        assert expected in found
    assert not any("migrations" in name for name in found)


def test_no_view_api_admin_form_task_or_command_writes_a_model_itself() -> None:
    writes = [str(write) for path in outside_modules() for write in writes_in(path)]
    assert not writes, (
        "These calls write models outside the services; call a service instead "
        "(or, if the call writes nothing, add it to ALLOWED with the reason):\n  "
        + "\n  ".join(writes)
    )


def test_every_allowed_write_still_exists() -> None:
    """An allow-list entry whose call is gone would silently allow the next one."""
    present = set()
    for path in outside_modules():
        finder = _Finder(str(path.relative_to(SOURCE.parent)))
        finder.visit(ast.parse(path.read_text(encoding="utf-8")))
        present |= {(w.module, w.function, w.call.rsplit(".", 1)[-1]) for w in finder.writes}
    assert set(ALLOWED) <= present, sorted(set(ALLOWED) - present)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("Cohort.objects.filter(pk=1).update(capacity=3)", True),
        ("cohort.save()", True),
        ("cohort.save(update_fields=['capacity'])", True),
        ("Room.objects.create(name='A')", True),
        ("Cohort.objects.filter(pk=1).delete()", True),
        ("user.set_password('secret')", True),
        ("Thing.objects.get_or_create(key='k')", True),
        ("context.update(extra)", False),
        ("cache.delete('key')", False),
        ("services.create_program(actor=actor)", False),
    ],
)
def test_the_finder_tells_a_write_from_a_look_alike(source: str, found: bool) -> None:
    call = ast.parse(source).body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert _is_write(call.value) is found


def test_every_admin_page_writes_through_services_or_not_at_all() -> None:
    """The admin saves and deletes on its own unless told otherwise: each admin of a
    Kakehashi model either allows no change at all or replaces the admin's own save and
    delete. (The libraries' own admins, axes' lock-out records and Django's groups, keep
    those libraries' bookkeeping, not Kakehashi's records.)"""
    from django.contrib import admin

    def overrides(kind: type, name: str) -> bool:
        return getattr(kind, name) is not getattr(admin.ModelAdmin, name)

    own_writes = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("kakehashi."):
            continue
        kind = type(model_admin)
        read_only = all(
            overrides(kind, name)
            for name in ("has_add_permission", "has_change_permission", "has_delete_permission")
        )
        saves_through_service = overrides(kind, "save_model")
        deletes_through_service = overrides(kind, "has_delete_permission") or (
            overrides(kind, "delete_model") and overrides(kind, "delete_queryset")
        )
        if not read_only and not (saves_through_service and deletes_through_service):
            own_writes.append(f"{kind.__module__}.{kind.__qualname__} ({model._meta.label})")
    assert not own_writes, "These admins save or delete without a service: " + ", ".join(own_writes)

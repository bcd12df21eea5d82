"""Data flows one way between the apps (see docs/architecture.md): an app imports only the
apps below it, and never another app's views. These tests read every module's imports,
those inside functions too, so that a shortcut shows up here and not in a review."""

import ast
from pathlib import Path

import kakehashi

SOURCE = Path(kakehashi.__file__).parent

# Lower numbers sit lower. Apps on one level may not import each other, except on the top
# one, where the upper apps call each other's services.
LAYERS: dict[str, int] = {
    "core": 0,
    "network": 1,
    "payments": 2,
    "catalog": 3,
    "admissions": 4,
    "delivery": 5,
    "credentials": 6,
    "compliance": 7,
    "closure": 7,
    "giving": 7,
    "alumni": 7,
    "reports": 7,
    "api": 8,
    "demo": 9,
}
PEERS_MAY_IMPORT_EACH_OTHER = 7


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(module: str, source: str, *, is_package: bool = False) -> set[str]:
    """Every module ``module`` imports, relative imports resolved."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # ``from kakehashi.catalog import views`` imports the views module itself.
            found.update(
                f"{target}.{alias.name}"
                for alias in node.names
                if not is_views(target) and is_views(f"{target}.{alias.name}")
            )
    return found


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "kakehashi" or parts[1] not in LAYERS:
        return None
    return parts[1]


def is_views(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 3 and parts[2] == "views"


def violations_of(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """What ``module`` imports against the layers: a higher or same-level app, or another
    app's views."""
    app = app_of(module)
    if app is None:
        return []
    found = []
    for imported in sorted(imported_modules(module, source, is_package=is_package)):
        other = app_of(imported)
        if other is None or other == app:
            continue
        if is_views(imported):
            found.append(f"{module} imports {imported}: another app's views")
        elif LAYERS[other] > LAYERS[app]:
            found.append(f"{module} imports {imported}: {other} sits above {app}")
        elif LAYERS[other] == LAYERS[app] != PEERS_MAY_IMPORT_EACH_OTHER:
            found.append(f"{module} imports {imported}: {other} and {app} are peers")
    return found


def all_violations() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found += violations_of(
            module_name(path), path.read_text(), is_package=path.name == "__init__.py"
        )
    return found


def test_no_app_imports_a_higher_app_or_another_apps_views() -> None:
    assert all_violations() == []


def test_every_app_has_its_place_in_the_layers() -> None:
    apps = {path.parent.name for path in SOURCE.glob("*/apps.py")}
    assert apps - set(LAYERS) == set()


def test_a_lower_app_importing_a_higher_one_is_caught() -> None:
    source = "from kakehashi.catalog.models import Cohort\n"
    assert violations_of("kakehashi.payments.views.office", source) == [
        "kakehashi.payments.views.office imports kakehashi.catalog.models: "
        "catalog sits above payments"
    ]


def test_an_import_inside_a_function_is_caught_too() -> None:
    source = "def page():\n    from kakehashi.delivery import services\n"
    assert violations_of("kakehashi.admissions.tasks", source) != []


def test_importing_another_apps_views_is_caught_even_from_above() -> None:
    source = "from kakehashi.admissions.views import portal\n"
    assert violations_of("kakehashi.delivery.views.portal", source) == [
        "kakehashi.delivery.views.portal imports kakehashi.admissions.views: another app's views"
    ]


def test_importing_the_views_package_by_name_is_caught() -> None:
    source = "from kakehashi.catalog import models, views\n"
    assert violations_of("kakehashi.admissions.views.portal", source) == [
        "kakehashi.admissions.views.portal imports kakehashi.catalog.views: another app's views"
    ]


def test_an_app_may_import_the_apps_below_it() -> None:
    source = (
        "from kakehashi.catalog.lookups import visible_cohort\nfrom kakehashi.core import web\n"
    )
    assert violations_of("kakehashi.credentials.views.office", source) == []


def test_a_relative_import_is_read_as_the_module_it_names() -> None:
    assert "kakehashi.catalog.models" in imported_modules(
        "kakehashi.catalog.views.office", "from ..models import Cohort\n"
    )

"""Every office and portal page runs a fixed number of queries, however much it shows.

Each page is read in a small network (two of everything: centers, people in the cohort,
cohorts, programs, sessions, certificates, payments, the participant's enrollments) and in
a large one (twelve of each), by the person the page is for. Both counts must be the
same, so that no page runs a query per row, and no more than the page's stored baseline in
``page_query_counts.json``, so that a new query per request is noticed and the baseline
raised on purpose (as NetBox does). After a deliberate change, rewrite the baselines with

    KAKEHASHI_UPDATE_QUERY_COUNTS=1 pytest tests/test_page_query_counts.py

and commit the file. The REST API's lists are counted in ``tests/test_query_counts.py``.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoDbBlocker

from kakehashi.core.roles import GRANTS, Role
from tests.core.test_every_url import ACCESS, POST, Access, url_for, visit
from tests.support.every_url import World, worlds_for_module

BASELINES = Path(__file__).with_name("page_query_counts.json")
UPDATE = os.environ.get("KAKEHASHI_UPDATE_QUERY_COUNTS") == "1"
SMALL, LARGE = 2, 12

# The pages counted: every page of the office and the portal a person reads (a POST
# answers with a redirect or the same page), and the calendar feeds.
PAGES = sorted(
    name
    for name, access in ACCESS.items()
    if name.split(":")[0] in ("office", "portal", "calendar") and access.method != POST
)


def reader(access: Access) -> str:
    """The person the page is for: the office for the pages over every center, a center's
    registrar (or manager) for a center's records, the office for the network's own pages,
    the participant for their own pages."""
    if access.kind == "staff" and access.perm is None:
        return "office"
    if access.kind == "staff":
        for persona in (Role.REGISTRAR, Role.MANAGER):
            if access.perm in GRANTS[persona]:
                return persona
        return "office"
    if access.kind in ("owner", "account"):
        return "participant"
    return "anonymous"


@pytest.fixture(scope="module")
def worlds(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, World]]:
    key_dir = tmp_path_factory.mktemp("keys")
    yield from worlds_for_module(django_db_blocker, key_dir, {"small": SMALL, "large": LARGE})


@pytest.fixture(scope="module")
def baselines() -> Iterator[dict[str, int]]:
    stored: dict[str, int] = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    measured: dict[str, int] = {}
    yield measured
    if UPDATE:
        BASELINES.write_text(json.dumps({**stored, **measured}, indent=2, sort_keys=True) + "\n")


def stored_baselines() -> dict[str, int]:
    loaded: dict[str, int] = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    return loaded


def queries(world: World, name: str, access: Access, persona: str) -> int:
    url = url_for(world, name, access)
    with CaptureQueriesContext(connection) as captured:
        response = visit(world, persona, access.method, url)
    assert 200 <= response.status_code < 400, f"{url} as {persona}: {response.status_code}"
    # The savepoint that ``visit`` opens to undo the request is not the page's.
    return sum("SAVEPOINT" not in query["sql"].upper() for query in captured.captured_queries)


@pytest.mark.parametrize("name", PAGES)
def test_each_page_runs_as_many_queries_for_many_rows_as_for_few(
    db: None, worlds: dict[str, World], baselines: dict[str, int], name: str
) -> None:
    access = ACCESS[name]
    persona = reader(access)
    for world in worlds.values():
        queries(world, name, access, persona)  # caches are filled on first use
    few = queries(worlds["small"], name, access, persona)
    many = queries(worlds["large"], name, access, persona)
    assert few == many, (
        f"{name} as {persona}: {few} queries with {SMALL} rows, {many} with {LARGE}: "
        "a query per row"
    )
    baselines[name] = few
    if UPDATE:
        return
    baseline = stored_baselines().get(name)
    assert baseline is not None, (
        f"{name} has no baseline: run KAKEHASHI_UPDATE_QUERY_COUNTS=1 pytest {__file__}"
    )
    assert few <= baseline, (
        f"{name} as {persona}: {few} queries, the baseline is {baseline}. If the new queries "
        f"are meant, run KAKEHASHI_UPDATE_QUERY_COUNTS=1 pytest {__file__} and commit "
        f"{BASELINES.name}"
    )

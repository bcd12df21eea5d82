"""Each list endpoint runs a fixed number of queries, however many rows it returns.

Every test measures an endpoint with a few rows, adds many more (spread over several
centers, programs, rooms, instructors and participants, so that a missing
``select_related`` shows), and measures again. Both counts must equal the stored baseline:
a change that adds a query per row fails here, and so does one that adds a query per
request, so that it is noticed and the baseline raised on purpose (as NetBox does).
"""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kakehashi.admissions import services as admissions
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Network, Room
from tests import factories
from tests.factories import SYSTEM, by_link
from tests.support.clients import ApiClient

# One query finds the bearer token and its user; the rest are the endpoint's own.
BASELINES = {
    # count + page, each with the user's centers as a subquery
    "/centers": 3,
    "/programs": 3,
    "/cohorts": 3,
    # the cohort (checked against the user's centers), then its roster or its sessions
    "/cohorts/{cohort}/enrollments": 3,
    "/cohorts/{cohort}/sessions": 3,
}

Api = type[ApiClient]


def queries_for(api: ApiClient, path: str) -> tuple[int, object]:
    # The first use of a token records it (an UPDATE); later uses within minutes do not.
    api.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    return len(captured.captured_queries), body


def rows(body: object) -> int:
    if isinstance(body, dict):
        return len(body["items"])
    assert isinstance(body, list)
    return len(body)


def assert_fixed_query_count(
    api: ApiClient, path: str, baseline: int, add_rows: Callable[[], None]
) -> None:
    few, few_body = queries_for(api, path)
    add_rows()
    many, many_body = queries_for(api, path)
    assert rows(many_body) >= rows(few_body) + 20, "too few rows added to prove anything"
    assert (few, many) == (baseline, baseline), (
        f"{path}: {few} queries for {rows(few_body)} rows, {many} for {rows(many_body)} rows; "
        f"the baseline is {baseline}"
    )


def _staff(username: str, network: Network, center: Center) -> User:
    user = factories.make_user(username)
    network_services.grant_role(
        actor=SYSTEM, user=user, network=network, role=Role.INSTRUCTOR, center=center
    )
    return user


@pytest.fixture(params=["office", "registrar"])
def reader(request: pytest.FixtureRequest) -> User:
    """Network-wide and one-center users see lists through different memberships."""
    user: User = request.getfixturevalue(request.param)
    return user


def test_center_list_runs_a_fixed_number_of_queries(
    api_as: Api, office: User, network: Network, center: Center
) -> None:
    factories.make_center(network, "second")

    def add_rows() -> None:
        for n in range(22):
            factories.make_center(network, f"more-{n}", status="planned" if n % 3 else "operating")

    assert_fixed_query_count(api_as(office), "/centers", BASELINES["/centers"], add_rows)


def test_program_list_runs_a_fixed_number_of_queries(
    api_as: Api, reader: User, network: Network, center: Center
) -> None:
    factories.make_program(network)
    factories.make_program(network)

    def add_rows() -> None:
        for _ in range(22):
            factories.make_program(network)

    assert_fixed_query_count(api_as(reader), "/programs", BASELINES["/programs"], add_rows)


def test_cohort_list_runs_a_fixed_number_of_queries(
    api_as: Api, reader: User, network: Network, center: Center, other_center: Center
) -> None:
    program = factories.make_program(network)
    first = factories.make_cohort(center, program, capacity=1)
    factories.apply(first)
    factories.make_cohort(center, program)

    def add_rows() -> None:
        programs = [factories.make_program(network) for _ in range(4)]
        for n in range(33):  # 22 at the registrar's center, 11 at the other
            cohort = factories.make_cohort(
                center if n % 3 else other_center, programs[n % 4], capacity=2
            )
            for _ in range(n % 4):
                factories.apply(cohort)

    api = api_as(reader)
    assert_fixed_query_count(api, "/cohorts", BASELINES["/cohorts"], add_rows)


def test_roster_runs_a_fixed_number_of_queries(api_as: Api, reader: User, center: Center) -> None:
    cohort = factories.make_cohort(center, capacity=10)
    factories.apply(cohort)
    factories.apply(cohort)

    def add_rows() -> None:
        added = [factories.apply(cohort) for _ in range(24)]  # 8 more seated, 16 waiting
        for enrollment in added[::5]:
            admissions.withdraw(actor=by_link(enrollment), enrollment=enrollment)

    path = f"/cohorts/{cohort.pk}/enrollments"
    baseline = BASELINES["/cohorts/{cohort}/enrollments"]
    assert_fixed_query_count(api_as(reader), path, baseline, add_rows)


def test_session_list_runs_a_fixed_number_of_queries(
    api_as: Api, reader: User, network: Network, center: Center
) -> None:
    cohort = factories.make_cohort(
        center, starts_on=datetime.date(2031, 3, 1), ends_on=datetime.date(2031, 3, 31)
    )
    start = datetime.datetime(2031, 3, 1, 10, 0)

    def schedule(n: int, room: Room | None, instructor: User | None) -> None:
        catalog.schedule_session(
            actor=SYSTEM,
            cohort=cohort,
            starts_at=start + datetime.timedelta(days=n),
            ends_at=start + datetime.timedelta(days=n, hours=3),
            title=f"Session {n}",
            room=room,
            instructor=instructor,
        )

    schedule(0, None, None)
    schedule(1, None, None)

    def add_rows() -> None:
        rooms = [Room.objects.create(center=center, name=f"Room {n}") for n in range(5)]
        teachers = [_staff(f"teacher{n}", network, center) for n in range(5)]
        for n in range(2, 26):
            schedule(n, rooms[n % 5], teachers[(n // 5) % 5])

    path = f"/cohorts/{cohort.pk}/sessions"
    baseline = BASELINES["/cohorts/{cohort}/sessions"]
    assert_fixed_query_count(api_as(reader), path, baseline, add_rows)


def test_the_rows_measured_are_the_ones_the_reader_may_see(
    api_as: Api, registrar: User, network: Network, center: Center, other_center: Center
) -> None:
    """A fixed count proves nothing if the rows were filtered away: check what is listed."""
    program = factories.make_program(network)
    own = [factories.make_cohort(center, program) for _ in range(3)]
    factories.make_cohort(other_center, program)
    api = api_as(registrar)
    listed = api.get("/cohorts").json()
    assert [item["id"] for item in listed["items"]] == [cohort.pk for cohort in own]
    assert Cohort.objects.count() == 4
    assert api.get("/programs").json()["count"] == Program.objects.count()

"""The REST API under /api/v1 keeps its promises.

Happy paths through every router; bad input answered with a JSON ``{"code", "message",
"fields"}`` and a 4xx status that changes nothing (rows and audit events are compared
before and after); and every endpoint checks the caller's role at the center concerned.
"""

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone, translation

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment, Participant, Status
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Program, Session
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import ApiToken, AuditChain, AuditEvent, OutgoingEmail, User
from kakehashi.core.roles import Role
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, CenterStatusChange, Membership, Network, Room
from tests import factories
from tests.factories import SYSTEM
from tests.support.clients import ApiClient

Api = type[ApiClient]
Response = Any  # django.test.Client's response, with .json()

DOMAIN_MODELS = [
    Network,
    Center,
    CenterStatusChange,
    Room,
    Membership,
    Program,
    Cohort,
    Session,
    Participant,
    Enrollment,
    AuditChain,
    AuditEvent,
]


def _domain_rows(model: type[Any]) -> Any:
    rows = model.objects.order_by("pk")
    # Issuing the block's own API tokens is recorded in the accounts' chains: setting up the
    # client, not a change the requests made.
    if model is AuditChain:
        return rows.exclude(key__startswith="account:")
    if model is AuditEvent:
        return rows.exclude(chain__key__startswith="account:")
    return rows


def database_state() -> dict[str, list[dict[str, Any]]]:
    # modeltranslation reads ``name`` in the active language, which the last request set.
    with translation.override("en"):
        return {model._meta.label: list(_domain_rows(model).values()) for model in DOMAIN_MODELS}


@contextmanager
def changes_nothing() -> Iterator[None]:
    """The block's requests leave every domain row, and the audit log, as they were."""
    events = _domain_rows(AuditEvent).count()
    before = database_state()
    yield
    assert _domain_rows(AuditEvent).count() == events
    assert database_state() == before


def assert_error(
    response: Response, status: int, code: str | None = None, fields: Iterable[str] = ()
) -> dict[str, Any]:
    """An error answer: the status, a JSON body of exactly code, message and fields."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["code"] == code, body
    for name in fields:
        assert name in body["fields"], body
    return body


def participant(n: int | str, **extra: str) -> dict[str, Any]:
    return {
        "participant": {
            "email": f"person{n}@example.org",
            "full_name": f"Person {n}",
            "company": "Test LLC",
            "position": "Director",
            **extra,
        }
    }


def enroll(api: ApiClient, cohort: Cohort | int, n: int | str) -> Response:
    cohort_id = cohort if isinstance(cohort, int) else cohort.pk
    return api.post(f"/cohorts/{cohort_id}/enrollments", participant(n))


def enrolled(api: ApiClient, cohort: Cohort, n: int | str) -> dict[str, Any]:
    response = enroll(api, cohort, n)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def cohort_body(program: Program, center: Center, /, **overrides: Any) -> dict[str, Any]:
    start = timezone.localdate() + datetime.timedelta(days=40)
    return {
        "program": program.pk,
        "center": center.pk,
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=5)).isoformat(),
        "capacity": 12,
        **overrides,
    }


@pytest.fixture
def program(network: Network) -> Program:
    return factories.make_program(network, "production")


@pytest.fixture
def cohort(center: Center, program: Program) -> Cohort:
    return factories.make_cohort(center, program, capacity=2)


@pytest.fixture
def february(center: Center, program: Program) -> Cohort:
    """A cohort with known dates, for scheduling sessions within them."""
    return factories.make_cohort(
        center,
        program,
        code="february",
        starts_on=datetime.date(2031, 2, 1),
        ends_on=datetime.date(2031, 2, 28),
    )


@pytest.fixture
def review_cohort(center: Center, program: Program) -> Cohort:
    return factories.make_cohort(center, program, capacity=1, admission="review")


# --- authentication ------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/centers"),
    ("get", "/centers/1"),
    ("post", "/centers"),
    ("get", "/programs"),
    ("post", "/programs"),
    ("get", "/cohorts"),
    ("get", "/cohorts/1"),
    ("post", "/cohorts"),
    ("patch", "/cohorts/1"),
    ("get", "/cohorts/1/sessions"),
    ("post", "/cohorts/1/sessions"),
    ("get", "/cohorts/1/enrollments"),
    ("post", "/cohorts/1/enrollments"),
    ("get", "/enrollments/1"),
    ("post", "/enrollments/1/withdraw"),
    ("post", "/enrollments/1/accept"),
    ("post", "/enrollments/1/reject"),
    ("post", "/enrollments/1/confirm"),
]


def _call(api: ApiClient, method: str, path: str) -> Response:
    if method == "get":
        return api.get(path)
    if method == "patch":
        return api.patch(path, {})
    return api.post(path, {})


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_request_without_token(
    api_as: Api, cohort: Cohort, method: str, path: str
) -> None:
    with changes_nothing():
        response = _call(api_as(None), method, path)
    assert_error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer kh_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Bearer ",
        "Token kh_whatever",
        "Basic b2ZmaWNlOnB3",
    ],
)
def test_a_wrong_or_malformed_token_is_refused(api_as: Api, office: User, header: str) -> None:
    api = api_as(office)
    api.headers["Authorization"] = header
    assert_error(api.get("/centers"), 401, "unauthenticated")


def test_a_revoked_token_is_refused(api_as: Api, office: User) -> None:
    api = api_as(office)
    assert api.get("/centers").status_code == 200
    ApiToken.objects.filter(user=office).update(revoked_at=timezone.now())
    assert_error(api.get("/centers"), 401, "unauthenticated")


def test_the_token_of_a_deactivated_user_is_refused(api_as: Api, office: User) -> None:
    api = api_as(office)
    office.is_active = False
    office.save(update_fields=["is_active"])
    assert_error(api.get("/centers"), 401, "unauthenticated")


def test_a_token_records_when_it_was_last_used(api_as: Api, office: User) -> None:
    api = api_as(office)
    assert ApiToken.objects.get(user=office).last_used_at is None
    api.get("/centers")
    assert ApiToken.objects.get(user=office).last_used_at is not None


def test_openapi_schema_loads_and_lists_the_enrollment_endpoints(api_as: Api) -> None:
    response = api_as(None).client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cohorts/{cohort_id}/enrollments"])
    for action in ("withdraw", "accept", "reject", "confirm", "decline", "waitlist"):
        assert "post" in paths[f"/api/v1/enrollments/{{enrollment_id}}/{action}"]
    for path in ("/api/v1/centers", "/api/v1/programs", "/api/v1/cohorts"):
        assert {"get", "post"} <= set(paths[path])
    assert "get" in paths["/api/v1/cohorts/{cohort_id}"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    enroll_op = paths["/api/v1/cohorts/{cohort_id}/enrollments"]["post"]
    assert {"201", "401", "404", "409", "422"} <= set(enroll_op["responses"])


def test_a_method_a_path_does_not_have_is_answered_in_json(
    api_as: Api, office: User, cohort: Cohort
) -> None:
    api = api_as(office)
    with changes_nothing():
        response = api.client.delete(f"/api/v1/cohorts/{cohort.pk}", headers=api.headers)
        body = assert_error(response, 405, "method_not_allowed")
        assert "DELETE" in body["message"]
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
        assert_error(api.get("/enrollments/1/withdraw"), 405, "method_not_allowed")


def test_an_unknown_path_is_answered_in_json(api_as: Api, office: User) -> None:
    api = api_as(office)
    for path in ("/nothing-here", "/cohorts/", "/cohorts/1/teachers"):
        assert_error(api.get(path), 404, "not_found")
    assert_error(api_as(None).post("/nothing-here", {}), 404, "not_found")


# --- centers -------------------------------------------------------------------------------

CENTER = {
    "network": "net",
    "slug": "khabarovsk",
    "name": {
        "en": "Japan Center Khabarovsk",
        "ru": "Японский центр в Хабаровске",
        "ja": "日本センター",
    },
    "city": {"en": "Khabarovsk", "ru": "Хабаровск", "ja": "ハバロフスク"},
    "timezone": "Asia/Vladivostok",
}


def test_office_creates_a_center_in_three_languages(api_as: Api, office: User) -> None:
    api = api_as(office)
    events = AuditEvent.objects.count()
    response = api.post("/centers", CENTER)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "khabarovsk"
    assert body["status"] == "planned"
    assert body["opened_on"] is None
    assert body["network"] == "net"
    assert body["names"] == CENTER["name"]
    assert Center.objects.get(pk=body["id"]).name_ru == "Японский центр в Хабаровске"  # type: ignore[attr-defined]
    assert AuditEvent.objects.count() == events + 1


def test_center_name_comes_back_in_the_language_asked_for(api_as: Api, office: User) -> None:
    api = api_as(office)
    center_id = api.post("/centers", CENTER).json()["id"]
    for language, expected in [("ru", "Японский центр в Хабаровске"), ("ja", "日本センター")]:
        api.headers["Accept-Language"] = language
        body = api.get(f"/centers/{center_id}").json()
        assert body["name"] == expected
        assert body["city"] == CENTER["city"][language]  # type: ignore[index]
        assert body["names"] == CENTER["name"]
    api.headers["Accept-Language"] = "en"
    assert api.get(f"/centers/{center_id}").json()["name"] == "Japan Center Khabarovsk"


def test_a_center_without_russian_name_falls_back_to_english(
    api_as: Api, registrar: User, center: Center
) -> None:
    api = api_as(registrar)
    api.headers["Accept-Language"] = "ru"
    body = api.get(f"/centers/{center.pk}").json()
    assert body["name"] == "Center moscow"
    assert body["names"] == {"en": "Center moscow", "ru": "", "ja": ""}


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, 422, "timezone"),
        ({"timezone": 3}, 422, "timezone"),
        ({"slug": "moscow"}, 422, "slug"),  # the center fixture's address
        ({"slug": "!!!"}, 422, "slug"),
        ({"slug": "x" * 51}, 422, "slug"),
        ({"name": {"ru": "Только по-русски"}}, 422, "name"),
        ({"name": {"en": "Fine", "de": "Nicht unterstützt"}}, 422, "name.de"),
        ({"name": "Not a mapping"}, 422, "name"),
        ({"name": {"en": "x" * 201}}, 422, "name"),
        ({"city": {"en": "Moscow\x00"}}, 422, "city.en"),
        ({"opened_on": "someday"}, 422, "opened_on"),
        ({"capital": "Tokyo"}, 422, "capital"),
    ],
)
def test_bad_center_input_is_refused_naming_the_field(
    api_as: Api, office: User, center: Center, change: dict[str, Any], status: int, field: str
) -> None:
    with changes_nothing():
        response = api_as(office).post("/centers", {**CENTER, **change})
    assert_error(response, status, fields=[field])


@pytest.mark.parametrize("missing", ["network", "slug", "name", "city", "timezone"])
def test_a_center_missing_a_field_is_refused_naming_it(
    api_as: Api, office: User, missing: str
) -> None:
    body = {key: value for key, value in CENTER.items() if key != missing}
    with changes_nothing():
        response = api_as(office).post("/centers", body)
    assert_error(response, 422, "invalid", fields=[missing])


def test_a_center_of_an_unknown_network_is_not_found(api_as: Api, office: User) -> None:
    with changes_nothing():
        response = api_as(office).post("/centers", {**CENTER, "network": "nowhere"})
    assert_error(response, 404, "not_found")


def test_registrar_cannot_create_a_center(api_as: Api, registrar: User) -> None:
    with changes_nothing():
        response = api_as(registrar).post("/centers", CENTER)
    assert_error(response, 403, "forbidden")


def test_registrar_sees_only_their_own_center(
    api_as: Api, registrar: User, center: Center, other_center: Center
) -> None:
    api = api_as(registrar)
    listed = api.get("/centers").json()
    assert listed["count"] == 1
    assert [item["id"] for item in listed["items"]] == [center.pk]
    assert api.get(f"/centers/{center.pk}").status_code == 200
    assert_error(api.get(f"/centers/{other_center.pk}"), 404, "not_found")


def test_outsider_sees_no_center_and_no_program(
    api_as: Api, outsider: User, center: Center, program: Program
) -> None:
    api = api_as(outsider)
    assert api.get("/centers").json() == {"items": [], "count": 0}
    assert api.get("/programs").json() == {"items": [], "count": 0}
    assert api.get("/cohorts").json() == {"items": [], "count": 0}
    assert_error(api.get(f"/centers/{center.pk}"), 404, "not_found")
    assert_error(api.get(f"/programs/{program.pk}"), 404, "not_found")


def test_centers_are_listed_oldest_first_and_planned_ones_last(
    api_as: Api, office: User, network: Network
) -> None:
    api = api_as(office)
    planned = factories.make_center(network, "planned", status="planned")
    old = factories.make_center(network, "old")
    Center.objects.filter(pk=old.pk).update(opened_on=datetime.date(1994, 9, 1))
    new = factories.make_center(network, "new")
    ids = [item["id"] for item in api.get("/centers").json()["items"]]
    assert ids == [old.pk, new.pk, planned.pk]


def test_office_moves_a_center_along_its_lifecycle(
    api_as: Api, office: User, network: Network
) -> None:
    api = api_as(office)
    center_id = api.post("/centers", CENTER).json()["id"]
    response = api.post(
        f"/centers/{center_id}/status", {"status": "operating", "effective_on": "2030-04-01"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "operating"
    assert response.json()["opened_on"] == "2030-04-01"
    with changes_nothing():
        assert_error(
            api.post(f"/centers/{center_id}/status", {"status": "closed"}),
            409,
            "invalid_transition",
        )
        assert_error(
            api.post(f"/centers/{center_id}/status", {"status": "demolished"}),
            422,
            "invalid",
            fields=["status"],
        )
        assert_error(
            api.post(
                f"/centers/{center_id}/status",
                {"status": "suspended", "effective_on": "2030-01-01"},
            ),
            422,
            "invalid",
            fields=["effective_on"],
        )


def test_registrar_cannot_change_a_centers_status(
    api_as: Api, registrar: User, center: Center, other_center: Center
) -> None:
    api = api_as(registrar)
    with changes_nothing():
        assert_error(api.post(f"/centers/{center.pk}/status", {"status": "suspended"}), 403)
        assert_error(api.post(f"/centers/{other_center.pk}/status", {"status": "suspended"}), 404)


# --- programs ------------------------------------------------------------------------------

PROGRAM = {
    "network": "net",
    "slug": "kaizen",
    "name": {"en": "Kaizen in production", "ru": "Кайдзен на производстве", "ja": "生産現場の改善"},
    "topic": "production",
    "audience": "executives",
    "hours": 72,
}


def test_office_creates_a_program_in_three_languages(api_as: Api, office: User) -> None:
    api = api_as(office)
    response = api.post("/programs", PROGRAM)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "kaizen"
    assert body["hours"] == 72
    assert body["is_active"] is True
    assert body["names"] == PROGRAM["name"]
    api.headers["Accept-Language"] = "ru"
    assert api.get(f"/programs/{body['id']}").json()["name"] == "Кайдзен на производстве"
    api.headers["Accept-Language"] = "ja"
    listed = api.get("/programs").json()["items"]
    assert [item["name"] for item in listed if item["slug"] == "kaizen"] == ["生産現場の改善"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topic": "astrology"}, "topic"),
        ({"audience": "children"}, "audience"),
        ({"hours": -1}, "hours"),
        ({"hours": 10**12}, "hours"),
        ({"hours": "many"}, "hours"),
        ({"slug": ""}, "slug"),
        ({"name": {"en": ""}}, "name"),
        ({"duration": 3}, "duration"),
    ],
)
def test_bad_program_input_is_refused_naming_the_field(
    api_as: Api, office: User, change: dict[str, Any], field: str
) -> None:
    with changes_nothing():
        response = api_as(office).post("/programs", {**PROGRAM, **change})
    assert_error(response, 422, "invalid", fields=[field])


def test_a_program_slug_is_unique_in_the_catalog(api_as: Api, office: User) -> None:
    api = api_as(office)
    assert api.post("/programs", PROGRAM).status_code == 201
    with changes_nothing():
        assert_error(api.post("/programs", PROGRAM), 422, "invalid", fields=["slug"])


def test_the_office_sees_its_catalog_before_any_center_opens(api_as: Api, office: User) -> None:
    api = api_as(office)
    assert not Center.objects.exists()
    program_id = api.post("/programs", PROGRAM).json()["id"]
    assert [item["id"] for item in api.get("/programs").json()["items"]] == [program_id]
    assert api.get(f"/programs/{program_id}").status_code == 200


def test_staff_of_another_network_see_nothing_of_this_one(
    api_as: Api, office: User, center: Center, cohort: Cohort
) -> None:
    elsewhere = factories.make_network("elsewhere")
    stranger = factories.make_user("stranger")
    network_services.grant_role(actor=SYSTEM, user=stranger, network=elsewhere, role=Role.OFFICE)
    api = api_as(stranger)
    assert api.get("/centers").json()["count"] == 0
    assert api.get("/programs").json()["count"] == 0
    assert api.get("/cohorts").json()["count"] == 0
    with changes_nothing():
        assert_error(api.get(f"/centers/{center.pk}"), 404)
        assert_error(api.get(f"/programs/{cohort.program_id}"), 404)
        assert_error(api.get(f"/cohorts/{cohort.pk}"), 404)
        assert_error(api.post("/centers", CENTER), 403, "forbidden")
        assert_error(api.post("/programs", PROGRAM), 403, "forbidden")
        assert_error(api.post(f"/centers/{center.pk}/status", {"status": "suspended"}), 404)
        assert_error(enroll(api, cohort, 1), 404)


def test_registrar_cannot_create_a_program(api_as: Api, registrar: User) -> None:
    with changes_nothing():
        assert_error(api_as(registrar).post("/programs", PROGRAM), 403, "forbidden")


# --- cohorts -------------------------------------------------------------------------------


def test_registrar_creates_a_cohort_of_a_program_named_in_russian_and_japanese(
    api_as: Api, office: User, registrar: User, center: Center
) -> None:
    program_id = api_as(office).post("/programs", PROGRAM).json()["id"]
    api = api_as(registrar)
    events = AuditEvent.objects.count()
    response = api.post(
        "/cohorts",
        cohort_body(
            Program.objects.get(pk=program_id),
            center,
            code="kaizen-spring",
            capacity=20,
            fee="45000",
            currency="RUB",
            language="ja",
            admission="review",
            offer_hours=48,
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "kaizen-spring"
    assert body["capacity"] == 20
    assert (body["seats_held"], body["seats_left"], body["waitlist_length"]) == (0, 20, 0)
    assert (body["fee"], body["currency"]) == ("45000.00", "RUB")
    assert (body["language"], body["admission"], body["offer_hours"]) == ("ja", "review", 48)
    assert body["center"] == {
        "id": center.pk,
        "slug": "moscow",
        "name": "Center moscow",
        "timezone": "Europe/Moscow",
    }
    assert AuditEvent.objects.count() == events + 1
    for language, name in [("ru", "Кайдзен на производстве"), ("ja", "生産現場の改善")]:
        api.headers["Accept-Language"] = language
        assert api.get(f"/cohorts/{body['id']}").json()["program"]["name"] == name
        listed = api.get("/cohorts").json()["items"]
        assert [item["program"]["name"] for item in listed] == [name]


def test_a_cohort_code_defaults_to_the_program_and_month(
    api_as: Api, registrar: User, center: Center, program: Program
) -> None:
    body = cohort_body(program, center, starts_on="2031-03-02", ends_on="2031-03-20")
    response = api_as(registrar).post("/cohorts", body)
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "production-2031-03"


def test_a_fee_comes_back_as_a_string_with_the_currencys_minor_units(
    api_as: Api, registrar: User, center: Center, program: Program
) -> None:
    api = api_as(registrar)
    yen = api.post("/cohorts", cohort_body(program, center, code="y", fee=15000, currency="JPY"))
    rub = api.post("/cohorts", cohort_body(program, center, code="r", fee="1500.5"))
    usd = api.post("/cohorts", cohort_body(program, center, code="u", fee=2, currency="usd"))
    assert (yen.json()["fee"], yen.json()["currency"]) == ("15000", "JPY")
    assert (rub.json()["fee"], rub.json()["currency"]) == ("1500.50", "RUB")
    assert (usd.json()["fee"], usd.json()["currency"]) == ("2.00", "USD")
    assert Cohort.objects.get(pk=rub.json()["id"]).fee == Decimal("1500.50")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        # wrong types
        ({"capacity": "many"}, "capacity"),
        ({"capacity": 2.5}, "capacity"),
        ({"starts_on": "next spring"}, "starts_on"),
        ({"program": "production"}, "program"),
        ({"fee": "a lot"}, "fee"),
        ({"fee": [1500]}, "fee"),
        ({"applications_open_at": "soon"}, "applications_open_at"),
        # values no cohort can have
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"capacity": 10**12}, "capacity"),
        ({"fee": -1, "currency": "JPY"}, "fee"),
        ({"fee": "1500.5", "currency": "JPY"}, "fee"),
        ({"fee": "0.5", "currency": "JPY"}, "fee"),
        ({"fee": "-0.01"}, "fee"),
        ({"fee": "12.345"}, "fee"),
        ({"fee": "NaN"}, "fee"),
        ({"fee": "Infinity"}, "fee"),
        ({"fee": "1e20"}, "fee"),
        ({"fee": "10000000000"}, "fee"),
        ({"fee": "1.234", "currency": "KWD"}, "fee"),  # the column keeps two places
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "RUBLES"}, "currency"),
        ({"currency": ""}, "currency"),
        ({"language": "de"}, "language"),
        ({"format": "carrier pigeon"}, "format"),
        ({"admission": "lottery"}, "admission"),
        ({"offer_hours": 0}, "offer_hours"),
        ({"offer_hours": 24 * 61}, "offer_hours"),
        ({"code": "x" * 61}, "code"),
        ({"code": "spring\x00"}, "code"),
        ({"program": 10**20}, "program"),
        ({"program": 0}, "program"),
        # dates in the wrong order
        ({"starts_on": "2031-05-10", "ends_on": "2031-05-01"}, "ends_on"),
        (
            {
                "applications_open_at": "2031-04-10T09:00:00",
                "applications_close_at": "2031-04-01T09:00:00",
            },
            "applications_close_at",
        ),
        # a misspelt field is not silently ignored
        ({"capcity": 30}, "capcity"),
    ],
)
def test_bad_cohort_input_is_refused_naming_the_field(
    api_as: Api,
    registrar: User,
    center: Center,
    program: Program,
    change: dict[str, Any],
    field: str,
) -> None:
    with changes_nothing():
        response = api_as(registrar).post("/cohorts", cohort_body(program, center, **change))
    assert_error(response, 422, "invalid", fields=[field])


def test_a_cohort_missing_its_fields_is_refused_naming_each(api_as: Api, registrar: User) -> None:
    with changes_nothing():
        response = api_as(registrar).post("/cohorts", {})
    body = assert_error(
        response,
        422,
        "invalid",
        fields=["program", "center", "starts_on", "ends_on", "capacity"],
    )
    assert "capacity" in body["message"]


def test_a_cohort_of_another_networks_program_is_refused(
    api_as: Api, office: User, center: Center
) -> None:
    other = factories.make_network("other")
    foreign = catalog.create_program(
        actor=SYSTEM, network=other, slug="secret", name={"en": "Secret plans"}, topic="general"
    )
    api = api_as(office)
    with changes_nothing():
        response = api.post("/cohorts", cohort_body(foreign, center))
    body = assert_error(response, 422, "invalid", fields=["program"])
    assert "Secret plans" not in body["message"]  # a catalog you may not see stays unseen
    # The office of both networks is told why instead.
    network_services.grant_role(actor=SYSTEM, user=office, network=other, role=Role.OFFICE)
    with changes_nothing():
        response = api.post("/cohorts", cohort_body(foreign, center))
    body = assert_error(response, 422, "invalid", fields=["program"])
    assert "Secret plans" in body["message"]


def test_a_cohort_code_is_unique_at_its_center(
    api_as: Api, registrar: User, center: Center, program: Program
) -> None:
    api = api_as(registrar)
    assert api.post("/cohorts", cohort_body(program, center, code="spring")).status_code == 201
    with changes_nothing():
        response = api.post("/cohorts", cohort_body(program, center, code="spring"))
    assert_error(response, 422, "invalid", fields=["code"])


def test_a_closed_center_takes_no_new_cohort(
    api_as: Api, office: User, center: Center, program: Program
) -> None:
    api = api_as(office)
    for status in ("closing", "closed"):
        assert api.post(f"/centers/{center.pk}/status", {"status": status}).status_code == 200
    with changes_nothing():
        assert_error(api.post("/cohorts", cohort_body(program, center)), 409, "center_closed")


def test_cohort_shows_seats_held_and_waitlist_length(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    for n in range(5):
        enrolled(api, cohort, n)
    body = api.get(f"/cohorts/{cohort.pk}").json()
    assert (body["capacity"], body["seats_held"], body["seats_left"]) == (2, 2, 0)
    assert body["waitlist_length"] == 3
    listed = api.get("/cohorts").json()["items"]
    assert [(item["seats_held"], item["waitlist_length"]) for item in listed] == [(2, 3)]


def test_offered_seats_count_as_held_and_withdrawn_ones_do_not(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    first, _second, _third = (enrolled(api, cohort, n) for n in range(3))
    api.post(f"/enrollments/{first['id']}/withdraw", {})
    body = api.get(f"/cohorts/{cohort.pk}").json()
    # the second is still enrolled, the third holds an offer
    assert (body["seats_held"], body["waitlist_length"]) == (2, 0)


def test_cohorts_are_filtered_by_center_program_and_start(
    api_as: Api, office: User, center: Center, other_center: Center, program: Program
) -> None:
    other_program = factories.make_program(center.network, "marketing")
    soon = factories.make_cohort(center, program, code="soon")
    later = factories.make_cohort(
        center,
        other_program,
        code="later",
        starts_on=datetime.date(2031, 1, 10),
        ends_on=datetime.date(2031, 1, 20),
    )
    far = factories.make_cohort(other_center, program, code="far")
    api = api_as(office)

    def ids(**params: object) -> list[int]:
        return [item["id"] for item in api.get("/cohorts", **params).json()["items"]]

    assert ids() == [soon.pk, far.pk, later.pk]
    assert ids(center=center.pk) == [soon.pk, later.pk]
    assert ids(program=program.pk) == [soon.pk, far.pk]
    assert ids(starts_after="2031-01-01") == [later.pk]
    assert ids(center=other_center.pk, program=other_program.pk) == []
    assert ids(center=999999) == []
    assert_error(api.get("/cohorts", center="moscow"), 422, fields=["center"])
    assert_error(api.get("/cohorts", center=10**20), 422, fields=["center"])
    assert_error(api.get("/cohorts", starts_after="spring"), 422, fields=["starts_after"])


def test_cohort_list_is_paginated(api_as: Api, registrar: User, center: Center) -> None:
    program = factories.make_program(center.network)
    for n in range(5):
        factories.make_cohort(center, program, code=f"c-{n}")
    page = api_as(registrar).get("/cohorts", limit=2, offset=2).json()
    assert page["count"] == 5
    assert [item["code"] for item in page["items"]] == ["c-2", "c-3"]
    assert_error(api_as(registrar).get("/cohorts", limit=0), 422, fields=["limit"])


def test_registrar_of_another_center_neither_sees_nor_changes_its_cohorts(
    api_as: Api, other_registrar: User, cohort: Cohort, program: Program, center: Center
) -> None:
    api = api_as(other_registrar)
    assert api.get("/cohorts").json()["count"] == 0
    assert api.get("/cohorts", center=center.pk).json()["count"] == 0
    with changes_nothing():
        assert_error(api.get(f"/cohorts/{cohort.pk}"), 404, "not_found")
        assert_error(api.get(f"/cohorts/{cohort.pk}/sessions"), 404, "not_found")
        assert_error(api.get(f"/cohorts/{cohort.pk}/enrollments"), 404, "not_found")
        assert_error(api.post("/cohorts", cohort_body(program, center)), 404, "not_found")
        assert_error(api.patch(f"/cohorts/{cohort.pk}", {"capacity": 9}), 404, "not_found")
        session = {"starts_at": f"{cohort.starts_on}T10:00", "ends_at": f"{cohort.starts_on}T12:00"}
        assert_error(api.post(f"/cohorts/{cohort.pk}/sessions", session), 404, "not_found")
        assert_error(enroll(api, cohort, 1), 404, "not_found")


def test_a_viewer_sees_cohorts_but_cannot_change_them(
    api_as: Api, viewer: User, cohort: Cohort, program: Program, center: Center
) -> None:
    api = api_as(viewer)
    assert api.get(f"/cohorts/{cohort.pk}").status_code == 200
    assert api.get(f"/cohorts/{cohort.pk}/enrollments").status_code == 200
    with changes_nothing():
        assert_error(api.post("/cohorts", cohort_body(program, center)), 403, "forbidden")
        assert_error(api.patch(f"/cohorts/{cohort.pk}", {"capacity": 9}), 403, "forbidden")
        session = {"starts_at": f"{cohort.starts_on}T10:00", "ends_at": f"{cohort.starts_on}T12:00"}
        assert_error(api.post(f"/cohorts/{cohort.pk}/sessions", session), 403, "forbidden")
        assert_error(enroll(api, cohort, 1), 403, "forbidden")


def test_patching_a_cohort_changes_only_the_fields_sent(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    before = Cohort.objects.get(pk=cohort.pk)
    api = api_as(registrar)
    events = AuditEvent.objects.count()
    response = api.patch(
        f"/cohorts/{cohort.pk}", {"fee": "2500", "currency": "JPY", "language": "en"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["fee"], response.json()["currency"]) == ("2500", "JPY")
    after = Cohort.objects.get(pk=cohort.pk)
    assert (after.fee, after.currency, after.language) == (Decimal(2500), "JPY", "en")
    assert (after.capacity, after.starts_on, after.ends_on) == (
        before.capacity,
        before.starts_on,
        before.ends_on,
    )
    assert AuditEvent.objects.count() == events + 1


def test_patching_a_cohort_may_clear_its_application_window(
    api_as: Api, registrar: User, center: Center, program: Program
) -> None:
    cohort = factories.make_cohort(
        center, program, applications_close_at=timezone.now() + datetime.timedelta(days=3)
    )
    response = api_as(registrar).patch(f"/cohorts/{cohort.pk}", {"applications_close_at": None})
    assert response.status_code == 200, response.content
    assert response.json()["applications_close_at"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": None}, "ends_on"),
        ({"capacity": None}, "capacity"),
        ({"offer_hours": None}, "offer_hours"),
        ({"fee": None}, "fee"),
        ({"currency": None}, "currency"),
        ({"format": None}, "format"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 10**10}, "capacity"),
        ({"fee": "-5"}, "fee"),
        ({"fee": "1e15"}, "fee"),
        ({"fee": "0.5", "currency": "JPY"}, "fee"),
        ({"currency": "JPY"}, "fee"),  # with the fee of 1500.50 set below: JPY has no cents
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"offer_hours": 0}, "offer_hours"),
        ({"code": "renamed"}, "code"),  # not a field that can be changed
        ({"capcity": 30}, "capcity"),
    ],
)
def test_bad_cohort_patch_is_refused_naming_the_field(
    api_as: Api, registrar: User, cohort: Cohort, change: dict[str, Any], field: str
) -> None:
    if change == {"currency": "JPY"}:
        Cohort.objects.filter(pk=cohort.pk).update(fee=Decimal("1500.50"))
    with changes_nothing():
        response = api_as(registrar).patch(f"/cohorts/{cohort.pk}", change)
    assert_error(response, 422, "invalid", fields=[field])


def test_capacity_cannot_drop_below_the_seats_held(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    enrolled(api, cohort, 1)
    enrolled(api, cohort, 2)
    with changes_nothing():
        response = api.patch(f"/cohorts/{cohort.pk}", {"capacity": 1})
    assert_error(response, 422, "invalid", fields=["capacity"])


def test_raising_capacity_offers_the_new_seats_to_the_waiting_list(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    waiting = [enrolled(api, cohort, n) for n in range(5)][2:]
    response = api.patch(f"/cohorts/{cohort.pk}", {"capacity": 4})
    assert response.status_code == 200, response.content
    assert (response.json()["seats_held"], response.json()["waitlist_length"]) == (4, 1)
    statuses = [api.get(f"/enrollments/{e['id']}").json()["status"] for e in waiting]
    assert statuses == ["offered", "offered", "waitlisted"]


# --- sessions ------------------------------------------------------------------------------


def test_a_session_given_in_local_time_is_stored_in_utc(
    api_as: Api, registrar: User, february: Cohort, center: Center
) -> None:
    room = Room.objects.create(center=center, name="Aud. 1")
    api = api_as(registrar)
    response = api.post(
        f"/cohorts/{february.pk}/sessions",
        {
            "title": "Введение в кайдзен",
            "starts_at": "2031-02-03T10:00:00",
            "ends_at": "2031-02-03T13:00:00",
            "room": room.pk,
            "instructor": "registrar",
        },
    )
    assert response.status_code == 201, response.content
    session = Session.objects.get(pk=response.json()["id"])
    assert session.starts_at == datetime.datetime(2031, 2, 3, 7, 0, tzinfo=datetime.UTC)
    listed = api.get(f"/cohorts/{february.pk}/sessions").json()
    assert [item["local_start"] for item in listed] == ["2031-02-03T10:00:00+03:00"]
    assert listed[0]["room"] == "Aud. 1"
    assert listed[0]["title"] == "Введение в кайдзен"
    assert listed[0]["instructor"] == "registrar"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2031-02-03T09:00:00"}, "ends_at"),
        ({"ends_at": "2031-02-03T10:00:00"}, "ends_at"),
        ({"starts_at": "morning"}, "starts_at"),
        ({"title": "x" * 201}, "title"),
        ({"online_url": "not a link"}, "online_url"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"format": "telepathy"}, "format"),
        ({"instructor": "nobody"}, "instructor"),
        ({"instructor": "outsider"}, "instructor"),
        ({"room": 10**20}, "room"),
    ],
)
def test_bad_session_input_is_refused_naming_the_field(
    api_as: Api,
    registrar: User,
    outsider: User,
    february: Cohort,
    change: dict[str, Any],
    field: str,
) -> None:
    body = {"starts_at": "2031-02-03T10:00:00", "ends_at": "2031-02-03T13:00:00", **change}
    with changes_nothing():
        response = api_as(registrar).post(f"/cohorts/{february.pk}/sessions", body)
    assert_error(response, 422, "invalid", fields=[field])


def test_a_session_cannot_use_a_room_of_another_center(
    api_as: Api, registrar: User, february: Cohort, other_center: Center
) -> None:
    room = Room.objects.create(center=other_center, name="Far away")
    body = {"starts_at": "2031-02-03T10:00:00", "ends_at": "2031-02-03T13:00:00", "room": room.pk}
    with changes_nothing():
        response = api_as(registrar).post(f"/cohorts/{february.pk}/sessions", body)
    assert_error(response, 422, "invalid", fields=["room"])


# --- enrollments: first come, first served --------------------------------------------------


def test_first_come_cohort_enrolls_until_full_then_waitlists_in_order(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    events = AuditEvent.objects.count()
    answers = [enrolled(api, cohort, n) for n in range(4)]
    assert [a["status"] for a in answers] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [a["waitlist_position"] for a in answers] == [None, None, 1, 2]
    assert all(isinstance(a["id"], int) for a in answers)
    assert answers[0]["participant"]["email"] == "person0@example.org"
    assert answers[0]["cohort"] == cohort.pk
    assert AuditEvent.objects.count() == events + 4
    roster = api.get(f"/cohorts/{cohort.pk}/enrollments").json()
    assert [(e["id"], e["status"], e["waitlist_position"]) for e in roster] == [
        (answers[0]["id"], "enrolled", None),
        (answers[1]["id"], "enrolled", None),
        (answers[2]["id"], "waitlisted", 1),
        (answers[3]["id"], "waitlisted", 2),
    ]
    waiting = api.get(f"/cohorts/{cohort.pk}/enrollments", status="waitlisted").json()
    assert [e["waitlist_position"] for e in waiting] == [1, 2]
    assert api.get(f"/enrollments/{answers[3]['id']}").json()["waitlist_position"] == 2


def test_enrollment_keeps_the_participants_details(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    body = participant("x", full_name="  Иван   Петров ", company="Завод «Звезда»", position="社長")
    body["participant"]["email"] = "Ivan.Petrov@Example.ORG"
    response = api_as(registrar).post(f"/cohorts/{cohort.pk}/enrollments", body)
    assert response.status_code == 201, response.content
    assert response.json()["participant"] == {
        "id": response.json()["participant"]["id"],
        "email": "ivan.petrov@example.org",
        "full_name": "Иван Петров",
        "company": "Завод «Звезда»",
        "position": "社長",
    }


def test_withdrawal_promotes_longest_waiting(api_as: Api, registrar: User, cohort: Cohort) -> None:
    api = api_as(registrar)
    first, _second, third, fourth = (enrolled(api, cohort, n) for n in range(4))
    response = api.post(f"/enrollments/{first['id']}/withdraw", {"reason": "Moved to Osaka"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    promoted = api.get(f"/enrollments/{third['id']}").json()
    assert promoted["status"] == "offered"
    assert promoted["offer_expires_at"] is not None
    assert promoted["waitlist_position"] is None
    assert api.get(f"/enrollments/{fourth['id']}").json()["waitlist_position"] == 1
    cohort_now = api.get(f"/cohorts/{cohort.pk}").json()
    assert (cohort_now["seats_held"], cohort_now["waitlist_length"]) == (2, 1)


def test_withdrawal_promotes_longest_waiting_not_earliest_applicant(
    api_as: Api, registrar: User, review_cohort: Cohort
) -> None:
    """Waiting time counts from joining the list, not from applying."""
    api = api_as(registrar)
    holder, early, late = (enrolled(api, review_cohort, n) for n in range(3))
    assert api.post(f"/enrollments/{holder['id']}/accept", {}).json()["status"] == "offered"
    # the later applicant is put on the list first
    assert api.post(f"/enrollments/{late['id']}/waitlist", {}).json()["waitlist_position"] == 1
    assert api.post(f"/enrollments/{early['id']}/waitlist", {}).json()["waitlist_position"] == 2
    api.post(f"/enrollments/{holder['id']}/withdraw", {})
    assert api.get(f"/enrollments/{late['id']}").json()["status"] == "offered"
    assert api.get(f"/enrollments/{early['id']}").json()["waitlist_position"] == 1


def test_leaving_the_waiting_list_moves_the_others_up(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    answers = [enrolled(api, cohort, n) for n in range(5)]
    api.post(f"/enrollments/{answers[2]['id']}/withdraw", {})
    assert [api.get(f"/enrollments/{a['id']}").json()["status"] for a in answers] == [
        "enrolled",
        "enrolled",
        "withdrawn",
        "waitlisted",
        "waitlisted",
    ]
    positions = [api.get(f"/enrollments/{a['id']}").json()["waitlist_position"] for a in answers]
    assert positions == [None, None, None, 1, 2]


def test_withdraw_takes_no_body_or_an_empty_one(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    first, second = enrolled(api, cohort, 1), enrolled(api, cohort, 2)
    response = api.client.post(
        f"/api/v1/enrollments/{first['id']}/withdraw",
        b"",
        content_type="application/json",
        headers=api.headers,
    )
    assert response.status_code == 200, response.content
    response = api.post(f"/enrollments/{second['id']}/withdraw")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": 5}, "reason"), ({"reason": "x" * 2001}, "reason"), ({"reson": "typo"}, "reson")],
)
def test_a_bad_reason_is_refused_naming_the_field(
    api_as: Api, registrar: User, cohort: Cohort, body: dict[str, Any], field: str
) -> None:
    api = api_as(registrar)
    answer = enrolled(api, cohort, 1)
    with changes_nothing():
        response = api.post(f"/enrollments/{answer['id']}/withdraw", body)
    assert_error(response, 422, "invalid", fields=[field])


def test_a_withdrawn_enrollment_cannot_be_withdrawn_again(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    answer = enrolled(api, cohort, 1)
    api.post(f"/enrollments/{answer['id']}/withdraw", {})
    with changes_nothing():
        response = api.post(f"/enrollments/{answer['id']}/withdraw", {})
    assert_error(response, 409, "invalid_transition")


def test_a_duplicate_application_is_refused_with_already_applied(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    enrolled(api, cohort, "twice")
    with changes_nothing():
        again = enroll(api, cohort, "twice")
        shouting = api.post(
            f"/cohorts/{cohort.pk}/enrollments",
            {"participant": {"email": "PERSONtwice@EXAMPLE.org", "full_name": "Person"}},
        )
    assert_error(again, 409, "already_applied")
    assert_error(shouting, 409, "already_applied")


def test_a_participant_who_withdrew_may_apply_again(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    first = enrolled(api, cohort, "back")
    api.post(f"/enrollments/{first['id']}/withdraw", {})
    second = enrolled(api, cohort, "back")
    assert second["status"] == "enrolled"
    assert second["participant"]["id"] == first["participant"]["id"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["participant"]),
        ({"participant": {}}, ["participant.email", "participant.full_name"]),
        ({"participant": {"email": "a@example.org"}}, ["participant.full_name"]),
        ({"participant": {"full_name": "A"}}, ["participant.email"]),
        ({"participant": "person@example.org"}, ["participant"]),
        ({"participant": {"email": 42, "full_name": "A"}}, ["participant.email"]),
        (
            {"participant": {"email": "a@example.org", "full_name": ["A"]}},
            ["participant.full_name"],
        ),
        ({"participant": {"email": "not-an-email", "full_name": "A"}}, ["participant.email"]),
        (
            {"participant": {"email": "a@example.org", "full_name": "   "}},
            ["participant.full_name"],
        ),
        ({"participant": {"email": "a@example.org", "full_name": "A" * 201}}, ["participant"]),
        ({"participant": {"email": "a@example.org", "full_name": "A\x00B"}}, ["participant"]),
        ({"participant": {"email": "a@example.org", "full_name": "A", "age": 40}}, ["participant"]),
        ({**participant(1), "motivation": "x" * 5001}, ["motivation"]),
    ],
)
def test_bad_application_is_refused_naming_the_field(
    api_as: Api, registrar: User, cohort: Cohort, body: dict[str, Any], fields: list[str]
) -> None:
    with changes_nothing():
        response = api_as(registrar).post(f"/cohorts/{cohort.pk}/enrollments", body)
    answer = assert_error(response, 422, "invalid")
    for field in fields:
        assert any(name.startswith(field) for name in answer["fields"]), answer


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        (b'{"participant": {"email": "a@example.org",', "application/json"),
        (b"participant=a@example.org", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"participant=a@example.org", "application/x-www-form-urlencoded"),
        (b"[1, 2", "text/plain"),
    ],
)
def test_a_malformed_body_is_answered_with_json_not_a_crash(
    api_as: Api, registrar: User, cohort: Cohort, payload: bytes, content_type: str
) -> None:
    api = api_as(registrar)
    with changes_nothing():
        response = api.client.post(
            f"/api/v1/cohorts/{cohort.pk}/enrollments",
            payload,
            content_type=content_type,
            headers=api.headers,
        )
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


def test_a_json_body_that_is_not_an_object_is_refused(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    with changes_nothing():
        for payload in (b"[]", b'"person@example.org"', b"null", b"42"):
            response = api.client.post(
                f"/api/v1/cohorts/{cohort.pk}/enrollments",
                payload,
                content_type="application/json",
                headers=api.headers,
            )
            assert_error(response, 422, "invalid")


def test_the_roster_filter_accepts_only_known_statuses(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    enrolled(api, cohort, 1)
    assert len(api.get(f"/cohorts/{cohort.pk}/enrollments", status="enrolled").json()) == 1
    assert api.get(f"/cohorts/{cohort.pk}/enrollments", status="offered").json() == []
    for bogus in ("accepted", "\x00"):
        assert_error(
            api.get(f"/cohorts/{cohort.pk}/enrollments", status=bogus), 422, fields=["status"]
        )


def test_a_planned_center_takes_no_applications(
    api_as: Api, office: User, network: Network, program: Program
) -> None:
    planned = factories.make_center(network, "planned", status="planned")
    cohort = factories.make_cohort(planned, program)
    with changes_nothing():
        response = enroll(api_as(office), cohort, 1)
    assert_error(response, 409, "applications_closed")


def test_unknown_cohort_or_enrollment_is_not_found(api_as: Api, office: User) -> None:
    api = api_as(office)
    with changes_nothing():
        for path in ("/cohorts/999999", f"/cohorts/{10**20}", "/enrollments/999999"):
            assert_error(api.get(path), 404, "not_found")
        assert_error(enroll(api, 999999, 1), 404, "not_found")
        assert_error(api.post("/enrollments/999999/withdraw", {}), 404, "not_found")
        assert_error(api.get("/cohorts/first"), 422, "invalid", fields=["cohort_id"])


# --- enrollments: by review --------------------------------------------------------------------


def test_review_cohort_accepts_rejects_and_confirms(
    api_as: Api, registrar: User, review_cohort: Cohort
) -> None:
    api = api_as(registrar)
    chosen, turned_down = enrolled(api, review_cohort, 1), enrolled(api, review_cohort, 2)
    assert (chosen["status"], turned_down["status"]) == ("applied", "applied")
    assert api.get(f"/cohorts/{review_cohort.pk}").json()["seats_held"] == 0

    accepted = api.post(f"/enrollments/{chosen['id']}/accept", {})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "offered"
    expires = datetime.datetime.fromisoformat(accepted.json()["offer_expires_at"])
    assert expires - timezone.now() > datetime.timedelta(hours=71)
    assert api.get(f"/cohorts/{review_cohort.pk}").json()["seats_held"] == 1

    rejected = api.post(f"/enrollments/{turned_down['id']}/reject", {"reason": "Not a fit"})
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["status"] == "rejected"
    assert Enrollment.objects.get(pk=turned_down["id"]).note == "Not a fit"

    confirmed = api.post(f"/enrollments/{chosen['id']}/confirm", {})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "enrolled"
    assert confirmed.json()["offer_expires_at"] is None
    assert api.get(f"/cohorts/{review_cohort.pk}").json()["seats_held"] == 1


def test_accepting_into_a_full_cohort_is_refused_with_cohort_full(
    api_as: Api, registrar: User, review_cohort: Cohort
) -> None:
    api = api_as(registrar)
    first, second = enrolled(api, review_cohort, 1), enrolled(api, review_cohort, 2)
    api.post(f"/enrollments/{first['id']}/accept", {})
    with changes_nothing():
        response = api.post(f"/enrollments/{second['id']}/accept", {})
    assert_error(response, 409, "cohort_full")


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("accept", "enrolled"),
        ("reject", "enrolled"),
        ("confirm", "enrolled"),
        ("accept", "offered"),
    ],
)
def test_an_action_that_does_not_fit_the_status_is_refused(
    api_as: Api, registrar: User, cohort: Cohort, review_cohort: Cohort, action: str, status: str
) -> None:
    api = api_as(registrar)
    if status == "enrolled":
        target = enrolled(api, cohort, 1)
    else:
        target = enrolled(api, review_cohort, 1)
        api.post(f"/enrollments/{target['id']}/accept", {})
    with changes_nothing():
        response = api.post(f"/enrollments/{target['id']}/{action}", {})
    assert_error(response, 409, "invalid_transition")


def test_confirming_after_the_offer_expired_is_refused_with_offer_expired(
    api_as: Api, registrar: User, review_cohort: Cohort
) -> None:
    api = api_as(registrar)
    late, waiting = enrolled(api, review_cohort, 1), enrolled(api, review_cohort, 2)
    api.post(f"/enrollments/{late['id']}/accept", {})
    api.post(f"/enrollments/{waiting['id']}/waitlist", {})
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=73)):
        response = api.post(f"/enrollments/{late['id']}/confirm", {})
        assert_error(response, 409, "offer_expired")
        # The expiry is a fact, recorded even though the request failed; the seat passed on.
        assert api.get(f"/enrollments/{late['id']}").json()["status"] == "expired"
        assert api.get(f"/enrollments/{waiting['id']}").json()["status"] == "offered"
        assert api.get(f"/cohorts/{review_cohort.pk}").json()["seats_held"] == 1


def test_confirming_just_before_the_offer_expires_succeeds(
    api_as: Api, registrar: User, review_cohort: Cohort
) -> None:
    api = api_as(registrar)
    answer = enrolled(api, review_cohort, 1)
    api.post(f"/enrollments/{answer['id']}/accept", {})
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=71)):
        response = api.post(f"/enrollments/{answer['id']}/confirm", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "enrolled"


def test_declining_an_offer_passes_the_seat_on(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    first, _second, third, fourth = (enrolled(api, cohort, n) for n in range(4))
    api.post(f"/enrollments/{first['id']}/withdraw", {})
    assert api.post(f"/enrollments/{third['id']}/decline", {}).json()["status"] == "declined"
    assert api.get(f"/enrollments/{fourth['id']}").json()["status"] == "offered"


# --- enrollments: who may do what ----------------------------------------------------------------


def test_registrar_of_another_center_cannot_see_or_move_its_enrollments(
    api_as: Api, registrar: User, other_registrar: User, review_cohort: Cohort
) -> None:
    answer = enrolled(api_as(registrar), review_cohort, 1)
    api = api_as(other_registrar)
    with changes_nothing():
        assert_error(api.get(f"/enrollments/{answer['id']}"), 404, "not_found")
        for action in ("accept", "reject", "waitlist", "confirm", "decline", "withdraw"):
            assert_error(api.post(f"/enrollments/{answer['id']}/{action}", {}), 404, "not_found")


def test_a_viewer_sees_enrollments_but_cannot_move_them(
    api_as: Api, registrar: User, viewer: User, review_cohort: Cohort, cohort: Cohort
) -> None:
    applied = enrolled(api_as(registrar), review_cohort, 1)
    seated = enrolled(api_as(registrar), cohort, 2)
    api = api_as(viewer)
    assert api.get(f"/enrollments/{applied['id']}").status_code == 200
    with changes_nothing():
        for action in ("accept", "reject", "waitlist"):
            assert_error(api.post(f"/enrollments/{applied['id']}/{action}", {}), 403, "forbidden")
        assert_error(api.post(f"/enrollments/{seated['id']}/withdraw", {}), 403, "forbidden")


def test_the_office_may_act_at_every_center(
    api_as: Api, office: User, other_center: Center, program: Program
) -> None:
    cohort = factories.make_cohort(other_center, program, capacity=1, admission="review")
    api = api_as(office)
    answer = enrolled(api, cohort, 1)
    assert api.post(f"/enrollments/{answer['id']}/accept", {}).json()["status"] == "offered"


def test_a_participant_confirms_their_own_offer_but_decides_nothing_else(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    alumna = factories.make_user("alumna")
    alumna.email_verified_at = timezone.now()  # the account has proven the address is hers
    alumna.save(update_fields=["email_verified_at"])
    api = api_as(registrar)
    holders = [enrolled(api, cohort, n) for n in range(2)]
    own = admissions.apply(
        actor=StaffActor(alumna),
        cohort=cohort,
        applicant=admissions.Applicant(email="alumna@example.org", full_name="Alumna"),
    )
    stranger = enrolled(api, cohort, 3)
    api.post(f"/enrollments/{holders[0]['id']}/withdraw", {})

    mine = api_as(alumna)
    assert mine.get(f"/enrollments/{own.pk}").json()["status"] == "offered"
    assert mine.get("/cohorts").json()["count"] == 0
    with changes_nothing():
        assert_error(mine.get(f"/enrollments/{stranger['id']}"), 404, "not_found")
        assert_error(mine.post(f"/enrollments/{stranger['id']}/withdraw", {}), 404)
        assert_error(mine.get(f"/cohorts/{cohort.pk}/enrollments"), 404, "not_found")
        assert_error(mine.post(f"/enrollments/{own.pk}/reject", {}), 403, "forbidden")
    response = mine.post(f"/enrollments/{own.pk}/confirm", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.ENROLLED


def test_nobody_withdraws_through_the_api_once_the_cohort_has_ended(
    api_as: Api, registrar: User, cohort: Cohort
) -> None:
    api = api_as(registrar)
    seated = enrolled(api, cohort, 1)
    after_the_end = cohort.ends_on + datetime.timedelta(days=2)

    with time_machine.travel(after_the_end), changes_nothing():
        response = api.post(f"/enrollments/{seated['id']}/withdraw", {"reason": "Too late"})

    body = assert_error(response, 409, "invalid_transition")
    assert "has ended" in body["message"]


def test_an_application_through_the_api_mails_the_applicant_a_link_to_their_page(
    api_as: Api, registrar: User, cohort: Cohort, settings: Any
) -> None:
    settings.KAKEHASHI_BASE_URL = "https://kakehashi.example.org"

    enrolled(api_as(registrar), cohort, "mailed")

    [mail] = OutgoingEmail.objects.filter(to="personmailed@example.org")
    assert "https://kakehashi.example.org/me/" in mail.body

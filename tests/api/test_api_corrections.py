"""Correcting centers and programs through the API."""

from kakehashi.core.models import AuditEvent
from tests import factories
from tests.factories import SYSTEM


def test_a_center_manager_adds_a_japanese_name_without_losing_the_others(api_as, center, network):
    from kakehashi.network.services import grant_role

    manager = factories.make_user("manager")
    grant_role(actor=SYSTEM, user=manager, network=network, role="manager", center=center)

    response = api_as(manager).patch(f"/centers/{center.pk}", {"name": {"ja": "モスクワ"}})

    assert response.status_code == 200, response.content
    assert response.json()["names"] == {"en": "Center moscow", "ru": "", "ja": "モスクワ"}


def test_a_registrar_of_another_center_cannot_see_it_to_correct_it(api_as, center, other_registrar):
    response = api_as(other_registrar).patch(f"/centers/{center.pk}", {"name": {"en": "X"}})
    assert response.status_code == 404
    center.refresh_from_db()
    assert center.name_en == "Center moscow"


def test_a_registrar_cannot_correct_their_own_center(api_as, center, registrar):
    api = api_as(registrar)
    before = AuditEvent.objects.count()
    response = api.patch(f"/centers/{center.pk}", {"timezone": "Asia/Tokyo"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert AuditEvent.objects.count() == before


def test_an_unknown_time_zone_is_named(api_as, center, office):
    response = api_as(office).patch(f"/centers/{center.pk}", {"timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "timezone" in response.json()["fields"]


def test_the_office_retires_a_program(api_as, network, office):
    program = factories.make_program(network, "kaizen")
    factories.make_center(network)  # the office sees the catalog of its network

    response = api_as(office).patch(f"/programs/{program.pk}", {"is_active": False, "hours": 40})

    assert response.status_code == 200, response.content
    assert (response.json()["is_active"], response.json()["hours"]) == (False, 40)


def test_a_program_cannot_lose_its_english_name(api_as, network, office, center):
    program = factories.make_program(network)
    response = api_as(office).patch(f"/programs/{program.pk}", {"name": {"en": ""}})
    assert response.status_code == 422
    assert "name" in response.json()["fields"]

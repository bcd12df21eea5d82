from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from kakehashi import settings as project_settings
from kakehashi.core.models import ApiToken, User
from kakehashi.core.roles import Role
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Network
from tests import factories


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher() -> Iterator[None]:
    """Hash passwords with MD5 in tests: argon2 is slow on purpose, and tests create many
    users (the demo alone, dozens). The tests that are about hashing ask for
    ``production_hashers``."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def production_hashers(fast_password_hasher: None) -> Iterator[None]:
    """The password hashers the project runs with, argon2 first."""
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        yield


@pytest.fixture
def network(db: None) -> Network:
    return factories.make_network()


@pytest.fixture
def center(network: Network) -> Center:
    return factories.make_center(network, "moscow")


@pytest.fixture
def other_center(network: Network) -> Center:
    return factories.make_center(network, "vladivostok", tz="Asia/Vladivostok")


def _staff(username: str, network: Network, role: str, center: Center | None) -> User:
    user = factories.make_user(username)
    network_services.grant_role(actor=None, user=user, network=network, role=role, center=center)
    return user


@pytest.fixture
def office(network: Network) -> User:
    """Network office: sees and runs every center."""
    return _staff("office", network, Role.OFFICE, None)


@pytest.fixture
def registrar(network: Network, center: Center) -> User:
    """Registrar of the Moscow center only."""
    return _staff("registrar", network, Role.REGISTRAR, center)


@pytest.fixture
def other_registrar(network: Network, other_center: Center) -> User:
    """Registrar of the Vladivostok center only."""
    return _staff("other_registrar", network, Role.REGISTRAR, other_center)


@pytest.fixture
def viewer(network: Network, center: Center) -> User:
    return _staff("viewer", network, Role.VIEWER, center)


@pytest.fixture
def outsider(db: None) -> User:
    return factories.make_user("outsider")


class ApiClient:
    """A client that speaks JSON to /api/v1 with a bearer token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {}
        if user is not None:
            _token, raw = ApiToken.issue(user=user)
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **params: object):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: object = None):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/api/v1{path}",
            body if body is not None else {},
            content_type="application/json",
            headers=self.headers,
        )

    def patch(self, path: str, body: object):  # type: ignore[no-untyped-def]
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_as():  # type: ignore[no-untyped-def]
    return ApiClient

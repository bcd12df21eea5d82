"""What every test may ask for: the personas, the clients, the job queue, a fast hasher.

The personas are the people the permission rules are about: the network office, and at the
Moscow center its manager, registrar, instructor, finance and a viewer; the registrar of
another center (Vladivostok); a user with no role anywhere; and nobody logged in.
"""

from collections.abc import Callable, Iterator

import pytest
from django.test import override_settings

from kakehashi import settings as project_settings
from kakehashi.core.models import User
from kakehashi.core.roles import Role
from kakehashi.network import services as network_services
from kakehashi.network.models import Center, Network
from tests import factories
from tests.factories import SYSTEM
from tests.support.clients import ApiClient, PageClient, page_client

pytest_plugins = ["tests.support.jobs"]


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
    network_services.grant_role(actor=SYSTEM, user=user, network=network, role=role, center=center)
    return user


@pytest.fixture
def office(network: Network) -> User:
    """Network office: sees and runs every center."""
    return _staff("office", network, Role.OFFICE, None)


@pytest.fixture
def manager(network: Network, center: Center) -> User:
    """Manager of the Moscow center only."""
    return _staff("manager", network, Role.MANAGER, center)


@pytest.fixture
def registrar(network: Network, center: Center) -> User:
    """Registrar of the Moscow center only."""
    return _staff("registrar", network, Role.REGISTRAR, center)


@pytest.fixture
def instructor(network: Network, center: Center) -> User:
    """Instructor at the Moscow center."""
    return _staff("instructor", network, Role.INSTRUCTOR, center)


@pytest.fixture
def finance(network: Network, center: Center) -> User:
    """Finance staff of the Moscow center."""
    return _staff("finance", network, Role.FINANCE, center)


@pytest.fixture
def other_registrar(network: Network, other_center: Center) -> User:
    """Registrar of the Vladivostok center only."""
    return _staff("other_registrar", network, Role.REGISTRAR, other_center)


@pytest.fixture
def viewer(network: Network, center: Center) -> User:
    """Reads the Moscow center's pages and changes nothing."""
    return _staff("viewer", network, Role.VIEWER, center)


@pytest.fixture
def outsider(db: None) -> User:
    """Logged in, with no role anywhere."""
    return factories.make_user("outsider")


@pytest.fixture
def client() -> PageClient:
    """The page tests' browser: CSRF checks enforced, the token sent with every post."""
    return page_client()


@pytest.fixture
def anonymous() -> PageClient:
    """A browser with nobody logged in."""
    return page_client()


@pytest.fixture
def page_as() -> Callable[[User | None], PageClient]:
    """A browser logged in as the given persona (``page_as(registrar)``)."""
    return page_client


@pytest.fixture
def api_as() -> type[ApiClient]:
    """An API caller with a bearer token of the given persona (``api_as(registrar)``)."""
    return ApiClient

"""One certificate per completion, and one key per network, under concurrent workers.

Each race first runs with a slow step injected where a missing guard would leave a window
(signing the credential, generating a key). The tests at the end take the guards out and
show that the same races then break, so the guards proven here are the ones doing the work.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection

from kakehashi.admissions import services as admissions
from kakehashi.admissions.models import Enrollment
from kakehashi.admissions.signals import enrollment_completed
from kakehashi.credentials import keys, services
from kakehashi.credentials.models import Certificate, SigningKey
from kakehashi.credentials.receivers import issue_certificate_on_completion
from kakehashi.network.models import Center, Network
from tests import factories
from tests.credentials.conftest import enroll, make_program, running_cohort
from tests.factories import SYSTEM
from tests.support.race import race

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

THREADS = 12


@pytest.fixture
def slow_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: signing a credential and making a key take a while, as on a loaded
    server, between "is there one already?" and "save mine"."""
    real_sign = services.openbadges.sign
    real_generate = keys.generate_private_key

    def slow_sign(claims: dict[str, Any], key: SigningKey) -> str:
        time.sleep(0.02)
        return real_sign(claims, key)

    def slow_generate() -> Any:
        time.sleep(0.05)
        return real_generate()

    monkeypatch.setattr(services.openbadges, "sign", slow_sign)
    monkeypatch.setattr(keys, "generate_private_key", slow_generate)


@pytest.fixture
def completed_without_certificate(center: Center) -> Iterator[Enrollment]:
    """A completion whose certificate is still to be issued (as after a crash between the
    two, before they shared a transaction): the receiver is out while it completes."""
    enrollment = enroll(running_cohort(center), "anna")
    enrollment_completed.disconnect(dispatch_uid="credentials.issue_certificate")
    try:
        admissions.complete(actor=SYSTEM, enrollment=enrollment)
    finally:
        enrollment_completed.connect(
            issue_certificate_on_completion,
            sender=Enrollment,
            dispatch_uid="credentials.issue_certificate",
        )
    yield enrollment


@pytest.fixture
def without_guards(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Take the guards out: no network row lock before making a key, no look for an
    existing certificate, and plain deferred transactions on SQLite."""

    def no_lock(queryset: Any, **lookup: Any) -> Any:
        return queryset.get(**lookup)

    monkeypatch.setattr(keys, "lock_row", no_lock)
    monkeypatch.setattr(services, "_existing", lambda enrollment_id: None)
    options = connection.settings_dict.setdefault("OPTIONS", {})
    previous = options.get("transaction_mode")
    if connection.vendor == "sqlite":
        options["transaction_mode"] = "DEFERRED"
    yield
    if connection.vendor == "sqlite":
        options["transaction_mode"] = previous


def test_workers_racing_to_issue_one_certificate_all_get_the_same_one(
    completed_without_certificate: Enrollment, slow_signing: None
):
    enrollment = completed_without_certificate

    outcome = race(
        THREADS, lambda i: services.issue_certificate(actor=SYSTEM, enrollment=enrollment)
    )

    assert outcome.crashes == [] and outcome.refusals == []
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert {certificate.number for certificate in outcome.results} == {
        Certificate.objects.get().number
    }


def test_completing_twice_at_once_gives_one_completion_and_one_certificate(
    center: Center, slow_signing: None
):
    enrollment = enroll(running_cohort(center), "anna")

    outcome = race(THREADS, lambda i: admissions.complete(actor=SYSTEM, enrollment=enrollment))

    assert outcome.crashes == []
    assert len(outcome.results) == 1 and len(outcome.refusals) == THREADS - 1
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


def first_completions_across_the_network(network: Network) -> list[Enrollment]:
    """An enrolled participant at each of THREADS centers: neither a cohort's lock nor a
    center's audit chain orders their completions, only the key's own guard does."""
    program = make_program(network)
    return [
        enroll(running_cohort(factories.make_center(network, f"city-{i}"), program), f"p{i}")
        for i in range(THREADS)
    ]


def test_a_networks_first_certificates_at_once_make_one_key(network: Network, slow_signing: None):
    enrollments = first_completions_across_the_network(network)

    outcome = race(THREADS, lambda i: admissions.complete(actor=SYSTEM, enrollment=enrollments[i]))

    assert outcome.crashes == [] and outcome.refusals == []
    key = SigningKey.objects.get()
    assert Certificate.objects.count() == THREADS
    assert set(Certificate.objects.values_list("key", flat=True)) == {key.pk}


# --- the guards have teeth -------------------------------------------------------------------


def test_without_the_network_lock_first_certificates_crash_or_make_two_keys(
    network: Network, slow_signing: None, without_guards: None
):
    enrollments = first_completions_across_the_network(network)

    outcome = race(THREADS, lambda i: admissions.complete(actor=SYSTEM, enrollment=enrollments[i]))

    if connection.vendor == "sqlite":
        # Deferred transactions read, then fail to upgrade to a write: the registrar would
        # see a 500 ("database is locked") instead of a completion.
        assert any(isinstance(error, OperationalError) for error in outcome.crashes)
    else:
        # Without the lock, workers each make a key; the one-active-key index refuses all
        # but one, and their completions fail.
        assert outcome.crashes or SigningKey.objects.count() > 1


def test_without_looking_for_the_existing_certificate_racing_issuers_crash(
    completed_without_certificate: Enrollment, slow_signing: None, without_guards: None
):
    enrollment = completed_without_certificate

    outcome = race(
        THREADS, lambda i: services.issue_certificate(actor=SYSTEM, enrollment=enrollment)
    )

    assert outcome.crashes
    # The one-to-one index still keeps the promise of one certificate per completion.
    assert Certificate.objects.filter(enrollment=enrollment).count() <= 1

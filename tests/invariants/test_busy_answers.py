"""When changes queue up for one cohort, every request gets its answer or a clear "busy,
try again" (503 with Retry-After), never a 500; and seats still never exceed capacity.

Forty threads post enrollments to one cohort through the API while each seat count is
slowed down, with a short busy timeout on SQLite and a short lock timeout on PostgreSQL,
so that some requests must give up waiting.
"""

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kakehashi.admissions import services
from kakehashi.catalog.models import Cohort
from kakehashi.core.locking import lock_row
from kakehashi.core.models import ApiToken
from tests import factories
from tests.core.test_locking import held_elsewhere

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

THREADS = 40
CAPACITY = 5


@pytest.fixture
def short_waits(settings: Any) -> Iterator[None]:
    """100 ms to wait for a lock: PostgreSQL's lock timeout, SQLite's busy timeout."""
    settings.KAKEHASHI_LOCK_TIMEOUT_MS = 100
    options = connection.settings_dict.setdefault("OPTIONS", {})
    previous = options.get("timeout")
    if connection.vendor == "sqlite":
        options["timeout"] = 0.1
        connection.close()
    yield
    if connection.vendor == "sqlite":
        options["timeout"] = previous
        connection.close()


@pytest.fixture
def slow_seat_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each decision holds the cohort for 30 ms, as on a loaded server."""
    real = services.seats_held

    def slow(cohort: Cohort) -> int:
        held = real(cohort)
        time.sleep(0.03)
        return held

    monkeypatch.setattr(services, "seats_held", slow)


def test_forty_enrollments_at_once_get_201_or_a_clear_503_and_never_overbook(
    center, registrar, short_waits, slow_seat_counts
):
    cohort = factories.make_cohort(center, capacity=CAPACITY)
    _token, raw = ApiToken.issue(user=registrar)
    answers: list[tuple[int, str, dict[str, Any]]] = []
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()

    def post(i: int) -> None:
        close_old_connections()
        try:
            client = Client(raise_request_exception=False)
            body = {
                "participant": {
                    "email": f"person{i}@example.org",
                    "full_name": f"Person {i}",
                    "company": "Test LLC",
                    "position": "Director",
                }
            }
            barrier.wait()
            response = client.post(
                f"/api/v1/cohorts/{cohort.pk}/enrollments",
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {raw}"},
            )
            with lock:
                answers.append(
                    (response.status_code, response.get("Retry-After", ""), response.json())
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(answers) == THREADS
    statuses = sorted({status for status, _retry, _body in answers})
    assert statuses == [201, 503], statuses  # some waited too long, none crashed
    for status, retry_after, body in answers:
        if status == 503:
            assert retry_after == "2"
            assert body["code"] == "busy" and "try again" in body["message"]
    cohort.refresh_from_db()
    assert services.seats_held(cohort) <= CAPACITY
    enrolled = [body for status, _retry, body in answers if status == 201]
    assert sum(body["status"] == "enrolled" for body in enrolled) == min(CAPACITY, len(enrolled))


def test_a_page_whose_cohort_is_busy_says_so_in_the_visitors_language(center, short_waits):
    cohort = factories.make_cohort(center, capacity=CAPACITY)
    client = Client(raise_request_exception=False)
    url = reverse("portal:apply", args=[cohort.pk])
    assert client.get(url).status_code == 200

    def take() -> object:
        if connection.vendor == "sqlite":  # BEGIN IMMEDIATE holds the whole database
            return Cohort.objects.filter(pk=cohort.pk).update(capacity=CAPACITY)
        return lock_row(Cohort.objects.all(), pk=cohort.pk)

    with held_elsewhere(take):
        response = client.post(
            url,
            {
                "full_name": "Anna Petrova",
                "email": "anna@example.org",
                "company": "Volga Bearings",
                "position": "Production director",
            },
            headers={"Accept-Language": "en"},
        )
    translation.activate("en")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "Nothing was changed; please try again in a moment." in response.content.decode()
    with transaction.atomic():  # and nothing was written
        assert not cohort.enrollments.exists()

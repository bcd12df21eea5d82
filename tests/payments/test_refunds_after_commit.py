"""Card refunds after commit: the provider is asked by a job, with no database lock held,
and each refund is settled once, whether the job or the provider's webhook tells first."""

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from huey.contrib.djhuey import HUEY

from kakehashi.admissions.models import Status
from kakehashi.core.actors import StaffActor
from kakehashi.payments import card_refunds, providers, services
from kakehashi.payments.models import CardRefund, Entry, Kind
from kakehashi.payments.services.refunds import RefundTooLarge
from tests import factories
from tests.payments.conftest import open_account
from tests.payments.test_stripe import card_payment, charge_refunded, post_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(center, stripe):  # type: ignore[no-untyped-def]
    return open_account(center, "14000", "RUB")


@pytest.fixture(autouse=True)
def empty_queue() -> Any:
    """The refund's job is queued after commit; no consumer runs here, so drop it after."""
    yield
    HUEY.flush()


def refunds_at_stripe(stripe: Any) -> list[Any]:
    return [r for r in stripe.requests if r.path == "/v1/refunds"]


class Outage:
    """The card provider answers 500 to the next ``n`` refund requests, doing nothing."""

    def __init__(self, stripe: Any, n: int) -> None:
        self.left = n
        real = stripe.handle

        def handle(method: str, path: str, key: str, params: dict[str, str]) -> Any:
            if path == "/v1/refunds" and self.left > 0:
                self.left -= 1
                return 500, {"error": {"type": "api_error", "message": "try later"}}
            return real(method, path, key, params)

        stripe.handle = handle


def test_a_card_refund_is_pending_until_the_provider_is_asked_after_commit(
    account, stripe, registrar
):
    payment = card_payment(account, stripe)

    pending = services.refund(
        actor=StaffActor(registrar), payment=payment, amount="4000", reason="Missed"
    )

    assert isinstance(pending, CardRefund) and pending.status == CardRefund.Status.PENDING
    assert refunds_at_stripe(stripe) == []
    assert not payment.refunds.exists()  # the ledger has no refund until the provider's
    assert services.refundable(payment) == Decimal("10000")  # but the money is spoken for
    with pytest.raises(RefundTooLarge):
        services.refund(
            actor=StaffActor(registrar), payment=payment, amount="10001", reason="Twice"
        )

    assert card_refunds.send(pending.pk) == CardRefund.Status.REFUNDED
    [entry] = payment.refunds.all()
    assert (entry.amount, entry.kind) == (Decimal("4000"), Kind.REFUND)
    assert services.refundable(payment) == Decimal("10000")


def test_a_provider_failure_leaves_the_refund_pending_and_a_retry_completes_it_once(
    account, stripe, registrar
):
    payment = card_payment(account, stripe)
    pending = services.refund(actor=StaffActor(registrar), payment=payment, reason="Withdrew")
    Outage(stripe, 3)  # the client library's own retries all fail too

    with pytest.raises(providers.ProviderError):
        card_refunds.send(pending.pk)
    pending.refresh_from_db()
    assert (pending.status, pending.attempts) == (CardRefund.Status.PENDING, 1)
    assert not payment.refunds.exists()

    assert card_refunds.send(pending.pk) == CardRefund.Status.REFUNDED
    assert card_refunds.send(pending.pk) == CardRefund.Status.REFUNDED  # a late duplicate job

    assert len(stripe.refunds) == 1
    assert payment.refunds.count() == 1
    assert len({r.idempotency_key for r in refunds_at_stripe(stripe)}) == 1
    post_event(charge_refunded(account, event_id="evt_late", refunded=1400000))
    assert payment.refunds.count() == 1


def test_the_webhook_may_confirm_a_pending_refund_before_the_job_hears_back(
    account, stripe, registrar
):
    payment = card_payment(account, stripe)
    pending = services.refund(
        actor=StaffActor(registrar), payment=payment, amount="4000", reason="Missed"
    )

    post_event(charge_refunded(account, event_id="evt_first", refunded=400000))

    pending.refresh_from_db()
    assert pending.status == CardRefund.Status.REFUNDED
    assert payment.refunds.get().amount == Decimal("4000")
    assert card_refunds.send(pending.pk) == CardRefund.Status.REFUNDED
    assert refunds_at_stripe(stripe) == []  # settled: the job had nothing left to ask
    assert payment.refunds.count() == 1


def test_after_too_many_failures_the_refund_fails_and_its_amount_is_free_again(
    account, stripe, registrar, monkeypatch
):
    # Two attempts, not the real number: each one waits out the client library's own
    # retries (about a second), which this test does not need to repeat.
    monkeypatch.setattr(card_refunds, "MAX_ATTEMPTS", 2)
    payment = card_payment(account, stripe)
    pending = services.refund(actor=StaffActor(registrar), payment=payment, reason="Withdrew")
    Outage(stripe, 3 * card_refunds.MAX_ATTEMPTS)

    for _attempt in range(card_refunds.MAX_ATTEMPTS - 1):
        with pytest.raises(providers.ProviderError):
            card_refunds.send(pending.pk)
    assert card_refunds.send(pending.pk) == CardRefund.Status.FAILED

    assert not payment.refunds.exists()
    assert services.refundable(payment) == payment.amount


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_hanging_provider_holds_no_lock_an_enrollment_at_the_center_completes_meanwhile(
    center, stripe, registrar
):
    account = open_account(center, "14000", "RUB")
    payment = card_payment(account, stripe)
    asked, answer = threading.Event(), threading.Event()
    real = stripe.handle

    def hang(method: str, path: str, key: str, params: dict[str, str]) -> Any:
        if path == "/v1/refunds":
            asked.set()
            answer.wait(20)
        return real(method, path, key, params)

    stripe.handle = hang
    pending = services.refund(actor=StaffActor(registrar), payment=payment, reason="Withdrew")
    outcome: list[str] = []

    def job() -> None:
        try:
            outcome.append(card_refunds.send(pending.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=job)
    worker.start()
    try:
        assert asked.wait(10)
        # Same center, same ledger and audit chain: a paid enrollment locks the center's
        # document counters and its chain, which a lock held across the call would block.
        cohort = factories.make_cohort(center, fee=Decimal("1000"))
        started = time.monotonic()
        enrollment = factories.apply(cohort)
        assert enrollment.status == Status.ENROLLED
        assert time.monotonic() - started < 5
        assert worker.is_alive()  # the provider is still hanging
    finally:
        answer.set()
        worker.join(20)

    assert outcome == [CardRefund.Status.REFUNDED]
    assert Entry.objects.filter(refund_of=payment, kind=Kind.REFUND).count() == 1

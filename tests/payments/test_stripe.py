"""Card payments through Stripe: signed webhooks, recorded once and in any order;
outgoing calls with idempotency keys, against a local Stripe double."""

import json
import time
from decimal import Decimal

import pytest
import stripe as stripe_library
from django.test import Client

from kakehashi.core.actors import StaffActor
from kakehashi.payments import card_refunds, providers, services, webhooks
from kakehashi.payments.models import CardCheckout, CardRefund, Kind, Method, WebhookEvent
from tests.payments.conftest import WEBHOOK_SECRET, open_account, snapshot

pytestmark = pytest.mark.django_db

URL = "/payments/webhooks/stripe/"


def signed_header(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    timestamp = int(time.time()) if at is None else at
    return f"t={timestamp},v1={webhooks.sign(payload, secret, timestamp)}"


def post_event(event: dict, **signing: object):  # type: ignore[no-untyped-def]
    payload = json.dumps(event).encode()
    return Client().post(
        URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signed_header(payload, **signing)},  # type: ignore[arg-type]
    )


def completed(account, *, event_id="evt_1", intent="pi_1", amount=1400000) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": event_id,
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_test_1",
                "object": "checkout.session",
                "client_reference_id": str(account.pk),
                "metadata": {"kakehashi_account": str(account.pk)},
                "payment_intent": intent,
                "payment_status": "paid",
                "amount_total": amount,
            }
        },
    }


def charge_refunded(account, *, event_id="evt_2", intent="pi_1", amount=1400000, refunded=0):  # type: ignore[no-untyped-def]
    return {
        "id": event_id,
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": intent,
                "amount": amount,
                "amount_refunded": refunded,
                "metadata": {"kakehashi_account": str(account.pk)},
            }
        },
    }


@pytest.fixture
def account(center, stripe):  # type: ignore[no-untyped-def]
    return open_account(center, "14000", "RUB")


# --- signatures ----------------------------------------------------------------------------


def test_our_signature_is_the_one_stripe_documents_and_its_library_accepts():
    payload = b'{"id": "evt_1", "object": "event"}'
    header = signed_header(payload)
    # Stripe's own library verifies what we sign, and we verify what it would.
    event = stripe_library.Webhook.construct_event(payload.decode(), header, WEBHOOK_SECRET)
    assert event["id"] == "evt_1"
    timestamp = int(time.time())
    theirs = stripe_library.WebhookSignature._compute_signature(
        f"{timestamp}.{payload.decode()}", WEBHOOK_SECRET
    )
    webhooks.verify(payload, f"t={timestamp},v1=00ff,v1={theirs}", WEBHOOK_SECRET)


@pytest.mark.parametrize(
    "tamper",
    ["wrong secret", "stale", "future", "edited payload", "no header", "no v1", "bad time"],
)
def test_a_wrong_or_stale_signature_is_refused_and_changes_nothing(account, tamper):
    payload = json.dumps(completed(account)).encode()
    now = int(time.time())
    header = {
        "wrong secret": signed_header(payload, secret="whsec_other"),
        "stale": signed_header(payload, at=now - 301),
        "future": signed_header(payload, at=now + 301),
        "edited payload": signed_header(payload.replace(b"1400000", b"1")),
        "no header": "",
        "no v1": f"t={now}",
        "bad time": f"t=soon,v1={webhooks.sign(payload, WEBHOOK_SECRET, now)}",
    }[tamper]
    before = snapshot()
    response = Client().post(
        URL, payload, content_type="application/json", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400
    assert snapshot() == before
    assert not WebhookEvent.objects.exists()


def test_a_signature_just_within_the_tolerance_is_accepted(account):
    assert post_event(completed(account), at=int(time.time()) - 290).status_code == 200


def test_without_a_configured_secret_every_event_is_refused(account, settings):
    settings.KAKEHASHI_STRIPE_WEBHOOK_SECRET = ""
    assert post_event(completed(account)).status_code == 400


def test_a_malformed_event_is_a_clear_400_not_a_500(account):
    payload = b"not json"
    response = Client().post(
        URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signed_header(payload)},
    )
    assert response.status_code == 422


# --- recorded once, in any order -------------------------------------------------------------


def test_a_completed_checkout_records_the_card_payment(account):
    response = post_event(completed(account))

    assert response.status_code == 200 and response.json() == {"outcome": "processed"}
    payment = account.entries.get(kind=Kind.PAYMENT)
    assert (payment.amount, payment.method, payment.external_reference) == (
        Decimal("14000.00"),
        Method.CARD,
        "pi_1",
    )
    assert services.balance_of(account).state == "paid"


def test_an_event_delivered_twice_is_recorded_once(account):
    assert post_event(completed(account)).json() == {"outcome": "processed"}
    assert post_event(completed(account)).json() == {"outcome": "duplicate"}
    assert account.entries.filter(kind=Kind.PAYMENT).count() == 1
    assert WebhookEvent.objects.count() == 1


def test_two_events_about_the_same_payment_record_it_once(account):
    post_event(completed(account, event_id="evt_a"))
    event = completed(account, event_id="evt_b")
    event["type"] = "checkout.session.async_payment_succeeded"
    post_event(event)
    assert account.entries.filter(kind=Kind.PAYMENT).count() == 1


def test_a_refund_arriving_before_the_payment_is_still_right(account):
    post_event(charge_refunded(account, event_id="evt_r", refunded=400000))
    post_event(completed(account, event_id="evt_c"))
    post_event(charge_refunded(account, event_id="evt_r2", refunded=300000))  # older, late

    payment = account.entries.get(kind=Kind.PAYMENT)
    assert payment.amount == Decimal("14000")
    assert [r.amount for r in payment.refunds.all()] == [Decimal("4000")]
    assert services.balance_of(account).due == Decimal("4000")


def test_cumulative_refunds_are_recorded_as_their_differences(account):
    post_event(completed(account))
    post_event(charge_refunded(account, event_id="evt_r1", refunded=100000))
    post_event(charge_refunded(account, event_id="evt_r2", refunded=1400000))
    payment = account.entries.get(kind=Kind.PAYMENT)
    assert sorted(r.amount for r in payment.refunds.all()) == [Decimal("1000"), Decimal("13000")]


def test_an_event_whose_effect_fails_is_not_stored_so_a_redelivery_applies_it(account, monkeypatch):
    real = services.write_entry

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away mid-event")

    monkeypatch.setattr(services, "write_entry", broken)
    with pytest.raises(RuntimeError):
        webhooks.handle(json.dumps(completed(account)).encode())
    assert not WebhookEvent.objects.exists()

    monkeypatch.setattr(services, "write_entry", real)
    assert webhooks.handle(json.dumps(completed(account)).encode()) == "processed"
    assert account.entries.filter(kind=Kind.PAYMENT).count() == 1


def test_events_of_other_kinds_are_acknowledged_and_ignored(account):
    event = {"id": "evt_x", "type": "customer.created", "data": {"object": {}}}
    assert post_event(event).json() == {"outcome": "ignored"}
    assert not WebhookEvent.objects.exists()


# --- outgoing calls with idempotency keys ----------------------------------------------------


def test_checkout_is_opened_with_an_idempotency_key(account, stripe):
    page = providers.start_card_checkout(
        account=account, success_url="https://x.test/ok", cancel_url="https://x.test/back"
    )
    [request] = stripe.requests
    assert request.path == "/v1/checkout/sessions"
    assert request.idempotency_key.startswith(f"kakehashi-checkout-{account.pk}-")
    assert request.params["line_items[0][price_data][unit_amount]"] == "1400000"
    assert request.params["line_items[0][price_data][currency]"] == "rub"
    assert request.params["metadata[kakehashi_account]"] == str(account.pk)
    assert page.url == stripe.sessions[page.session_id]["url"]


def test_a_lost_answer_is_retried_with_the_same_key_and_opens_one_session(account, stripe):
    stripe.lose_next_answers = 1

    page = providers.start_card_checkout(
        account=account, success_url="https://x.test/ok", cancel_url="https://x.test/back"
    )

    assert len(stripe.requests) == 2  # the library retried
    assert stripe.requests[0].idempotency_key == stripe.requests[1].idempotency_key
    assert len(stripe.sessions) == 1  # and the server's dedup made it one session
    assert CardCheckout.objects.get().session_id == page.session_id


def test_a_second_click_reopens_the_same_page(account, stripe):
    first = providers.start_card_checkout(
        account=account, success_url="https://x.test/ok", cancel_url="https://x.test/b"
    )
    CardCheckout.objects.all().delete()  # even if our record of it were lost
    second = providers.start_card_checkout(
        account=account, success_url="https://x.test/ok", cancel_url="https://x.test/b"
    )
    assert first == second
    assert len(stripe.sessions) == 1
    assert stripe.requests[0].idempotency_key == stripe.requests[1].idempotency_key


def test_yen_go_to_stripe_without_minor_units(center, stripe):
    account = open_account(center, "30000", "JPY")
    providers.start_card_checkout(
        account=account, success_url="https://x.test/ok", cancel_url="https://x.test/b"
    )
    assert stripe.requests[0].params["line_items[0][price_data][unit_amount]"] == "30000"


def card_payment(account, stripe, amount_minor=1400000):  # type: ignore[no-untyped-def]
    stripe.charges["pi_1"] = amount_minor
    post_event(completed(account, amount=amount_minor))
    return account.entries.get(kind=Kind.PAYMENT)


def test_a_card_refund_goes_back_through_stripe_with_an_idempotency_key(account, stripe, registrar):
    payment = card_payment(account, stripe)

    pending = services.refund(
        actor=StaffActor(registrar), payment=payment, amount="2500.50", reason="Missed"
    )
    assert not [r for r in stripe.requests if r.path == "/v1/refunds"]  # not under the lock
    card_refunds.send(pending.pk)

    [request] = [r for r in stripe.requests if r.path == "/v1/refunds"]
    assert request.params == {
        "payment_intent": "pi_1",
        "amount": "250050",
        "metadata[reason]": "Missed",
    }
    assert request.idempotency_key == f"kakehashi-refund-{payment.pk}-1-250050"
    refund = payment.refunds.get()
    assert (refund.amount, refund.method, refund.external_reference) == (
        Decimal("2500.50"),
        Method.CARD,
        next(iter(stripe.refunds)),
    )
    # Stripe's own event about the same refund changes nothing more.
    post_event(charge_refunded(account, event_id="evt_r", refunded=250050))
    assert payment.refunds.count() == 1


def test_a_refund_retried_after_our_transaction_failed_refunds_once(
    account, stripe, registrar, monkeypatch
):
    payment = card_payment(account, stripe)
    pending = services.refund(
        actor=StaffActor(registrar), payment=payment, amount="1000", reason="x"
    )
    real = services.write_entry

    def fail_after_the_provider(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("crashed after Stripe refunded")

    monkeypatch.setattr(services, "write_entry", fail_after_the_provider)
    with pytest.raises(RuntimeError):
        card_refunds.send(pending.pk)
    monkeypatch.setattr(services, "write_entry", real)
    assert not payment.refunds.exists()

    card_refunds.send(pending.pk)

    keys = [r.idempotency_key for r in stripe.requests if r.path == "/v1/refunds"]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert len(stripe.refunds) == 1  # one refund at Stripe
    assert payment.refunds.count() == 1  # and one in the ledger


def test_a_refund_stripe_refuses_records_no_refund_and_stays_pending(account, stripe, registrar):
    payment = card_payment(account, stripe)
    stripe.charges["pi_1"] = 100  # Stripe thinks less was charged
    pending = services.refund(
        actor=StaffActor(registrar), payment=payment, amount="14000", reason="x"
    )
    before = snapshot()
    with pytest.raises(providers.ProviderError):
        card_refunds.send(pending.pk)
    assert snapshot() == before
    pending.refresh_from_db()
    assert (pending.status, pending.attempts) == (CardRefund.Status.PENDING, 1)

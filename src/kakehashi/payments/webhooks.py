"""Stripe's webhooks: verified by signature, recorded once, correct in any order.

Signature (https://docs.stripe.com/webhooks#verify-manually): the ``Stripe-Signature``
header is ``t=<unix time>,v1=<hex>[,v1=<hex>...]``; each ``v1`` is HMAC-SHA256, keyed with
the endpoint's signing secret, over ``"<t>.<raw body>"``. A payload is accepted when one
``v1`` matches (compared in constant time) and ``t`` is within the tolerance (300 s) of now.

Each event is stored by its id in the same transaction as its effect, so a second
delivery finds it and changes nothing, and an effect is never stored without its event
(nor the event without its effect). Effects are written so that order does not matter:
``charge.refunded`` arriving before ``checkout.session.completed`` records the payment
first (keyed by the payment intent, which the later event then finds), and refunds are
brought up to the charge's cumulative ``amount_refunded``, never added blindly.
"""

import hashlib
import hmac
import json
import time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kakehashi.core.actors import SystemActor
from kakehashi.core.errors import InvalidInput
from kakehashi.core.money import from_minor
from kakehashi.payments import card_refunds, services
from kakehashi.payments.models import Account, Entry, Kind, Method

TOLERANCE_SECONDS = 300
PROVIDER = "stripe"
WEBHOOK = SystemActor("payments.stripe_webhook")


class BadSignature(Exception):
    """The payload is not signed by Stripe with our secret, or is too old."""


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``v1`` signature Stripe computes for ``payload`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(payload: bytes, header: str, secret: str, *, now: float | None = None) -> None:
    """Raise BadSignature unless ``header`` signs ``payload`` with ``secret`` recently."""
    if not secret:
        raise BadSignature("no webhook signing secret is configured")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in (header or "").split(","):
        name, _sep, value = item.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise BadSignature("the timestamp is not a number") from None
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise BadSignature("the header has no timestamp or no v1 signature")
    expected = sign(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise BadSignature("no signature matches the payload")
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE_SECONDS:
        raise BadSignature("the signature is too old (or from the future)")


def _account_for(obj: dict[str, Any]) -> Account | None:
    metadata = obj.get("metadata") or {}
    raw = metadata.get("kakehashi_account") or obj.get("client_reference_id")
    if not raw or not str(raw).isdigit():
        return None
    return Account.objects.filter(pk=int(raw)).first()


def _payment_key(payment_intent: str) -> str:
    return f"stripe:pi:{payment_intent}"


# The provider tells us what happened to a card; the ledger records it as the system's own.
PROVIDER_WEBHOOK = SystemActor("payments.provider_webhook")


def _record_payment(account: Account, payment_intent: str, amount_minor: int) -> Entry:
    """The card payment of ``payment_intent``, recorded once whichever event tells first."""
    key = _payment_key(payment_intent)
    existing = Entry.objects.filter(account=account, key=key).first()
    if existing is not None:
        return existing
    return services.write_entry(
        account,
        PROVIDER_WEBHOOK,
        kind=Kind.PAYMENT,
        amount=from_minor(amount_minor, account.currency),
        method=Method.CARD,
        external_reference=payment_intent,
        key=key,
    )


def _checkout_completed(account: Account, session: dict[str, Any]) -> None:
    if session.get("payment_status") != "paid" or not session.get("payment_intent"):
        return  # an asynchronous payment method: its own event follows when it settles
    _record_payment(account, str(session["payment_intent"]), int(session["amount_total"]))


def _charge_refunded(account: Account, charge: dict[str, Any], event_id: str) -> None:
    payment_intent = str(charge.get("payment_intent") or "")
    if not payment_intent:
        return
    payment = _record_payment(account, payment_intent, int(charge["amount"]))
    refunded_there = from_minor(int(charge.get("amount_refunded", 0)), account.currency)
    # Our own refunds still pending at the provider are confirmed first; what is left was
    # refunded in the provider's dashboard.
    beyond = card_refunds.settle_from_webhook(account, payment, refunded_there)
    if beyond > 0 and services.refundable(payment) > 0:
        services.write_entry(
            account,
            PROVIDER_WEBHOOK,
            kind=Kind.REFUND,
            amount=min(beyond, services.refundable(payment)),
            method=Method.CARD,
            refund_of=payment,
            reason=_("Refunded at the card provider"),
            external_reference=str(charge.get("id", "")),
            key=f"stripe:refunded:{charge.get('id')}:{charge.get('amount_refunded')}",
        )


HANDLED = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "charge.refunded",
}


def handle(payload: bytes) -> str:
    """Apply a verified event; returns "processed", "duplicate" or "ignored"."""
    try:
        event = json.loads(payload)
        event_id = str(event["id"])
        event_type = str(event["type"])
        obj = event["data"]["object"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            _("The event is not valid JSON of a Stripe event."),
            fields={"body": _("Invalid event.")},
        ) from None
    if event_type not in HANDLED:
        return "ignored"
    with transaction.atomic():
        account = _account_for(obj)
        if account is not None:
            # Account first, then the event row: the same order as every other change.
            account = services.lock_account(account.pk)
        if not services.claim_webhook_event(
            actor=WEBHOOK,
            provider=PROVIDER,
            event_id=event_id,
            event_type=event_type,
            account=account,
        ):
            return "duplicate"
        if account is None:
            return "ignored"
        if event_type == "charge.refunded":
            _charge_refunded(account, obj, event_id)
        else:
            _checkout_completed(account, obj)
    return "processed"

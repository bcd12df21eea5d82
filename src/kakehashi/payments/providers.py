"""Payment providers: the offline default, and a card provider (Stripe) when configured.

The offline provider moves no money itself: the payer transfers to the center's bank or
pays cash at the desk, quoting the account's reference, and staff record it
(``services.record_payment``). The card provider opens a Stripe Checkout page and learns
of payments and refunds through signed webhooks (``kakehashi.payments.webhooks``).

Every call to the provider carries an idempotency key derived from what is being asked,
so a retried request (by the Stripe library after a network error, or by a person who
clicks again) is answered with the first result, never a second charge or refund.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.core.errors import Conflict
from kakehashi.core.money import to_minor
from kakehashi.network.services import ensure_writable
from kakehashi.payments import services
from kakehashi.payments.models import Account, CardCheckout, Entry


class ProviderError(Conflict):
    """The provider refused or could not be reached; nothing was recorded."""

    code = "provider_error"
    status = 502


@dataclass(frozen=True)
class CheckoutPage:
    session_id: str
    url: str


@dataclass(frozen=True)
class ProviderRefund:
    refund_id: str
    amount_minor: int


class CardProvider(Protocol):
    name: str

    def create_checkout(
        self,
        *,
        account: Account,
        amount: Decimal,
        idempotency_key: str,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutPage: ...

    def refund(
        self, *, payment_intent: str, amount_minor: int, idempotency_key: str, reason: str
    ) -> ProviderRefund: ...


class OfflineProvider:
    """Bank transfer or cash at the center: staff record what arrives."""

    name = "offline"

    def instructions(self, account: Account) -> dict[str, str]:
        return {"reference": account.reference, "center": account.center.name}


class StripeProvider:
    """Stripe Checkout and refunds through Stripe's own client library."""

    name = "stripe"

    def __init__(self, *, secret_key: str, api_base: str = "") -> None:
        import stripe

        self._stripe = stripe
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            # The library retries network errors, 409 and 5xx, sending the same
            # Idempotency-Key each time, so a retry is answered with the first result.
            max_network_retries=2,
        )

    def create_checkout(
        self,
        *,
        account: Account,
        amount: Decimal,
        idempotency_key: str,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutPage:
        metadata = {"kakehashi_account": str(account.pk), "kakehashi_reference": account.reference}
        params: Any = {
            "mode": "payment",
            "client_reference_id": str(account.pk),
            "customer_email": account.payer_email,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": metadata,
            # Copied onto the payment and its charge, so a charge's own events (a refund
            # made in Stripe's dashboard) name the account too.
            "payment_intent_data": {"metadata": metadata},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": account.currency.lower(),
                        "unit_amount": to_minor(amount, account.currency),
                        "product_data": {"name": account.description[:250]},
                    },
                }
            ],
        }
        if account.payer_language in ("en", "ru", "ja"):
            params["locale"] = account.payer_language
        try:
            session = self._client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except self._stripe.StripeError as error:
            raise ProviderError(
                _("The card provider could not open a payment page: %(error)s")
                % {"error": error.user_message or type(error).__name__}
            ) from error
        return CheckoutPage(session_id=str(session.id), url=str(session.url))

    def refund(
        self, *, payment_intent: str, amount_minor: int, idempotency_key: str, reason: str
    ) -> ProviderRefund:
        try:
            refund = self._client.v1.refunds.create(
                params={
                    "payment_intent": payment_intent,
                    "amount": amount_minor,
                    "metadata": {"reason": reason[:500]},
                },
                options={"idempotency_key": idempotency_key},
            )
        except self._stripe.StripeError as error:
            raise ProviderError(
                _("The card provider refused the refund: %(error)s")
                % {"error": error.user_message or type(error).__name__}
            ) from error
        return ProviderRefund(refund_id=str(refund.id), amount_minor=int(refund.amount))


def card_provider() -> CardProvider | None:
    """The configured card provider, or None when payments are offline only."""
    if not settings.KAKEHASHI_STRIPE_SECRET_KEY:
        return None
    return StripeProvider(
        secret_key=settings.KAKEHASHI_STRIPE_SECRET_KEY,
        api_base=settings.KAKEHASHI_STRIPE_API_BASE,
    )


def _checkout_key(account: Account, due: Decimal, entries: int, day: datetime.date) -> str:
    # The same account, owing the same, on the same day: the same page. A new entry or a
    # new day (Stripe forgets keys after 24 hours) opens a new one.
    return (
        f"kakehashi-checkout-{account.pk}-{entries}-{to_minor(due, account.currency)}-{day:%Y%m%d}"
    )


def start_card_checkout(*, account: Account, success_url: str, cancel_url: str) -> CheckoutPage:
    """Open (or reopen) the card provider's page for what ``account`` still owes.

    The provider is called outside any transaction, so no lock is held while it answers.
    """
    provider = card_provider()
    if provider is None:
        raise Conflict(_("Card payments are not available; please pay by bank transfer."))
    account = Account.objects.select_related("center").get(pk=account.pk)
    ensure_writable(account.center)
    balance = services.balance_of(account)
    if balance.due <= 0:
        raise Conflict(_("Nothing is due on this account."))
    entries = Entry.objects.filter(account=account).count()
    key = _checkout_key(account, balance.due, entries, timezone.now().date())
    existing = CardCheckout.objects.filter(key=key).first()
    if existing is not None:
        return CheckoutPage(session_id=existing.session_id, url=existing.url)
    page = provider.create_checkout(
        account=account,
        amount=balance.due,
        idempotency_key=key,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    try:
        with transaction.atomic():
            CardCheckout.objects.create(
                account=account,
                provider=provider.name,
                key=key,
                session_id=page.session_id,
                url=page.url,
                amount=balance.due,
                currency=account.currency,
            )
    except IntegrityError:
        pass  # a concurrent click stored the same page (same key, same session)
    return page

"""The payments part of the REST API: reading an account and its ledger entries, and the
three ways staff add to the ledger (a payment received, a discount, a refund).

There is no endpoint that changes or deletes an entry, by design: the ledger only grows.
Writes go through the same services as the office's pages, with the same permission
checks: an account at a center the caller may not see is not found (404); one they may
see but where they may not take payments is refused (403).
"""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from pydantic import ConfigDict

from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.core.money import minor_units
from kakehashi.core.roles import Perm
from kakehashi.core.schemas import ERRORS, ErrorOut, InputSchema
from kakehashi.network import access
from kakehashi.network.models import Center
from kakehashi.payments import services
from kakehashi.payments.models import Account, CardRefund, Entry, Kind, Method

router = Router(tags=["payments"])


class EntryOut(Schema):
    id: int
    kind: str
    amount: str
    currency: str
    method: str
    document_number: str
    refund_of: int | None
    reason: str
    created_at: datetime.datetime


class CardRefundOut(Schema):
    """A card refund asked of the provider: ``pending`` until it confirms, then
    ``refunded`` (with its ledger entry) or ``failed``."""

    id: int
    status: str
    amount: str
    currency: str
    refund_of: int
    reason: str
    entry: int | None
    created_at: datetime.datetime


class AccountOut(Schema):
    id: int
    subject: str
    description: str
    payer_name: str
    reference: str
    currency: str
    charged: str
    cancelled: str
    discounted: str
    paid: str
    refunded: str
    due: str
    entries: list[EntryOut]


class MoneyIn(InputSchema):
    # Amounts are best sent as strings ("12.50", "1500"); a JSON number is read as the
    # text it was written as, and the service refuses what is not exact in the currency.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class PaymentIn(MoneyIn):
    amount: str = Field(..., max_length=40, description='The amount received, e.g. "1500.00".')
    method: Method = Field(Method.BANK_TRANSFER, description="bank_transfer or cash.")
    external_reference: str = Field(
        "", max_length=200, description="The bank slip or cash-desk receipt number."
    )
    note: str = Field("", max_length=2000)


class DiscountIn(MoneyIn):
    amount: str = Field(..., max_length=40)
    reason: str = Field(..., max_length=2000)


class RefundIn(MoneyIn):
    amount: str | None = Field(
        None, max_length=40, description="Leave out to refund all that is left of the payment."
    )
    reason: str = Field(..., max_length=2000)


class RuleRefundIn(InputSchema):
    reason: str = Field("", max_length=2000)


# A card refund is made through the provider, which may refuse it or not answer (502).
WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 502: ErrorOut}


def _text(amount: Decimal, currency: str) -> str:
    # Amounts travel as strings with the currency's minor units ("12.50", "1500"): exact,
    # never a float.
    return f"{amount:.{minor_units(currency)}f}"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _visible_centers(request: HttpRequest) -> QuerySet[Center]:
    return access.centers_visible_to(_user(request), Perm.VIEW_ROSTER)


def _visible_account(request: HttpRequest, account_id: int) -> Account:
    return get_object_or_404(
        Account.objects.select_related("center").filter(
            center__in=_visible_centers(request).values("pk")
        ),
        pk=account_id,
    )


def _visible_payment(request: HttpRequest, entry_id: int) -> Entry:
    return get_object_or_404(
        Entry.objects.filter(kind=Kind.PAYMENT, center__in=_visible_centers(request).values("pk")),
        pk=entry_id,
    )


def _refund_out(result: Entry | CardRefund) -> HttpStatus[dict[str, object]]:
    """201 with the entry of a refund made at once; 202 with a card refund still pending."""
    if isinstance(result, Entry):
        return HttpStatus(201, _entry_out(result))
    return HttpStatus(
        202,
        {
            "id": result.pk,
            "status": result.status,
            "amount": _text(result.amount, result.currency),
            "currency": result.currency,
            "refund_of": result.payment_id,
            "reason": result.reason,
            "entry": result.entry_id,
            "created_at": result.created_at,
        },
    )


def _entry_out(entry: Entry) -> dict[str, object]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "amount": _text(entry.amount, entry.currency),
        "currency": entry.currency,
        "method": entry.method,
        "document_number": entry.document_number,
        "refund_of": entry.refund_of_id,
        "reason": entry.reason,
        "created_at": entry.created_at,
    }


@router.get("/payments/accounts/{account_id}", response={200: AccountOut, **ERRORS})
def account_detail(request: HttpRequest, account_id: int) -> dict[str, object]:
    """An account's balance and every entry of it, in order."""
    account = _visible_account(request, account_id)
    balance = services.balance_of(account)
    code = account.currency
    return {
        "id": account.pk,
        "subject": account.subject,
        "description": account.description,
        "payer_name": account.payer_name,
        "reference": account.reference,
        "currency": code,
        "charged": _text(balance.charged, code),
        "cancelled": _text(balance.cancelled, code),
        "discounted": _text(balance.discounted, code),
        "paid": _text(balance.paid, code),
        "refunded": _text(balance.refunded, code),
        "due": _text(balance.due, code),
        "entries": [_entry_out(entry) for entry in account.entries.order_by("created_at", "pk")],
    }


@router.post("/payments/accounts/{account_id}/payments", response={201: EntryOut, **ERRORS})
def record_payment(
    request: HttpRequest, account_id: int, payload: PaymentIn
) -> HttpStatus[dict[str, object]]:
    """Record money received at the center (a bank transfer or cash), at most what is still
    due; answers the payment with its receipt number. The receipt is mailed to the payer."""
    account = _visible_account(request, account_id)
    entry = services.record_payment(
        actor=StaffActor(_user(request)),
        account=account,
        amount=payload.amount,
        method=payload.method,
        external_reference=payload.external_reference,
        note=payload.note,
    )
    return HttpStatus(201, _entry_out(entry))


@router.post("/payments/accounts/{account_id}/discounts", response={201: EntryOut, **ERRORS})
def grant_discount(
    request: HttpRequest, account_id: int, payload: DiscountIn
) -> HttpStatus[dict[str, object]]:
    """Lower what the payer owes (a scholarship, a discount), with the reason why; at most
    what is still due."""
    account = _visible_account(request, account_id)
    entry = services.grant_discount(
        actor=StaffActor(_user(request)),
        account=account,
        amount=payload.amount,
        reason=payload.reason,
    )
    return HttpStatus(201, _entry_out(entry))


@router.post(
    "/payments/entries/{entry_id}/refunds",
    response={201: EntryOut, 202: CardRefundOut, **WRITE_ERRORS},
)
def refund(request: HttpRequest, entry_id: int, payload: RefundIn) -> HttpStatus[dict[str, object]]:
    """Return money from one payment, as a new entry (a card payment through its
    provider, answered 202 while the provider confirms); never more than is left of it. The
    refund note is mailed to the payer."""
    payment = _visible_payment(request, entry_id)
    result = services.refund(
        actor=StaffActor(_user(request)),
        payment=payment,
        amount=payload.amount,
        reason=payload.reason,
    )
    return _refund_out(result)


@router.post(
    "/payments/entries/{entry_id}/refunds/by-rule",
    response={201: EntryOut, 202: CardRefundOut, **WRITE_ERRORS},
)
def refund_by_rule(
    request: HttpRequest, entry_id: int, payload: RuleRefundIn | None = None
) -> HttpStatus[dict[str, object]]:
    """Refund what the cohort's refund rule gives back of one payment."""
    payment = _visible_payment(request, entry_id)
    result = services.refund_by_rule(
        actor=StaffActor(_user(request)), payment=payment, reason=payload.reason if payload else ""
    )
    return _refund_out(result)

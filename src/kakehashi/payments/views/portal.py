"""The payer's side: what is due, what was paid, how to pay.

Reached two ways, like "My programs": through the participant's signed link mailed by
admissions (``/me/<token>/payments/``, no account needed) or, signed in, at
``/me/account/payments/`` for the accounts tied to the user or filed under an address the
user has proven is theirs.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kakehashi.core.errors import DomainError
from kakehashi.core.models import User
from kakehashi.payments import issuing, providers, services
from kakehashi.payments.models import Account, Entry
from kakehashi.payments.payers import participant_ref_from


def _accounts_for_token(token: str) -> QuerySet[Account]:
    ref = participant_ref_from(token)
    if ref is None:
        raise Http404
    return Account.objects.filter(payer_ref=ref)


def _accounts_for_user(user: User) -> QuerySet[Account]:
    mine = Q(payer_user=user)
    if user.email_verified_at is not None and user.email:
        mine |= Q(payer_email=user.email.strip().lower())
    return Account.objects.filter(mine)


def _cards(
    accounts: QuerySet[Account], card_url: Any, document_url: Callable[[Entry], str]
) -> list[dict[str, Any]]:
    listed = list(accounts.select_related("center").order_by("-created_at", "-pk"))
    figures = services.balances(listed)
    entries: dict[int, list[Entry]] = {}
    documents: dict[int, list[dict[str, str]]] = {}
    for entry in Entry.objects.filter(account__in=listed).order_by("created_at", "pk"):
        entries.setdefault(entry.account_id, []).append(entry)
        if issuing.has_document(entry):
            documents.setdefault(entry.account_id, []).append(
                {
                    "url": document_url(entry),
                    "name": issuing.document_name(entry),
                    "number": entry.document_number,
                }
            )
    card = providers.card_provider()
    return [
        {
            "account": account,
            "balance": figures[account.pk],
            "entries": entries.get(account.pk, []),
            "documents": documents.get(account.pk, []),
            "card_url": card_url(account)
            if card is not None and figures[account.pk].due > 0 and not account.center.is_read_only
            else "",
        }
        for account in listed
    ]


def _render(
    request: HttpRequest,
    accounts: QuerySet[Account],
    card_url: Any,
    document_url: Callable[[Entry], str],
    **context: Any,
) -> HttpResponse:
    context["cards"] = _cards(accounts, card_url, document_url)
    return render(request, "payments/pay.html", context)


def document_response(entry: Entry) -> HttpResponse:
    """The PDF of an entry's invoice, receipt or refund note, as a download."""
    response = HttpResponse(issuing.document_pdf(entry), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{issuing.filename_of(entry)}"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _document_of(accounts: QuerySet[Account], entry_id: int) -> Entry:
    """A numbered entry of one of ``accounts``; any other is not found."""
    return get_object_or_404(
        Entry.objects.filter(account__in=accounts.values("pk")).exclude(document_number=""),
        pk=entry_id,
    )


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@never_cache
def participant_payments(request: HttpRequest, token: str) -> HttpResponse:
    """What the holder of the participant's signed link owes and has paid."""
    accounts = _accounts_for_token(token)
    return _render(
        request,
        accounts,
        lambda account: reverse("portal:participant-pay-by-card", args=[token, account.pk]),
        lambda entry: reverse("portal:participant-payment-document", args=[token, entry.pk]),
        token=token,
    )


@never_cache
@require_safe
def participant_document(request: HttpRequest, token: str, entry_id: int) -> HttpResponse:
    """A document of the payments the holder of the participant's signed link sees."""
    return document_response(_document_of(_accounts_for_token(token), entry_id))


@never_cache
@login_required
def my_payments(request: HttpRequest) -> HttpResponse:
    """What a signed-in person owes and has paid."""
    user = _user(request)
    assert user is not None  # login_required
    return _render(
        request,
        _accounts_for_user(user),
        lambda account: reverse("portal:my-pay-by-card", args=[account.pk]),
        lambda entry: reverse("portal:my-payment-document", args=[entry.pk]),
        signed_in=True,
    )


@never_cache
@require_safe
@login_required
def my_document(request: HttpRequest, entry_id: int) -> HttpResponse:
    """A document of the payments a signed-in person sees."""
    user = _user(request)
    assert user is not None  # login_required
    return document_response(_document_of(_accounts_for_user(user), entry_id))


def _pay_by_card(request: HttpRequest, account: Account, back: str) -> HttpResponse:
    try:
        checkout = providers.start_card_checkout(
            account=account,
            success_url=request.build_absolute_uri(back + "?paid=1"),
            cancel_url=request.build_absolute_uri(back),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(checkout.url)


@require_POST
def participant_pay_by_card(request: HttpRequest, token: str, account_id: int) -> HttpResponse:
    account = get_object_or_404(_accounts_for_token(token).select_related("center"), pk=account_id)
    return _pay_by_card(request, account, reverse("portal:participant-payments", args=[token]))


@require_POST
@login_required
def my_pay_by_card(request: HttpRequest, account_id: int) -> HttpResponse:
    user = _user(request)
    assert user is not None
    account = get_object_or_404(_accounts_for_user(user).select_related("center"), pk=account_id)
    return _pay_by_card(request, account, reverse("portal:my-payments"))

"""The office's payment pages: who has paid and who owes in a cohort, the forms that
record payments, discounts and refunds, and a center's ledger with its exports.

A cohort's accounts are those of group ``catalog.cohort:<id>``; what its page shows of the
cohort comes from the catalog, through ``kakehashi.payments.groups``. Another center's records
are not found (404); staff who may see a cohort but not take payments see its figures and
are refused (403) when they post. Every change goes through ``kakehashi.payments.services``.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kakehashi.core import errors
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.core.money import format_money
from kakehashi.core.roles import Perm
from kakehashi.core.web.office import office_user, refuse, staff_required
from kakehashi.network import access
from kakehashi.network.models import Center
from kakehashi.payments import groups, issuing, services
from kakehashi.payments.forms import (
    DiscountForm,
    LedgerForm,
    PaymentForm,
    RefundForm,
    RefundRuleForm,
)
from kakehashi.payments.ledger import center_ledger
from kakehashi.payments.models import Account, CardRefund, Entry, Kind
from kakehashi.payments.views.portal import document_response

# What a ledger form's change returns: an entry, or a card refund still pending.
Done = TypeVar("Done")


def cohort_group(cohort_id: int) -> str:
    return groups.group_name(groups.COHORT, cohort_id)


def _cohort_page(user: User, cohort_id: int) -> groups.GroupPage:
    return groups.group_page(user, groups.COHORT, cohort_id, Perm.VIEW_ROSTER)


def _may_take_payments(user: User, center: Center) -> bool:
    return not center.is_read_only and access.has_perm(
        user, Perm.TAKE_PAYMENTS, network=center.network_id, center=center
    )


def _account_rows(accounts: QuerySet[Account]) -> list[dict[str, Any]]:
    rows = []
    listed = list(accounts.select_related("center"))
    figures = services.balances(listed)
    payments: dict[int, list[Entry]] = {}
    for entry in Entry.objects.filter(account__in=listed, kind=Kind.PAYMENT).prefetch_related(
        "refunds"
    ):
        entry.left_to_refund = entry.amount - sum(  # type: ignore[attr-defined]
            (refund.amount for refund in entry.refunds.all()), Decimal(0)
        )
        payments.setdefault(entry.account_id, []).append(entry)
    documents: dict[int, list[Entry]] = {}
    for entry in (
        Entry.objects.filter(account__in=listed)
        .exclude(document_number="")
        .order_by("created_at", "pk")
    ):
        entry.document_name = issuing.document_name(entry)  # type: ignore[attr-defined]
        documents.setdefault(entry.account_id, []).append(entry)
    for account in listed:
        entries = payments.get(account.pk, [])
        for payment in entries:
            payment.refund_form = RefundForm(prefix=refund_prefix(payment.pk))  # type: ignore[attr-defined]
        rows.append(
            {
                "account": account,
                "balance": figures[account.pk],
                "payments": entries,
                "documents": documents.get(account.pk, []),
                "payment_form": PaymentForm(prefix=payment_prefix(account.pk)),
                "discount_form": DiscountForm(prefix=discount_prefix(account.pk)),
            }
        )
    return rows


def payment_prefix(account_id: int) -> str:
    return f"pay{account_id}"


def discount_prefix(account_id: int) -> str:
    return f"discount{account_id}"


def refund_prefix(entry_id: int) -> str:
    return f"refund{entry_id}"


def _put_back(rows: list[dict[str, Any]], failed: tuple[str, int, LedgerForm]) -> None:
    """Show the form that was refused, with what was typed and why, where it was."""
    name, target, form = failed
    for row in rows:
        if name == "payment" and row["account"].pk == target:
            row["payment_form"] = form
        elif name == "discount" and row["account"].pk == target:
            row["discount_form"] = form
        elif name == "refund":
            for payment in row["payments"]:
                if payment.pk == target:
                    payment.refund_form = form


def _totals(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Per currency: how much was due, paid and is still owed, formatted."""
    by_currency: dict[str, services.Balance] = {}
    for row in rows:
        balance: services.Balance = row["balance"]
        total = by_currency.setdefault(balance.currency, services.Balance(balance.currency))
        for kind, figure in services.Balance.FIGURES.items():
            total.add(kind, getattr(balance, figure))
    return [
        {
            "currency": code,
            "charged": format_money(total.charged, code),
            "cancelled": format_money(total.cancelled, code) if total.cancelled else "",
            "discounted": format_money(total.discounted, code),
            "net_paid": format_money(total.net_paid, code),
            "due": format_money(total.due, code),
        }
        for code, total in sorted(by_currency.items())
    ]


def _render_cohort(
    request: HttpRequest,
    cohort_id: int,
    page: groups.GroupPage,
    *,
    failed: tuple[str, int, LedgerForm] | None = None,
) -> HttpResponse:
    user = office_user(request)
    group = cohort_group(cohort_id)
    rows = _account_rows(Account.objects.filter(group=group, center=page.center))
    policy_rule = services.RefundPolicy.objects.filter(group=group).first()
    context = {
        **page.context,
        "center": page.center,
        "rows": rows,
        "cancellations": any(row["balance"].cancelled for row in rows),
        "owing": sum(1 for row in rows if row["balance"].state == "owes"),
        "paid": sum(1 for row in rows if row["balance"].state == "paid"),
        "totals": _totals(rows),
        "may_take_payments": _may_take_payments(user, page.center),
        "rule_form": RefundRuleForm(
            initial={"rule": policy_rule.rule if policy_rule else services.RefundRule.NONE}
        ),
        "failed": failed,
    }
    if failed is not None and failed[0] == "rule":
        context["rule_form"] = failed[2]
    elif failed is not None:
        _put_back(rows, failed)
    status = 422 if failed is not None else 200
    return render(request, "payments/office/cohort.html", context, status=status)


@staff_required
@require_safe
def cohort_payments(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's payments: who has paid, who owes, and how much."""
    return _render_cohort(request, cohort_id, _cohort_page(office_user(request), cohort_id))


def _visible_account(user: User, account_id: int) -> Account:
    return get_object_or_404(
        Account.objects.select_related("center").filter(
            center__in=access.centers_visible_to(user).values("pk")
        ),
        pk=account_id,
    )


def _cohort_of(account: Account) -> int | None:
    """The cohort whose fees ``account`` holds, or None for an account of no cohort."""
    found = groups.split_group(account.group)
    return found[1] if found is not None and found[0] == groups.COHORT else None


def _back_to(account: Account) -> str:
    cohort_id = _cohort_of(account)
    if cohort_id is not None:
        url = reverse("office:cohort-payments", args=[cohort_id])
    else:
        url = reverse("office:ledger", args=[account.center_id])
    return f"{url}#account-{account.pk}"


def _act(
    request: HttpRequest,
    account: Account,
    form: LedgerForm,
    name: str,
    change: Callable[[dict[str, Any]], Done],
    done: Callable[[Done], str],
) -> HttpResponse:
    if form.is_valid():
        try:
            entry = change(form.cleaned_data)
        except errors.DomainError as error:
            refuse(error)
            form.show_refusal(error)
        else:
            messages.success(request, done(entry))
            return HttpResponseRedirect(_back_to(account))
    cohort_id = _cohort_of(account)
    if cohort_id is None:
        messages.error(
            request,
            " ".join(str(e) for e in form.errors.get("__all__", [])) or _("Check the form."),
        )
        return HttpResponseRedirect(_back_to(account))
    page = _cohort_page(office_user(request), cohort_id)
    target = int(form.prefix[len("refund") :]) if name == "refund" and form.prefix else account.pk
    return _render_cohort(request, cohort_id, page, failed=(name, target, form))


@staff_required
@require_POST
def record_payment(request: HttpRequest, account_id: int) -> HttpResponse:
    user = office_user(request)
    account = _visible_account(user, account_id)
    return _act(
        request,
        account,
        PaymentForm(request.POST, prefix=payment_prefix(account.pk)),
        "payment",
        lambda data: services.record_payment(
            actor=StaffActor(user),
            account=account,
            amount=data["amount"],
            method=data["method"],
            external_reference=data["external_reference"],
        ),
        lambda entry: (
            _("Payment of %(amount)s recorded (%(number)s).")
            % {
                "amount": format_money(entry.amount, entry.currency),
                "number": entry.document_number,
            }
        ),
    )


@staff_required
@require_POST
def grant_discount(request: HttpRequest, account_id: int) -> HttpResponse:
    user = office_user(request)
    account = _visible_account(user, account_id)
    return _act(
        request,
        account,
        DiscountForm(request.POST, prefix=discount_prefix(account.pk)),
        "discount",
        lambda data: services.grant_discount(
            actor=StaffActor(user), account=account, amount=data["amount"], reason=data["reason"]
        ),
        lambda entry: (
            _("Discount of %(amount)s granted.")
            % {"amount": format_money(entry.amount, entry.currency)}
        ),
    )


def _visible_payment(user: User, entry_id: int) -> Entry:
    return get_object_or_404(
        Entry.objects.select_related("account__center").filter(
            kind=Kind.PAYMENT, center__in=access.centers_visible_to(user).values("pk")
        ),
        pk=entry_id,
    )


def _refunded(entry: Entry | CardRefund) -> str:
    if isinstance(entry, CardRefund):
        return _(
            "Refund of %(amount)s sent to the card provider; it appears in the ledger once "
            "the provider confirms it."
        ) % {"amount": format_money(entry.amount, entry.currency)}
    return _("Refund of %(amount)s recorded (%(number)s).") % {
        "amount": format_money(entry.amount, entry.currency),
        "number": entry.document_number,
    }


@staff_required
@require_POST
def refund(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = office_user(request)
    payment = _visible_payment(user, entry_id)
    return _act(
        request,
        payment.account,
        RefundForm(request.POST, prefix=refund_prefix(payment.pk)),
        "refund",
        lambda data: services.refund(
            actor=StaffActor(user),
            payment=payment,
            amount=data["amount"] or None,
            reason=data["reason"],
        ),
        _refunded,
    )


@staff_required
@require_POST
def refund_by_rule(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = office_user(request)
    payment = _visible_payment(user, entry_id)
    try:
        entry = services.refund_by_rule(actor=StaffActor(user), payment=payment)
    except errors.DomainError as error:
        refuse(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _refunded(entry))
    return HttpResponseRedirect(_back_to(payment.account))


@staff_required
@require_POST
def set_refund_rule(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user = office_user(request)
    page = _cohort_page(user, cohort_id)
    form = RefundRuleForm(request.POST)
    if form.is_valid():
        try:
            services.set_refund_rule(
                actor=StaffActor(user),
                center=page.center,
                group=cohort_group(cohort_id),
                rule=form.cleaned_data["rule"],
            )
        except errors.DomainError as error:
            refuse(error)
            form.show_refusal(error)
        else:
            messages.success(request, _("The refund rule is saved."))
            return HttpResponseRedirect(reverse("office:cohort-payments", args=[cohort_id]))
    return _render_cohort(request, cohort_id, page, failed=("rule", 0, form))


@staff_required
@require_safe
def document(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The PDF of an invoice, receipt or refund note, for staff who may see the payments
    of its center (as on the cohort's payments page); any other is not found."""
    user = office_user(request)
    entry = get_object_or_404(
        Entry.objects.filter(
            center__in=access.centers_visible_to(user, Perm.VIEW_ROSTER).values("pk")
        ).exclude(document_number=""),
        pk=entry_id,
    )
    return document_response(entry)


# --- the center's ledger -------------------------------------------------------------------


def _ledger_center(request: HttpRequest, center_id: int) -> Center:
    user = office_user(request)
    center = get_object_or_404(
        access.centers_visible_to(user).select_related("network"), pk=center_id
    )
    if not access.has_perm(user, Perm.VIEW_LEDGER, network=center.network_id, center=center):
        raise DjangoPermissionDenied(
            _("You may see %(center)s but not its ledger.") % {"center": center.name}
        )
    return center


@staff_required
@require_safe
def ledger(request: HttpRequest, center_id: int) -> HttpResponse:
    """A center's ledger: every entry, in order, and each currency's balances."""
    center = _ledger_center(request, center_id)
    return render(
        request, "payments/office/ledger.html", {"center": center, **center_ledger(center)}
    )


@staff_required
@require_safe
def ledger_export(request: HttpRequest, center_id: int, fmt: str) -> HttpResponse:
    """The ledger as CSV or XLSX, for the center's accountants."""
    from kakehashi.payments import exports

    center = _ledger_center(request, center_id)
    if fmt == "csv":
        return exports.ledger_csv(center)
    if fmt == "xlsx":
        return exports.ledger_xlsx(center)
    raise Http404

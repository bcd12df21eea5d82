"""Payments' addresses, by audience; ``kakehashi.urls`` mounts them.

``office_patterns`` go under /office/ (namespace ``office``), ``portal_patterns`` (the
payer's pages) at the root (``portal``), and ``public_patterns`` (what the payment
providers call) under /payments/, in no namespace.
"""

from django.urls import URLPattern, URLResolver, path

from kakehashi.payments.views import office, portal, public

office_patterns: list[URLPattern | URLResolver] = [
    path("cohorts/<int:cohort_id>/payments/", office.cohort_payments, name="cohort-payments"),
    path(
        "cohorts/<int:cohort_id>/payments/refund-rule/",
        office.set_refund_rule,
        name="refund-rule",
    ),
    path("payments/accounts/<int:account_id>/pay/", office.record_payment, name="record-payment"),
    path(
        "payments/accounts/<int:account_id>/discount/",
        office.grant_discount,
        name="grant-discount",
    ),
    path("payments/entries/<int:entry_id>/refund/", office.refund, name="refund"),
    path(
        "payments/entries/<int:entry_id>/refund-by-rule/",
        office.refund_by_rule,
        name="refund-by-rule",
    ),
    path(
        "payments/entries/<int:entry_id>/document/",
        office.document,
        name="payment-document",
    ),
    path("centers/<int:center_id>/ledger/", office.ledger, name="ledger"),
    path(
        "centers/<int:center_id>/ledger.<slug:fmt>",
        office.ledger_export,
        name="ledger-export",
    ),
]

portal_patterns: list[URLPattern | URLResolver] = [
    # Before the signed-link patterns: "account" is never a valid token.
    path("me/account/payments/", portal.my_payments, name="my-payments"),
    path(
        "me/account/payments/<int:account_id>/card/",
        portal.my_pay_by_card,
        name="my-pay-by-card",
    ),
    path(
        "me/account/payments/documents/<int:entry_id>/",
        portal.my_document,
        name="my-payment-document",
    ),
    path("me/<str:token>/payments/", portal.participant_payments, name="participant-payments"),
    path(
        "me/<str:token>/payments/<int:account_id>/card/",
        portal.participant_pay_by_card,
        name="participant-pay-by-card",
    ),
    path(
        "me/<str:token>/payments/documents/<int:entry_id>/",
        portal.participant_document,
        name="participant-payment-document",
    ),
]

public_patterns: list[URLPattern | URLResolver] = [
    path("webhooks/stripe/", public.stripe_webhook, name="stripe-webhook"),
]

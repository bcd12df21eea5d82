"""The office's payment pages (included under /office/ in the ``office`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kakehashi.payments import office

urlpatterns: list[URLPattern | URLResolver] = [
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

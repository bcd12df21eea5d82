"""The payer's pages (at the root, in the ``portal`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kakehashi.payments import views

urlpatterns: list[URLPattern | URLResolver] = [
    # Before the signed-link patterns: "account" is never a valid token.
    path("me/account/payments/", views.my_payments, name="my-payments"),
    path(
        "me/account/payments/<int:account_id>/card/",
        views.my_pay_by_card,
        name="my-pay-by-card",
    ),
    path(
        "me/account/payments/documents/<int:entry_id>/",
        views.my_document,
        name="my-payment-document",
    ),
    path("me/<str:token>/payments/", views.participant_payments, name="participant-payments"),
    path(
        "me/<str:token>/payments/<int:account_id>/card/",
        views.participant_pay_by_card,
        name="participant-pay-by-card",
    ),
    path(
        "me/<str:token>/payments/documents/<int:entry_id>/",
        views.participant_document,
        name="participant-payment-document",
    ),
]

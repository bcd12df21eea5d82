"""Addresses the payment providers call (included at /payments/)."""

from django.urls import URLPattern, URLResolver, path

from kakehashi.payments import webhook_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/stripe/", webhook_views.stripe_webhook, name="stripe-webhook"),
]

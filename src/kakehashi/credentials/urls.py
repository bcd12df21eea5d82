"""Public and unauthenticated by design: checking a certificate, and what a verifier needs
to check one without us (the networks' public keys and revocation lists)."""

from django.urls import URLPattern, URLResolver, path

from kakehashi.credentials import converters, views  # noqa: F401  (registers the converter)

app_name = "credentials"
urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views.verify_form, name="verify-form"),
    path("verify/<certificate_number:number>/", views.verify, name="verify"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("certificates/<slug:network>/revocations.jwt", views.revocations, name="revocations"),
    path("certificates/<slug:network>/issuer.json", views.issuer, name="issuer"),
]

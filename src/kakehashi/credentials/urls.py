"""Certificates' addresses, by audience; ``kakehashi.urls`` mounts them.

``office_patterns`` go under /office/ (namespace ``office``), ``portal_patterns`` at the
root (``portal``), and ``public_patterns`` at the root (``credentials``): public and
unauthenticated by design, checking a certificate and what a verifier needs to check one
without us (the networks' public keys and revocation lists).

A participant's signed-in pages live under ``me/account/``: a single segment after ``me/``
is taken by the participant's signed link (``me/<token>/``), so ``me/certificates/`` would
never reach this app.
"""

from django.urls import URLPattern, URLResolver, path

from kakehashi.credentials import converters  # noqa: F401  (registers the converter)
from kakehashi.credentials.views import office, portal, public

office_patterns: list[URLPattern | URLResolver] = [
    path(
        "cohorts/<int:cohort_id>/certificates/",
        office.cohort_certificates,
        name="cohort-certificates",
    ),
    path(
        "cohorts/<int:cohort_id>/certificates/issue/",
        office.start_run,
        name="certificate-run-start",
    ),
    path("certificate-runs/<int:run_id>/", office.run_progress, name="certificate-run"),
    path(
        "certificates/<certificate_number:number>/",
        office.certificate_detail,
        name="certificate",
    ),
    path(
        "certificates/<certificate_number:number>/revoke/",
        office.revoke,
        name="certificate-revoke",
    ),
    path(
        "certificates/<certificate_number:number>.pdf",
        office.certificate_pdf,
        name="certificate-pdf",
    ),
]

portal_patterns: list[URLPattern | URLResolver] = [
    # Signed in: first, so that "account" is never read as a participant's token.
    path("me/account/certificates/", portal.my_certificates, name="my_certificates"),
    path(
        "me/account/certificates/<certificate_number:number>.pdf",
        portal.my_certificate_pdf,
        name="my_certificate_pdf",
    ),
    path(
        "me/account/certificates/<certificate_number:number>.jwt",
        portal.my_certificate_credential,
        name="my_certificate_credential",
    ),
    path(
        "me/account/transcripts/<int:enrollment_id>.pdf",
        portal.my_transcript,
        name="my_transcript",
    ),
    # Through the signed link mailed to the participant.
    path(
        "me/<str:token>/certificates/",
        portal.participant_certificates,
        name="participant_certificates",
    ),
    path(
        "me/<str:token>/certificates/<certificate_number:number>.pdf",
        portal.participant_certificate_pdf,
        name="participant_certificate_pdf",
    ),
    path(
        "me/<str:token>/certificates/<certificate_number:number>.jwt",
        portal.participant_certificate_credential,
        name="participant_certificate_credential",
    ),
    path(
        "me/<str:token>/transcripts/<int:enrollment_id>.pdf",
        portal.participant_transcript,
        name="participant_transcript",
    ),
]

public_patterns: list[URLPattern | URLResolver] = [
    path("verify/", public.verify_form, name="verify-form"),
    path("verify/<certificate_number:number>/", public.verify, name="verify"),
    path(".well-known/jwks.json", public.jwks, name="jwks"),
    path("certificates/<slug:network>/revocations.jwt", public.revocations, name="revocations"),
    path("certificates/<slug:network>/issuer.json", public.issuer, name="issuer"),
]

"""A participant's certificates and transcripts (included in the ``portal`` namespace).

The signed-in pages live under ``me/account/``: a single segment after ``me/`` is taken by
the participant's signed link (``me/<token>/``), so ``me/certificates/`` would never reach
this app.
"""

from django.urls import URLPattern, URLResolver, path

from kakehashi.credentials import converters, portal  # noqa: F401  (registers the converter)

urlpatterns: list[URLPattern | URLResolver] = [
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

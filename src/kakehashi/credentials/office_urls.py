"""The office's certificate pages (included under /office/ in the ``office`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kakehashi.credentials import converters, office  # noqa: F401  (registers the converter)

urlpatterns: list[URLPattern | URLResolver] = [
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

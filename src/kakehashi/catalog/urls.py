"""The office: pages for staff, by role and center.

Each page shows only what the person's roles allow (see ``kakehashi.network.access``):
another center's records are not found (404), and what they may see but not change is
refused (403). Anonymous people are sent to the login page.
"""

from django.urls import include, path

from kakehashi.admissions import office as admissions
from kakehashi.catalog import office as catalog

app_name = "office"
urlpatterns = [
    path("", catalog.overview, name="overview"),
    path("search/", admissions.search, name="search"),
    path("centers/<int:center_id>/", catalog.center_detail, name="center"),
    path("centers/<int:center_id>/cohorts/new/", catalog.cohort_create, name="cohort-create"),
    path("programs/", catalog.program_list, name="programs"),
    path("programs/new/", catalog.program_create, name="program-create"),
    path("programs/<int:program_id>/edit/", catalog.program_edit, name="program-edit"),
    path("cohorts/<int:cohort_id>/", admissions.roster, name="roster"),
    path("cohorts/<int:cohort_id>/roster.csv", admissions.roster_csv, name="roster-csv"),
    path("cohorts/<int:cohort_id>/edit/", catalog.cohort_edit, name="cohort-edit"),
    path("cohorts/<int:cohort_id>/sessions/new/", catalog.session_create, name="session-create"),
    *(
        path(
            f"enrollments/<int:enrollment_id>/{action}/",
            admissions.decide,
            {"action": action},
            name=action,
        )
        for action in admissions.DECISIONS
    ),
    path("", include("kakehashi.delivery.office_urls")),
    path("", include("kakehashi.catalog.office_calendar_urls")),
    path("", include("kakehashi.credentials.office_urls")),
    path("", include("kakehashi.payments.office_urls")),
]

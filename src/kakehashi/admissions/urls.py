"""The participant portal: the catalog, applying, and a participant's own pages."""

from django.urls import include, path

from kakehashi.admissions import views as admissions
from kakehashi.catalog import views as catalog

app_name = "portal"
urlpatterns = [
    path("", catalog.catalog, name="home"),
    path("programs/<slug:network>/<slug:program>/", catalog.program_detail, name="program"),
    path("cohorts/<int:cohort_id>/apply/", admissions.apply, name="apply"),
    path("applied/<str:token>/", admissions.application_result, name="applied"),
    # "My programs": logged in, or through the signed link mailed to the applicant.
    path("me/", admissions.my_programs, name="my_programs"),
    path(
        "me/enrollments/<int:enrollment_id>/<slug:action>/",
        admissions.my_action,
        name="my_action",
    ),
    path("me/<str:token>/", admissions.participant_page, name="participant"),
    path(
        "me/<str:token>/enrollments/<int:enrollment_id>/<slug:action>/",
        admissions.participant_action,
        name="participant_action",
    ),
    path("", include("kakehashi.delivery.portal_urls")),
    path("", include("kakehashi.credentials.portal_urls")),
    path("", include("kakehashi.payments.portal_urls")),
]

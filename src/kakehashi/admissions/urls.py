"""Admissions' addresses, by audience; ``kakehashi.urls`` mounts them.

``office_patterns`` go under /office/ (namespace ``office``), ``portal_patterns`` at the
root (``portal``), ``calendar_patterns`` under /calendar/ (``calendar``).
"""

from django.urls import URLPattern, URLResolver, path

from kakehashi.admissions.views import calendar, office, portal

office_patterns: list[URLPattern | URLResolver] = [
    path("search/", office.search, name="search"),
    path("cohorts/<int:cohort_id>/", office.roster, name="roster"),
    path("cohorts/<int:cohort_id>/roster.csv", office.roster_csv, name="roster-csv"),
    *(
        path(
            f"enrollments/<int:enrollment_id>/{action}/",
            office.decide,
            {"action": action},
            name=action,
        )
        for action in office.DECISIONS
    ),
]

portal_patterns: list[URLPattern | URLResolver] = [
    path("cohorts/<int:cohort_id>/apply/", portal.apply, name="apply"),
    path("applied/<str:token>/", portal.application_result, name="applied"),
    # "My programs": logged in, or through the signed link mailed to the applicant.
    path("me/", portal.my_programs, name="my_programs"),
    path(
        "me/enrollments/<int:enrollment_id>/<slug:action>/",
        portal.my_action,
        name="my_action",
    ),
    path("me/<str:token>/", portal.participant_page, name="participant"),
    path(
        "me/<str:token>/enrollments/<int:enrollment_id>/<slug:action>/",
        portal.participant_action,
        name="participant_action",
    ),
]

calendar_patterns: list[URLPattern | URLResolver] = [
    path("me/<str:token>.ics", calendar.participant_feed, name="participant"),
]

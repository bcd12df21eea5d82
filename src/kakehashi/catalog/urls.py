"""The catalog's addresses, by audience; ``kakehashi.urls`` mounts them.

``office_patterns`` go under /office/ (namespace ``office``), ``portal_patterns`` at the
root (``portal``), ``calendar_patterns`` under /calendar/ (``calendar``): calendar apps
cannot log in, so each feed's address carries a signed token (see ``kakehashi.catalog.feeds``).
"""

from django.urls import URLPattern, URLResolver, path

from kakehashi.catalog.views import calendar, office, portal

office_patterns: list[URLPattern | URLResolver] = [
    path("", office.overview, name="overview"),
    path("centers/<int:center_id>/", office.center_detail, name="center"),
    path("centers/<int:center_id>/cohorts/new/", office.cohort_create, name="cohort-create"),
    path("programs/", office.program_list, name="programs"),
    path("programs/new/", office.program_create, name="program-create"),
    path("programs/<int:program_id>/edit/", office.program_edit, name="program-edit"),
    path("cohorts/<int:cohort_id>/edit/", office.cohort_edit, name="cohort-edit"),
    path("cohorts/<int:cohort_id>/sessions/new/", office.session_create, name="session-create"),
    path("calendar/", office.office_calendar, name="calendar"),
]

portal_patterns: list[URLPattern | URLResolver] = [
    path("", portal.catalog, name="home"),
    path("programs/<slug:network>/<slug:program>/", portal.program_detail, name="program"),
]

calendar_patterns: list[URLPattern | URLResolver] = [
    path("centers/<str:token>.ics", calendar.center_feed, name="center"),
    path("teaching/<str:token>.ics", calendar.instructor_feed, name="instructor"),
]

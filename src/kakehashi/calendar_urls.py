"""Calendar feeds (iCalendar), for calendar apps that subscribe to them.

Calendar apps cannot log in: each address carries a signed token that says whose feed it
is (see ``kakehashi.catalog.feeds`` and ``kakehashi.admissions.feeds``).
"""

from django.urls import URLPattern, URLResolver, path

from kakehashi.admissions import feeds as admissions
from kakehashi.catalog import feeds as catalog

app_name = "calendar"
urlpatterns: list[URLPattern | URLResolver] = [
    path("me/<str:token>.ics", admissions.participant_feed, name="participant"),
    path("centers/<str:token>.ics", catalog.center_feed, name="center"),
    path("teaching/<str:token>.ics", catalog.instructor_feed, name="instructor"),
]

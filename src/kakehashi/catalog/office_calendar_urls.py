"""The office page with a staff member's calendar feeds (included in ``office_urls``)."""

from django.urls import path

from kakehashi.catalog import feeds

urlpatterns = [
    path("calendar/", feeds.office_calendar, name="calendar"),
]

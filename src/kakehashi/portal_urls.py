"""The participant portal: the catalog, applying, and a participant's own pages."""

from django.urls import path

from kakehashi.core.views import home

app_name = "portal"
urlpatterns = [
    path("", home, name="home"),
]

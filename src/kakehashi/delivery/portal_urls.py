"""The participant's side of delivery: checking in to a session with the code shown in
the room (see ``kakehashi.delivery.portal``)."""

from django.urls import URLPattern, URLResolver, path

from kakehashi.delivery import portal

urlpatterns: list[URLPattern | URLResolver] = [
    path("check-in/<str:code>/", portal.check_in, name="check-in"),
]

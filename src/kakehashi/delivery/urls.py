"""Delivery's addresses, by audience; ``kakehashi.urls`` mounts them.

``office_patterns`` (teaching, attendance, completion) go under /office/ (namespace
``office``); ``portal_patterns`` (checking in with the code shown in the room) at the root
(``portal``).
"""

from django.urls import URLPattern, URLResolver, path

from kakehashi.delivery.views import portal
from kakehashi.delivery.views.office import attendance, completion, teaching

office_patterns: list[URLPattern | URLResolver] = [
    path("teaching/", teaching.teaching, name="teaching"),
    path(
        "centers/<int:center_id>/sessions/today/",
        teaching.center_sessions,
        name="center-sessions-today",
    ),
    path(
        "sessions/<int:session_id>/attendance/",
        attendance.session_attendance,
        name="session-attendance",
    ),
    path(
        "sessions/<int:session_id>/attendance/all-present/",
        attendance.all_present,
        name="session-all-present",
    ),
    path(
        "sessions/<int:session_id>/check-in/", attendance.check_in_screen, name="session-check-in"
    ),
    path(
        "sessions/<int:session_id>/check-in/code/",
        attendance.check_in_code,
        name="session-check-in-code",
    ),
    path("cohorts/<int:cohort_id>/progress/", completion.cohort_progress, name="cohort-progress"),
    path(
        "enrollments/<int:enrollment_id>/result/",
        completion.record_result,
        name="enrollment-result",
    ),
    path(
        "enrollments/<int:enrollment_id>/complete/",
        completion.complete,
        name="enrollment-complete",
    ),
    path(
        "programs/<int:program_id>/completion/",
        completion.program_completion,
        name="program-completion",
    ),
]

portal_patterns: list[URLPattern | URLResolver] = [
    path("check-in/<str:code>/", portal.check_in, name="check-in"),
]

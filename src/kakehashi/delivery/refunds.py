"""What payments needs to refund by a cohort's rule: how much of it the participant had.

Payments sits below this app and cannot read attendance, so this app tells it, for an
enrollment, when the cohort starts, how many sessions it has and how many of them the
participant did not attend (including those still to come).
"""

from kakehashi.admissions.models import Enrollment
from kakehashi.delivery.models import ATTENDED, Attendance
from kakehashi.payments.refund_rules import Progress

SUBJECT_TYPE = "admissions.enrollment"


def enrollment_progress(subject: str) -> Progress | None:
    _type, _sep, key = subject.partition(":")
    if not key.isdigit():
        return None
    enrollment = Enrollment.objects.select_related("cohort").filter(pk=int(key)).first()
    if enrollment is None:
        return None
    sessions = enrollment.cohort.sessions.count()
    attended = Attendance.objects.filter(enrollment=enrollment, status__in=ATTENDED).count()
    return Progress(
        starts_on=enrollment.cohort.starts_on,
        sessions=sessions,
        unattended=max(sessions - attended, 0),
    )

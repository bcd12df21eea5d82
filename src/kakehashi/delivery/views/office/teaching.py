"""Where an instructor starts: the sessions they teach today, in the next two weeks, and
those of the last month still missing marks; and, for registrars, each center's sessions
of the day."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kakehashi.admissions.models import Enrollment
from kakehashi.catalog.models import Session
from kakehashi.core.roles import Perm
from kakehashi.core.web.office import office_user, staff_required
from kakehashi.delivery.models import TAKING_PART, Attendance
from kakehashi.network import access
from kakehashi.network.lookups import visible_center

# How far "My sessions" looks ahead, and how far back for sessions still missing marks.
AHEAD = datetime.timedelta(days=14)
BEHIND = datetime.timedelta(days=30)


def _count(queryset: QuerySet[Any], by: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values(by).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_counts(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Annotate ``taking_part`` (people to mark) and ``marked`` (of them, marked), each as
    a subquery, so that a list of sessions is one query however long."""
    return sessions.select_related(
        "cohort__program", "cohort__center", "room", "instructor"
    ).annotate(
        taking_part=_count(
            Enrollment.objects.filter(cohort_id=OuterRef("cohort_id"), status__in=TAKING_PART),
            "cohort_id",
        ),
        marked=_count(
            Attendance.objects.filter(
                session_id=OuterRef("pk"), enrollment__status__in=TAKING_PART
            ),
            "session_id",
        ),
    )


@dataclass(frozen=True)
class SessionLine:
    """A session as the lists show it: its local day and how many marks it still needs."""

    session: Session
    day: datetime.date  # at the center

    @property
    def missing(self) -> int:
        return max(0, self.session.taking_part - self.session.marked)  # type: ignore[attr-defined]


def _line(session: Session) -> SessionLine:
    zone = session.cohort.center.tzinfo
    return SessionLine(session, timezone.localtime(session.starts_at, zone).date())


@staff_required
@require_safe
def teaching(request: HttpRequest) -> HttpResponse:
    """ "My sessions": those the person teaches today, in the next 14 days, and those of
    the last 30 days still missing marks, each day at its center's local time."""
    user = office_user(request)
    now = timezone.now()
    centers = access.centers_visible_to(user, Perm.TEACH).values("pk")
    lines = [
        _line(session)
        for session in with_counts(
            Session.objects.filter(
                instructor=user,
                cohort__center__in=centers,
                ends_at__gte=now - BEHIND,
                starts_at__lte=now + AHEAD + datetime.timedelta(days=1),
            )
        ).order_by("starts_at", "pk")
    ]
    today, upcoming, missing = [], [], []
    for line in lines:
        local_today = timezone.localdate(now, line.session.cohort.center.tzinfo)
        if line.day == local_today:
            today.append(line)
        elif line.day > local_today:
            if line.day <= local_today + AHEAD:
                upcoming.append(line)
        elif line.missing:
            missing.append(line)
    return render(
        request,
        "delivery/office/teaching.html",
        {
            "today": today,
            "upcoming": upcoming,
            "missing": list(reversed(missing)),  # the most recent first
            "centers": list(
                access.centers_visible_to(user, Perm.CORRECT_RECORDS).order_by("network_id", "pk")
            ),
        },
    )


@staff_required
@require_safe
def center_sessions(request: HttpRequest, center_id: int) -> HttpResponse:
    """A center's sessions of the day (at its local time), whoever teaches them, for the
    people who may correct its records."""
    user = office_user(request)
    center = visible_center(user, center_id)
    if not access.has_perm(user, Perm.CORRECT_RECORDS, network=center.network_id, center=center):
        raise PermissionDenied(
            _("You may see %(center)s but not take its attendance.") % {"center": center.name}
        )
    today = timezone.localdate(timezone=center.tzinfo)
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=center.tzinfo)
    lines = [
        _line(session)
        for session in with_counts(
            Session.objects.filter(
                cohort__center=center,
                starts_at__gte=start,
                starts_at__lt=start + datetime.timedelta(days=1),
            )
        ).order_by("starts_at", "pk")
    ]
    return render(
        request,
        "delivery/office/center_sessions.html",
        {"center": center, "today": today, "lines": lines},
    )

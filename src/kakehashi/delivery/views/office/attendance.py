"""Taking attendance on a phone: a four-way choice per person, saved as it is tapped (htmx)
or with one form post (without JavaScript), "All present", and the check-in QR code.

Marks are sent as ``mark-<enrollment id>=<mark>``. With htmx each change posts only its own
person's mark, so a page left open never resends marks someone else changed since; the
answer is that person's row again, with the counts, and the outcome in a live region.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kakehashi.admissions.models import Enrollment
from kakehashi.catalog.models import Session
from kakehashi.core import errors
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.core.web.office import is_htmx, office_user, refuse, staff_required
from kakehashi.delivery import codes, services
from kakehashi.delivery.models import TAKING_PART, Attendance, Mark
from kakehashi.delivery.views.office import visible_session

FIELD_PREFIX = "mark-"


@dataclass
class AttendanceRow:
    """One person on the attendance list, with their mark (None: not marked yet)."""

    enrollment: Enrollment
    attendance: Attendance | None
    chosen: str = ""  # the mark shown as chosen, when it differs from the stored one
    error: str = ""

    @property
    def status(self) -> str:
        return self.chosen or (self.attendance.status if self.attendance else "")

    @property
    def field(self) -> str:
        return f"{FIELD_PREFIX}{self.enrollment.pk}"


def _rows(session: Session, only: int | None = None) -> list[AttendanceRow]:
    people = Enrollment.objects.filter(cohort_id=session.cohort_id, status__in=TAKING_PART)
    if only is not None:
        people = people.filter(pk=only)
    marks = {
        attendance.enrollment_id: attendance
        for attendance in Attendance.objects.filter(session=session)
    }
    return [
        AttendanceRow(enrollment, marks.get(enrollment.pk))
        for enrollment in people.select_related("participant").order_by(
            "participant__full_name", "pk"
        )
    ]


def _counts(session: Session) -> dict[str, int]:
    """Each mark's count among the people taking part, and how many are not marked."""
    statuses = Counter(
        Attendance.objects.filter(session=session, enrollment__status__in=TAKING_PART).values_list(
            "status", flat=True
        )
    )
    taking_part = Enrollment.objects.filter(
        cohort_id=session.cohort_id, status__in=TAKING_PART
    ).count()
    counts = {mark: statuses[mark] for mark in Mark.values}
    counts["unmarked"] = max(0, taking_part - sum(statuses.values()))
    counts["total"] = taking_part
    return counts


def qr_svg(url: str) -> SafeString:
    """``url`` as a QR code, inline SVG that scales to its box."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr", dark="#000", light="#fff"
    )
    # segno escapes nothing it is given but the URL, which Kakehashi built itself.
    return mark_safe(svg)  # noqa: S308


def check_in_context(request: HttpRequest, session: Session) -> dict[str, Any]:
    code = codes.check_in_code(session)
    url = request.build_absolute_uri(reverse("portal:check-in", args=[code]))
    return {
        "check_in_url": url,
        "qr": qr_svg(url),
        "refresh_seconds": codes.REFRESH_SECONDS,
        "check_in_over": session.ends_at < timezone.now(),
    }


def attendance_context(
    request: HttpRequest, user: User, session: Session, rows: list[AttendanceRow] | None = None
) -> dict[str, Any]:
    now = timezone.now()
    center = session.cohort.center
    refusal = services.marking_refusal(StaffActor(user), session, now=now)
    may_mark = refusal is None and not center.is_read_only
    context: dict[str, Any] = {
        "session": session,
        "cohort": session.cohort,
        "center": center,
        "rows": _rows(session) if rows is None else rows,
        "counts": _counts(session),
        "marks": Mark.choices,
        "may_mark": may_mark,
        # Why the marks cannot be changed, when the person could otherwise take attendance.
        "closed_because": refusal.message
        if isinstance(refusal, services.MarkingClosed) and not center.is_read_only
        else "",
        "may_show_check_in": services.may_show_check_in(StaffActor(user), session),
    }
    if context["may_show_check_in"]:
        context.update(check_in_context(request, session))
    return context


def _posted_marks(data: Mapping[str, str]) -> dict[int, str]:
    """The marks in a form post; a field naming no enrollment is refused, not ignored."""
    marks: dict[int, str] = {}
    for name, value in data.items():
        if not name.startswith(FIELD_PREFIX):
            continue
        key = name.removeprefix(FIELD_PREFIX)
        if not key.isdigit() or len(key) > 18:
            raise errors.InvalidInput(
                _("%(field)s does not name anyone on the list.") % {"field": name},
                fields={"marks": _("Reload the page and try again.")},
            )
        marks[int(key)] = value
    return marks


def _done(marked: int) -> str:
    return ngettext("%(count)d mark saved.", "%(count)d marks saved.", marked) % {"count": marked}


def _error_rows(
    session: Session, marks: Mapping[int, str], error: errors.DomainError
) -> list[AttendanceRow]:
    """The list as it was posted, with the refusal beside the person it names."""
    rows = _rows(session)
    for row in rows:
        row.chosen = marks.get(row.enrollment.pk, "")
        row.error = error.fields.get(f"marks.{row.enrollment.pk}", "")
    return rows


@never_cache
@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """The attendance list of one session: who is taking part, their marks and the counts;
    marks are saved per person (htmx) or all at once (a plain form post)."""
    user = office_user(request)
    session = visible_session(user, session_id)
    if request.method != "POST":
        return render(
            request,
            "delivery/office/attendance.html",
            attendance_context(request, user, session),
        )
    # Who may mark is decided before what was posted is judged.
    refusal = services.teaching_refusal(StaffActor(user), session)
    if refusal is not None:
        refuse(refusal)
    marks: dict[int, str] = {}
    try:
        marks = _posted_marks(request.POST)
        saved = services.mark_attendance(actor=StaffActor(user), session=session, marks=marks)
    except errors.DomainError as error:
        refuse(error)
        if is_htmx(request):
            return _refused_in_place(request, user, session, marks, error)
        context = attendance_context(request, user, session, _error_rows(session, marks, error))
        context["outcome"] = {"text": error.message, "error": True}
        return render(request, "delivery/office/attendance.html", context, status=error.status)
    if is_htmx(request) and len(saved) == 1:
        [row] = _rows(session, only=saved[0].enrollment_id)
        text = _("%(name)s: %(mark)s.") % {
            "name": row.enrollment.participant.full_name,
            "mark": saved[0].get_status_display(),
        }
        return _row_update(request, user, session, row, text, failed=False)
    messages.success(request, _done(len(saved)))
    return HttpResponseRedirect(reverse("office:session-attendance", args=[session.pk]))


def _refused_in_place(
    request: HttpRequest,
    user: User,
    session: Session,
    marks: Mapping[int, str],
    error: errors.DomainError,
) -> HttpResponse:
    """Answer htmx with the stored mark again and the reason beside it; when the person is
    no longer on the list (withdrawn meanwhile), with the whole list instead. Always 200:
    htmx swaps in nothing else."""
    rows = _rows(session)
    row = next((row for row in rows if len(marks) == 1 and row.enrollment.pk in marks), None)
    if row is not None:
        row.error = error.fields.get(f"marks.{row.enrollment.pk}") or error.message
        return _row_update(request, user, session, row, error.message, failed=True)
    context = attendance_context(request, user, session, rows)
    context["outcome"] = {"text": error.message, "error": True}
    response = render(request, "delivery/office/_attendance_update.html", context)
    response["HX-Retarget"] = "#attendance"
    response["HX-Reswap"] = "outerHTML"
    patch_vary_headers(response, ["HX-Request"])
    return response


def _row_update(
    request: HttpRequest,
    user: User,
    session: Session,
    row: AttendanceRow,
    text: str,
    *,
    failed: bool,
) -> HttpResponse:
    context = {
        "session": session,
        "row": row,
        "counts": _counts(session),
        "marks": Mark.choices,
        "may_mark": services.may_mark(StaffActor(user), session),
        "outcome": {"text": text, "error": failed},
    }
    response = render(request, "delivery/office/_attendance_row_update.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required
@require_POST
def all_present(request: HttpRequest, session_id: int) -> HttpResponse:
    """Mark everyone not yet marked as present; marks already made stay."""
    user = office_user(request)
    session = visible_session(user, session_id)
    try:
        count = services.mark_all_present(actor=StaffActor(user), session=session)
    except errors.DomainError as error:
        refuse(error)
        text, failed = error.message, True
    else:
        failed = False
        text = (
            ngettext("%(count)d person marked present.", "%(count)d people marked present.", count)
            % {"count": count}
            if count
            else _("Everyone already has a mark; nothing changed.")
        )
    if is_htmx(request):
        context = attendance_context(request, user, session)
        context["outcome"] = {"text": text, "error": failed}
        response = render(request, "delivery/office/_attendance_update.html", context)
    else:
        messages.add_message(request, messages.ERROR if failed else messages.SUCCESS, text)
        response = HttpResponseRedirect(
            reverse("office:session-attendance", args=[session.pk]) + "#attendance"
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _check_in_session(request: HttpRequest, session_id: int) -> tuple[User, Session]:
    user = office_user(request)
    session = visible_session(user, session_id)
    refusal = services.teaching_refusal(StaffActor(user), session)
    if refusal is not None:
        raise PermissionDenied(refusal.message)
    if session.cohort.center.is_read_only:
        raise PermissionDenied(_("This center is closed; nobody checks in any more."))
    return user, session


@never_cache
@staff_required
@require_safe
def check_in_screen(request: HttpRequest, session_id: int) -> HttpResponse:
    """The check-in QR code, as large as the screen, for the room to scan; a new code
    every minute."""
    _user, session = _check_in_session(request, session_id)
    context = {"session": session, "cohort": session.cohort, "center": session.cohort.center}
    context.update(check_in_context(request, session))
    return render(request, "delivery/office/check_in.html", context)


@never_cache
@staff_required
@require_safe
def check_in_code(request: HttpRequest, session_id: int) -> HttpResponse:
    """A fresh check-in code, the part of the page htmx polls for."""
    _user, session = _check_in_session(request, session_id)
    context: dict[str, Any] = {"session": session}
    context.update(check_in_context(request, session))
    return render(request, "delivery/office/_qr.html", context)

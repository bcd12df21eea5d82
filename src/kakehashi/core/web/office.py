"""Who may use the office, and how a page turns a service's refusal into an answer.

Core sits below the network app, which knows who holds a staff role; the network app
tells this module how to ask (``register_staff_check``) when Django starts.
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from kakehashi.core import errors
from kakehashi.core.models import User
from kakehashi.core.web.forms import OfficeForm

P = ParamSpec("P")

StaffCheck = Callable[[User], bool]

_staff_check: StaffCheck | None = None


def register_staff_check(check: StaffCheck) -> None:
    """Tell the office how to know a staff member: someone with a role at a center or
    network-wide. Call from the owning app's ``AppConfig.ready``."""
    global _staff_check
    _staff_check = check


def _is_staff(user: User) -> bool:
    if _staff_check is None:
        # Failing closed: without the check, nobody would be refused at all.
        raise ImproperlyConfigured("No staff check is registered for the office.")
    return user.is_superuser or _staff_check(user)


def office_user(request: HttpRequest) -> User:
    """The signed-in staff member (``staff_required`` has checked there is one)."""
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def staff_required(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Anonymous people go to the login page; signed-in people without any staff role
    (at a center or network-wide) are refused with 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            if is_htmx(request):
                # htmx would swap the login page into the roster; send the whole window
                # there instead, to come back to the page the person was on.
                current = urlsplit(request.headers.get("HX-Current-URL", ""))
                back = current.path + (f"?{current.query}" if current.query else "")
                response = HttpResponse(status=401)
                response["HX-Redirect"] = redirect_to_login(
                    back or "/office/", resolve_url(settings.LOGIN_URL)
                ).url
                return response
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        if not _is_staff(cast(User, user)):
            raise PermissionDenied(_("The office is for the staff of a center or a network."))
        return view(request, *args, **kwargs)

    return wrapper


def refuse(error: errors.DomainError) -> None:
    """Turn a service's refusal to act for this person into a 403 (or a 404); a lock
    timeout goes on to the busy page (503), since nothing about the request was wrong."""
    if isinstance(error, errors.LockTimeout):
        raise error
    if isinstance(error, errors.PermissionDenied):
        raise PermissionDenied(error.message) from error
    if isinstance(error, errors.NotFound):
        raise Http404(error.message) from error


def show_refusal(form: OfficeForm, error: errors.DomainError) -> None:
    """A refusal for this person answers 403 or 404; any other is shown on the form."""
    refuse(error)
    form.show_refusal(error)

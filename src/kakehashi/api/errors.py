"""Every API error is JSON ``{"code", "message", "fields"}`` with a 4xx status, or 503 with
``Retry-After`` when the change waited too long for a lock (try again)."""

from typing import Any

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kakehashi.core.busy import retry_after
from kakehashi.core.errors import DomainError, LockTimeout
from kakehashi.core.locking import busy, is_lock_timeout


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _field_name(location: list[Any]) -> str:
    # ninja reports ("body", "payload", "participant", "email"); the client knows its own
    # payload, so name the path inside it. A missing body is reported as ("body", "payload"):
    # call it "body", which the client can act on.
    parts = [str(part) for part in location if part not in ("body", "query", "path", "payload")]
    return ".".join(parts) or (str(location[0]) if location else "request")


# ninja raises HttpError for what it refuses before a handler runs: a body that is not JSON
# (400), a method the path does not have (405), too many requests (429).
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = api.create_response(
            request, error_body(exc.code, exc.message, exc.fields), status=exc.status
        )
        if isinstance(exc, LockTimeout):
            response["Retry-After"] = retry_after()
        return response

    # SQLite's "database is locked" can come at BEGIN IMMEDIATE or at commit, outside the
    # lock helper; it is the same "busy, try again" as a lock timeout inside it.
    @api.exception_handler(DatabaseError)
    def database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
        if not is_lock_timeout(exc):
            raise exc
        return domain_error(request, busy())

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(list(error.get("loc", []))), str(error.get("msg", "")))
        names = ", ".join(fields)
        message = _("The request has invalid or missing fields: %(names)s.") % {"names": names}
        return api.create_response(request, error_body("invalid", message, fields), status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _("Send a valid API token as 'Authorization: Bearer <token>'.")
        response = api.create_response(request, error_body("unauthenticated", message), status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = HTTP_ERROR_CODES.get(exc.status_code, "error")
        return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request,
            error_body("not_found", _("No such record, or you may not see it.")),
            status=404,
        )

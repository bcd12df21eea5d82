"""Answering "busy, try again" when a change waited too long for a lock.

A lock timeout is not a failure of the request: nothing was changed (the transaction rolled
back) and the same request will most likely succeed a moment later. So pages answer it with
503 and ``Retry-After``, never a 500. The error may come from ``lock_row`` (already a
``LockTimeout``), or straight from the database: SQLite says "database is locked" when
``BEGIN IMMEDIATE`` or the commit waits past the busy timeout, outside any lock helper.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from kakehashi.core.locking import is_lock_timeout


def retry_after() -> str:
    return str(settings.KAKEHASHI_BUSY_RETRY_AFTER_SECONDS)


class BusyMiddleware:
    """Turn a lock timeout anywhere in a page's view into the translated busy page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_lock_timeout(exception):
            return None
        # htmx swaps the partial into the page it came from; a full page otherwise.
        partial = request.headers.get("HX-Request") == "true"
        template = "core/_busy.html" if partial else "core/busy.html"
        response = HttpResponse(render_to_string(template, request=request), status=503)
        response["Retry-After"] = retry_after()
        if partial:
            # htmx ignores 5xx answers unless told to swap them.
            response["HX-Reswap"] = "innerHTML"
        return response

"""The REST API's root: gathers each app's router under /api/v1."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from kakehashi.admissions.api import router as admissions_router
from kakehashi.api import errors
from kakehashi.api.auth import BearerToken
from kakehashi.catalog.api import router as catalog_router
from kakehashi.credentials.api import router as credentials_router
from kakehashi.delivery.api import router as delivery_router
from kakehashi.network.api import router as network_router
from kakehashi.payments.api import router as payments_router


class KakehashiAPI(NinjaAPI):
    """A NinjaAPI whose answers are JSON even for a path or a method it does not have.

    ninja answers a known path with an unknown method by a plain-text 405, and Django
    answers an unknown path under /api/v1 with its HTML 404 page; a client of the API
    should get the same ``{"code", "message", "fields"}`` body as for every other error.
    """

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls: list[URLResolver | URLPattern] = []
        for url in super()._get_urls():
            if isinstance(url, URLPattern):
                url = URLPattern(
                    url.pattern, self._json_405(url.callback), url.default_args, url.name
                )
            urls.append(url)
        urls.append(re_path(r"^", csrf_exempt(self._no_such_path)))
        return urls

    def _json_405(self, view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                message = _("%(method)s is not allowed here; use %(allowed)s.") % {
                    "method": request.method,
                    "allowed": response["Allow"],
                }
                answer = self.create_response(
                    request, errors.error_body("method_not_allowed", message), status=405
                )
                answer["Allow"] = response["Allow"]
                return answer
            return response

        return wrapper

    def _no_such_path(self, request: HttpRequest) -> HttpResponse:
        message = _("There is no %(path)s in the API; see /api/v1/docs.") % {"path": request.path}
        return self.create_response(request, errors.error_body("not_found", message), status=404)


api = KakehashiAPI(
    title="Kakehashi API",
    version="1",
    description="Centers, the catalog and admissions of a network of training centers.",
    urls_namespace="api-v1",
    auth=BearerToken(),
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", network_router)
api.add_router("/", catalog_router)
api.add_router("/", admissions_router)
api.add_router("/", delivery_router)
api.add_router("/", credentials_router)
api.add_router("/", payments_router)

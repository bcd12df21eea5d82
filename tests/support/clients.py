"""Test clients that behave like the callers the product has: a browser that sends the CSRF
token with every form it posts, and an API caller with a bearer token."""

from typing import Any

from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from kakehashi.core.models import ApiToken, User

CSRF_HEADER = "X-CSRFToken"


class PageClient(Client):
    """A browser: CSRF checks are enforced, as in production, and every post carries the
    token the way the pages send it (the form's hidden field, or the header htmx adds from
    the page). ``post_without_token`` is the forged request that must be refused."""

    def __init__(self, **defaults: Any) -> None:
        super().__init__(enforce_csrf_checks=True, **defaults)

    @property
    def csrf_token(self) -> str:
        """The token of this browser's CSRF cookie (one is set, as by an earlier page)."""
        if settings.CSRF_COOKIE_NAME not in self.cookies:
            self.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
        return self.cookies[settings.CSRF_COOKIE_NAME].value

    def post(self, path: str, data: Any = None, *args: Any, **extra: Any) -> Any:  # type: ignore[override]
        headers = {CSRF_HEADER: self.csrf_token, **(extra.pop("headers", None) or {})}
        return super().post(path, data, *args, headers=headers, **extra)

    def post_without_token(self, path: str, data: Any = None, **extra: Any) -> Any:
        return super().post(path, data, **extra)


def page_client(user: User | None = None) -> PageClient:
    """A browser, logged in as ``user`` (anonymous with None)."""
    client = PageClient()
    if user is not None:
        client.force_login(user)
    return client


class ApiClient:
    """A client that speaks JSON to /api/v1 with a bearer token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {}
        if user is not None:
            _token, raw = ApiToken.issue(user=user)
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **params: object):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: object = None):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/api/v1{path}",
            body if body is not None else {},
            content_type="application/json",
            headers=self.headers,
        )

    def patch(self, path: str, body: object):  # type: ignore[no-untyped-def]
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )

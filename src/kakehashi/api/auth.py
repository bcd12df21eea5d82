"""Bearer-token authentication for the REST API."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from kakehashi.core.models import User
from kakehashi.core.services import tokens


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = tokens.user_for_token(token)
        if user is not None:
            request.user = user
        return user

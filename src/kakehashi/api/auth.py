"""Bearer-token authentication for the REST API."""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from kakehashi.core.models import ApiToken, User

# Recording every use would make each read a write; once every few minutes is enough to
# tell which tokens are still used.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token.startswith(ApiToken.PREFIX):
            return None
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(digest=ApiToken.digest_of(token))
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user

"""Calendar feed addresses for the office's pages: ``{% center_feed center as feed %}``."""

from typing import Any

from django import template
from django.http import HttpRequest

from kakehashi.catalog.feeds import FeedLink, center_feed_path, feed_link
from kakehashi.core.models import User
from kakehashi.network.models import Center

register = template.Library()


@register.simple_tag(takes_context=True)
def center_feed(context: dict[str, Any], center: Center) -> FeedLink | None:
    """The signed-in staff member's own feed of ``center`` (None for anybody else)."""
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not isinstance(user, User) or not user.is_authenticated:
        return None
    return feed_link(request, center_feed_path(user, center))

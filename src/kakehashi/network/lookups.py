"""The network's records as a page finds them: only among those the person may see."""

from django.shortcuts import get_object_or_404

from kakehashi.core.models import User
from kakehashi.network import access
from kakehashi.network.models import Center


def visible_center(user: User, center_id: int) -> Center:
    """A center ``user`` may see; any other is not found (404), not refused."""
    return get_object_or_404(
        access.centers_visible_to(user).select_related("network"), pk=center_id
    )

"""The office's pages for teaching: "My sessions", taking attendance (with the check-in
code), and a cohort's completion page with the program's completion rule.

Like every office page, they start from the centers the person may see: another center's
sessions and cohorts are not found (404), and what they may see but not change answers
403. Every change goes through ``kakehashi.delivery.services``.
"""

from django.shortcuts import get_object_or_404

from kakehashi.catalog.models import Session
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.network import access


def visible_session(user: User, session_id: int, perm: Perm = Perm.VIEW_ROSTER) -> Session:
    """A session at a center where ``user`` holds ``perm``; any other is not found."""
    return get_object_or_404(
        Session.objects.filter(
            cohort__center__in=access.centers_visible_to(user, perm).values("pk")
        ).select_related("cohort__program", "cohort__center__network", "room", "instructor"),
        pk=session_id,
    )

"""A cohort's accounts as payments shows them (see ``kakehashi.payments.groups``)."""

from kakehashi.catalog.lookups import visible_cohort
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.payments.groups import GroupPage


def cohort_page(user: User, cohort_id: int, perm: Perm) -> GroupPage:
    """A cohort at a center where ``user`` holds ``perm``; any other is not found."""
    cohort = visible_cohort(user, cohort_id, perm)
    return GroupPage(center=cohort.center, context={"cohort": cohort})

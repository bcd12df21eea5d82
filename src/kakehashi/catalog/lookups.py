"""The catalog's records as a page finds them: only among those the person may see.

Every app's office pages start from these, so that another center's cohorts are simply
not found (404), whichever app draws the page.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from kakehashi.catalog.models import Cohort, Program
from kakehashi.core.models import User
from kakehashi.core.roles import Perm
from kakehashi.network import access
from kakehashi.network.models import Center


def visible_programs(user: User) -> QuerySet[Program]:
    """The catalogs of the networks the person works in (at a center or network-wide)."""
    return Program.objects.filter(network__in=access.networks_visible_to(user).values("pk"))


def visible_cohort(user: User, cohort_id: int, perm: Perm = Perm.VIEW_CENTER) -> Cohort:
    """A cohort at a center where ``user`` holds ``perm``; any other is not found."""
    return get_object_or_404(
        Cohort.objects.filter(
            center__in=access.centers_visible_to(user, perm).values("pk")
        ).select_related("program", "center__network"),
        pk=cohort_id,
    )


def may_schedule(user: User, center: Center) -> bool:
    """Whether ``user`` may schedule cohorts and sessions at ``center`` (never a closed one)."""
    return not center.is_read_only and access.has_perm(
        user, Perm.MANAGE_COHORTS, network=center.network_id, center=center
    )


def roster_url(cohort: Cohort) -> str:
    """A cohort's own page in the office, its roster (drawn by admissions, by URL name)."""
    return reverse("office:roster", kwargs={"cohort_id": cohort.pk})

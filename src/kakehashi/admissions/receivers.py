from typing import Any

from django.dispatch import receiver

from kakehashi.admissions.services.common import promote
from kakehashi.catalog.models import Cohort
from kakehashi.catalog.signals import capacity_increased
from kakehashi.core.actors import Actor


@receiver(capacity_increased, sender=Cohort)
def offer_new_seats_to_waiting_list(
    sender: type[Cohort], cohort: Cohort, actor: Actor, **kwargs: Any
) -> None:
    # Runs inside update_cohort's transaction, with the cohort row already locked.
    from django.utils import timezone

    promote(cohort, actor, now=timezone.now())

"""Background work for admissions, run by the huey consumer (`make run` starts it)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kakehashi.admissions.services import expire_offers
from kakehashi.core.actors import SystemActor


@db_task()
def expire_due_offers_at() -> int:
    """Scheduled for the moment an offer runs out: expire it and pass the seat on."""
    return expire_offers(actor=SystemActor("jobs.expire_offer_when_due"))


@db_periodic_task(crontab(minute="*"))
def expire_due_offers() -> int:
    """Every minute, a sweep for any offer past its time whose own job did not run."""
    return expire_offers(actor=SystemActor("jobs.expire_offers"))

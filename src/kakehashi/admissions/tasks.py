"""Background work for admissions, run by the huey consumer."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kakehashi.admissions.services import expire_offers


@db_periodic_task(crontab(minute="*"))
def expire_due_offers() -> int:
    """Every minute: offers past their time expire and their seats pass on."""
    return expire_offers()

"""Background work of payments: card refunds, asked of the provider after commit."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kakehashi.payments import card_refunds


@db_task(retries=card_refunds.MAX_ATTEMPTS, retry_delay=60)
def send_card_refund(refund_id: int) -> str:
    return card_refunds.send(refund_id)


@db_periodic_task(crontab(minute="*/10"))
def send_pending_card_refunds() -> int:
    """Every ten minutes, pending card refunds whose own job did not run."""
    return card_refunds.send_pending(older_than_seconds=600)

"""Background work of the core: sending the outbox."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kakehashi.core import outbox


@db_task(retries=outbox.MAX_ATTEMPTS, retry_delay=60)
def send_queued_email(mail_id: int) -> bool:
    return outbox.send(mail_id)


@db_periodic_task(crontab(minute="*/5"))
def send_waiting_email() -> int:
    """Every five minutes, mail whose own job did not run, and mail whose worker died
    while sending it (given back to the queue first)."""
    # A reclaimed mail's own job died with its worker, so it is sent here and now.
    sent = sum(outbox.send(mail_id) for mail_id in outbox.reclaim_stalled())
    return sent + outbox.send_waiting(older_than_seconds=300)

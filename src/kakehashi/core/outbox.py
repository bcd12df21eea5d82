"""Queueing mail in the outbox and sending it from the job queue."""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from kakehashi.core.models import OutgoingEmail

log = logging.getLogger(__name__)

# How many times a mail is tried before it is marked failed for a person to look at.
MAX_ATTEMPTS = 6


def queue_email(*, to: str, subject: str, body: str) -> OutgoingEmail:
    """Put a mail in the outbox, inside the caller's transaction; it leaves after commit."""
    if not connection.in_atomic_block:
        raise RuntimeError("queue_email() must run inside the transaction of the change")
    mail = OutgoingEmail.objects.create(to=to, subject=" ".join(subject.split()), body=body)
    transaction.on_commit(partial(_schedule, mail.pk))
    return mail


def _schedule(mail_id: int) -> None:
    from kakehashi.core.tasks import send_queued_email  # tasks import this module

    send_queued_email(mail_id)


def send(mail_id: int) -> bool:
    """Send one queued mail; True when it went. Safe to call twice, from two workers.

    The conditional UPDATE claims the mail: only one caller moves it from queued to
    sending, so a mail is never sent twice by racing workers.
    """
    claimed = OutgoingEmail.objects.filter(pk=mail_id, status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.SENDING
    )
    if not claimed:
        return False
    mail = OutgoingEmail.objects.get(pk=mail_id)
    try:
        EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[mail.to],
        ).send()
    except Exception as error:
        attempts = mail.attempts + 1
        status = (
            OutgoingEmail.Status.FAILED if attempts >= MAX_ATTEMPTS else OutgoingEmail.Status.QUEUED
        )
        OutgoingEmail.objects.filter(pk=mail_id).update(
            status=status, attempts=attempts, last_error=f"{type(error).__name__}: {error}"
        )
        log.warning("mail %s to %s failed (attempt %s): %s", mail_id, mail.to, attempts, error)
        if status == OutgoingEmail.Status.QUEUED:
            raise  # the job queue retries after a delay
        return False
    OutgoingEmail.objects.filter(pk=mail_id).update(
        status=OutgoingEmail.Status.SENT, attempts=mail.attempts + 1, sent_at=timezone.now()
    )
    return True


def send_waiting(*, older_than_seconds: int = 60) -> int:
    """Send queued mail whose own job was lost (a restart, a queue outage)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    sent = 0
    for mail_id in OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.QUEUED, created_at__lt=cutoff
    ).values_list("pk", flat=True):
        try:
            sent += send(mail_id)
        except Exception:  # already recorded on the mail; the next sweep tries again
            log.info("mail %s is still waiting", mail_id)
    return sent

"""Queueing mail in the outbox and sending it from the job queue.

A mail may carry attachments: bytes given when it is queued, or a document named by its
*source* (``payments.entry:12``) that the app owning it renders when the mail is sent. An
app registers how to render its sources at startup (``register_attachment_source``), so the
outbox depends on no app, and a document that takes a second to render is rendered by the
job after commit, never inside the change's transaction while its rows are locked.
"""

import datetime
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from kakehashi.core.models import OutgoingAttachment, OutgoingEmail

log = logging.getLogger(__name__)

# How many times a mail is tried before it is marked failed for a person to look at.
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class Attachment:
    """A file to send with a mail: its ``content``, or the ``source`` that renders it."""

    filename: str
    content_type: str
    content: bytes | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if (self.content is None) == (not self.source):
            raise ValueError("an attachment has either content or a source, not both or neither")
        if not self.filename or "/" in self.filename or "\\" in self.filename:
            raise ValueError(f"{self.filename!r} is not a file name")


# Source kind ("payments.entry") -> the function that returns the bytes of one source.
AttachmentSource = Callable[[str], bytes]
_sources: dict[str, AttachmentSource] = {}


def register_attachment_source(kind: str, render: AttachmentSource) -> None:
    """Tell the outbox how to render attachments whose source is ``<kind>:<reference>``.

    Call from the owning app's ``AppConfig.ready``; ``render`` gets the whole source and
    returns the same bytes every time it is asked (the outbox may ask again on a retry).
    """
    _sources[kind] = render


def unregister_attachment_source(kind: str) -> None:
    _sources.pop(kind, None)


def render_attachment(source: str) -> bytes:
    """The bytes of ``source``; LookupError when no app renders its kind."""
    kind = source.split(":", 1)[0]
    render = _sources.get(kind)
    if render is None:
        raise LookupError(f"no app renders attachments of kind {kind!r} ({source})")
    return render(source)


def queue_email(
    *, to: str, subject: str, body: str, attachments: Sequence[Attachment] = ()
) -> OutgoingEmail:
    """Put a mail in the outbox, inside the caller's transaction; it leaves after commit."""
    if not connection.in_atomic_block:
        raise RuntimeError("queue_email() must run inside the transaction of the change")
    mail = OutgoingEmail.objects.create(to=to, subject=" ".join(subject.split()), body=body)
    if attachments:
        OutgoingAttachment.objects.bulk_create(
            OutgoingAttachment(
                email=mail,
                filename=attachment.filename,
                content_type=attachment.content_type,
                content=attachment.content,
                source=attachment.source,
            )
            for attachment in attachments
        )
    transaction.on_commit(partial(_schedule, mail.pk))
    return mail


def _schedule(mail_id: int) -> None:
    from kakehashi.core.tasks import send_queued_email  # tasks import this module

    send_queued_email(mail_id)


def message_id(mail: OutgoingEmail) -> str:
    """The Message-ID of ``mail``, the same on every attempt: a copy sent twice (see
    ``send``) is recognisably the same message to mail servers and clients."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<kakehashi-outbox-{mail.pk}.{mail.created_at:%Y%m%d%H%M%S}@{domain}>"


def _message(mail: OutgoingEmail) -> EmailMessage:
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        headers={"Message-ID": message_id(mail)},
    )
    for attachment in OutgoingAttachment.objects.filter(email=mail).order_by("pk"):
        content = (
            bytes(attachment.content)
            if attachment.content is not None
            else render_attachment(attachment.source)
        )
        message.attach(attachment.filename, content, attachment.content_type)
    return message


def send(mail_id: int) -> bool:
    """Send one queued mail; True when it went. Safe to call twice, from two workers.

    The conditional UPDATE claims the mail: only one caller moves it from queued to
    sending, so a mail is never sent twice by racing workers. An attachment that cannot be
    rendered counts as a failed attempt, like a mail server that is down.

    A worker killed while it holds a claim leaves the mail "sending"; ``reclaim_stalled``
    gives it back to the queue after ``KAKEHASHI_MAIL_CLAIM_TIMEOUT_SECONDS``. Where the
    kill lands decides what the recipient sees:

    - before the mail server has answered the end of the message with 250: the server
      did not take the mail (SMTP makes it responsible only from that reply on), so the
      mail is sent again and arrives once;
    - after the 250 but before the UPDATE below marks it sent (a few milliseconds): the
      mail is sent again and arrives twice, with the same Message-ID. That window is
      at-least-once; closing it would need the mail server to deduplicate by Message-ID.
    """
    claimed = OutgoingEmail.objects.filter(pk=mail_id, status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.SENDING, claimed_at=timezone.now()
    )
    if not claimed:
        return False
    mail = OutgoingEmail.objects.get(pk=mail_id)
    try:
        _message(mail).send()
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


def reclaim_stalled(*, older_than_seconds: int | None = None) -> list[int]:
    """Give back to the queue the mail claimed by a worker that died before it finished;
    returns their ids, for the caller to send (their own jobs died with the worker).

    A live worker gives up on the mail server after ``EMAIL_TIMEOUT``, which settings keep
    well under the claim timeout, so a mail still "sending" after it was claimed by a
    worker that is gone. The UPDATE is conditional on the claim it found, so two sweeps
    (or a sweep and a late worker) never both take it.
    """
    seconds = (
        settings.KAKEHASHI_MAIL_CLAIM_TIMEOUT_SECONDS
        if older_than_seconds is None
        else older_than_seconds
    )
    cutoff = timezone.now() - datetime.timedelta(seconds=seconds)
    reclaimed: list[int] = []
    for mail_id, claimed_at in OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.SENDING, claimed_at__lt=cutoff
    ).values_list("pk", "claimed_at"):
        taken = OutgoingEmail.objects.filter(
            pk=mail_id, status=OutgoingEmail.Status.SENDING, claimed_at=claimed_at
        ).update(status=OutgoingEmail.Status.QUEUED, claimed_at=None)
        if taken:
            log.warning("mail %s was claimed by a worker that stopped; queued again", mail_id)
            reclaimed.append(mail_id)
    return reclaimed

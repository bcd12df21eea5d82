"""The outbox sends mail through a real SMTP server, after commit, once, with retries."""

import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction

from kakehashi.core import outbox
from kakehashi.core.models import OutgoingEmail


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


def test_mail_leaves_after_commit_through_smtp(
    db, smtp, jobs_inline, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        mail = outbox.queue_email(to="anna@example.org", subject="Ваша заявка", body="こんにちは")
        assert smtp.messages == []  # nothing leaves before the change commits

    assert len(smtp.messages) == 1
    received = smtp.messages[0]
    assert received["To"] == "anna@example.org"
    assert "こんにちは" in received.get_payload(decode=True).decode()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("sent", 1)


def test_a_change_that_rolls_back_sends_nothing(
    db, smtp, jobs_inline, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.queue_email(to="anna@example.org", subject="x", body="y")
        raise RuntimeError("the change failed")
    assert smtp.messages == []
    assert not OutgoingEmail.objects.exists()


def test_a_mail_server_that_is_down_keeps_the_mail_queued_with_the_reason(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with transaction.atomic():
        mail = outbox.queue_email(to="anna@example.org", subject="x", body="y")

    for attempt in range(1, outbox.MAX_ATTEMPTS):
        with pytest.raises(OSError):
            outbox.send(mail.pk)
        mail.refresh_from_db()
        assert (mail.status, mail.attempts) == ("queued", attempt)
        assert "Connection" in mail.last_error or "refused" in mail.last_error.lower()
    assert outbox.send(mail.pk) is False
    mail.refresh_from_db()
    assert mail.status == "failed"


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_mail_deliver_it_once(smtp):
    with transaction.atomic():
        mail = outbox.queue_email(to="anna@example.org", subject="once", body="only once")
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            outbox.send(mail.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(smtp.messages) == 1


def test_queueing_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox.queue_email(to="anna@example.org", subject="x", body="y")

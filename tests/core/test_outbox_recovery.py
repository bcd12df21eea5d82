"""A job consumer killed while it sends mail loses none and doubles none.

A real ``kakehashi run_huey`` process sends the outbox to a real SMTP server (aiosmtpd)
that is slow to accept the first mail; the consumer is SIGKILLed while it waits for that
reply. After a restart and the outbox's sweep, every queued mail has arrived exactly once.

What this proves is the window that matters most (claimed, handed to the server, no reply
yet). The window after the server's 250 and before the outbox marks the mail sent is
at-least-once by design (see ``outbox.send``): a kill there sends the same Message-ID
again, and no test here pretends otherwise.
"""

import asyncio
import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from kakehashi.core import outbox, tasks
from kakehashi.core.models import OutgoingEmail
from tests.core.test_outbox import free_port

EMAIL_TIMEOUT = 3
CLAIM_TIMEOUT = 2 * EMAIL_TIMEOUT


class SlowToAcceptTheFirst:
    """An SMTP handler that holds its reply to the first mail until the client is gone.

    A mail counts as delivered only if the server could answer 250 to a client still
    there: SMTP makes the server responsible for a mail from that reply on."""

    def __init__(self) -> None:
        self.delivered: list[str] = []  # Message-IDs, in order
        self.first_is_waiting = asyncio.Event()
        self.held_one = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message_id = str(message_from_bytes(envelope.content)["Message-ID"])
        if not self.held_one:
            self.held_one = True
            self.first_is_waiting.set()
            for _tick in range(200):  # at most 10 s
                if server.transport is None or server.transport.is_closing():
                    return "451 the client went away"
                await asyncio.sleep(0.05)
        self.delivered.append(message_id)
        return "250 OK"


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def smtp() -> Iterator[tuple[SlowToAcceptTheFirst, int]]:
    handler = SlowToAcceptTheFirst()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def database_url() -> str:
    """The test database, for the consumer process to use."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{params.get('PORT') or 5432}/{params['NAME']}"


def start_consumer(smtp_port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "KAKEHASHI_VAR_DIR": str(settings.VAR_DIR),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "KAKEHASHI_EMAIL_TIMEOUT_SECONDS": str(EMAIL_TIMEOUT),
        "KAKEHASHI_MAIL_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
    }
    env.pop("KAKEHASHI_TEST_DATABASE", None)
    command = Path(sys.executable).parent / "kakehashi"
    return subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
        [str(command), "run_huey", "--workers", "1", "--no-periodic", "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def statuses() -> list[str]:
    return list(OutgoingEmail.objects.order_by("pk").values_list("status", flat=True))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_mail_whose_consumer_was_killed_mid_send_arrives_exactly_once(smtp):
    handler, port = smtp
    HUEY.flush()
    with transaction.atomic():
        mails = [
            outbox.queue_email(to=f"person{i}@example.org", subject=f"Mail {i}", body="Hello")
            for i in range(3)
        ]
    ids = {outbox.message_id(mail) for mail in mails}

    consumer = start_consumer(port)
    try:
        # The consumer takes a few seconds to start; then it waits on the first reply.
        assert wait_for(handler.first_is_waiting.is_set)
        os.kill(consumer.pid, signal.SIGKILL)
        consumer.wait(10)
    finally:
        if consumer.poll() is None:
            consumer.kill()
    assert OutgoingEmail.Status.SENDING in statuses()  # claimed by a worker now dead
    assert handler.delivered == []

    consumer = start_consumer(port)
    try:
        # Waits out the claim timeout (seconds, set short here) before the sweep may
        # take the claimed mail back; the sweep is the job the schedule runs.
        time.sleep(CLAIM_TIMEOUT + 0.5)
        tasks.send_waiting_email()
        assert wait_for(lambda: statuses() == [OutgoingEmail.Status.SENT] * 3), statuses()
    finally:
        consumer.send_signal(signal.SIGINT)
        try:
            consumer.wait(10)
        except subprocess.TimeoutExpired:
            consumer.kill()
        HUEY.flush()

    assert sorted(handler.delivered) == sorted(ids)  # each mail once, none lost


@pytest.mark.django_db
def test_only_a_claim_older_than_the_timeout_goes_back_to_the_queue(settings):
    settings.KAKEHASHI_MAIL_CLAIM_TIMEOUT_SECONDS = 60
    with transaction.atomic():
        stalled, fresh = (
            outbox.queue_email(to=f"person{i}@example.org", subject="Hello", body="Hello")
            for i in range(2)
        )
    now = timezone.now()
    OutgoingEmail.objects.filter(pk=stalled.pk).update(
        status=OutgoingEmail.Status.SENDING, claimed_at=now - datetime.timedelta(seconds=61)
    )
    OutgoingEmail.objects.filter(pk=fresh.pk).update(
        status=OutgoingEmail.Status.SENDING, claimed_at=now - datetime.timedelta(seconds=5)
    )

    assert outbox.reclaim_stalled() == [stalled.pk]
    assert outbox.reclaim_stalled() == []  # taken back once
    assert statuses() == [OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING]

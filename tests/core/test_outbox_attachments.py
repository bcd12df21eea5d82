"""Mail leaves with its attachments through a real SMTP server: files given when the mail
is queued, and documents rendered by their app only when the mail is sent."""

from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from django.db import transaction

from kakehashi.core import outbox
from kakehashi.core.models import OutgoingAttachment, OutgoingEmail
from tests.core.test_outbox import Inbox, free_port

PDF = b"%PDF-1.4\n% not a real document, only bytes that must arrive unchanged\n\x00\xff\x80"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        controller.port,
        5,
    )
    yield inbox
    controller.stop()


@pytest.fixture
def rendered() -> Iterator[list[str]]:
    """A source kind ``test.document`` whose renderer notes each source it renders."""
    calls: list[str] = []

    def render(source: str) -> bytes:
        calls.append(source)
        if source.endswith(":broken"):
            raise RuntimeError("the document cannot be rendered")
        return b"%PDF-1.4 rendered for " + source.encode()

    outbox.register_attachment_source("test.document", render)
    yield calls
    outbox.unregister_attachment_source("test.document")


def attachments_of(message: Message) -> list[tuple[str | None, str, bytes]]:
    found = []
    for part in message.walk():
        if part.get_content_disposition() == "attachment":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found.append((part.get_filename(), part.get_content_type(), payload))
    return found


def body_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and part.get_content_disposition() is None:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("the mail has no text body")


def test_a_mail_leaves_with_its_attachment_byte_for_byte(db, smtp_server):
    with transaction.atomic():
        mail = outbox.queue_email(
            to="anna@example.org",
            subject="Квитанция",
            body="Спасибо за оплату.",
            attachments=[outbox.Attachment("receipt.pdf", "application/pdf", content=PDF)],
        )

    assert outbox.send(mail.pk) is True

    [received] = smtp_server.messages
    assert received.is_multipart()
    assert body_of(received) == "Спасибо за оплату."
    assert attachments_of(received) == [("receipt.pdf", "application/pdf", PDF)]


def test_attachments_keep_their_order_and_their_names_in_any_script(db, smtp_server):
    with transaction.atomic():
        mail = outbox.queue_email(
            to="anna@example.org",
            subject="x",
            body="y",
            attachments=[
                outbox.Attachment("счёт.pdf", "application/pdf", content=b"first"),
                outbox.Attachment("領収書.txt", "text/plain", content=b"second"),
            ],
        )
    outbox.send(mail.pk)

    [received] = smtp_server.messages
    assert [(name, data) for name, _type, data in attachments_of(received)] == [
        ("счёт.pdf", b"first"),
        ("領収書.txt", b"second"),
    ]


def test_a_sourced_attachment_is_rendered_when_the_mail_is_sent_not_when_it_is_queued(
    db, smtp_server, rendered
):
    with transaction.atomic():
        mail = outbox.queue_email(
            to="anna@example.org",
            subject="x",
            body="y",
            attachments=[outbox.Attachment("doc.pdf", "application/pdf", source="test.document:7")],
        )
        assert rendered == []  # nothing slow runs inside the change's transaction

    outbox.send(mail.pk)

    assert rendered == ["test.document:7"]
    [received] = smtp_server.messages
    assert attachments_of(received) == [
        ("doc.pdf", "application/pdf", b"%PDF-1.4 rendered for test.document:7")
    ]


def test_a_document_that_cannot_be_rendered_keeps_the_mail_queued_with_the_reason(
    db, smtp_server, rendered
):
    with transaction.atomic():
        mail = outbox.queue_email(
            to="anna@example.org",
            subject="x",
            body="y",
            attachments=[
                outbox.Attachment("d.pdf", "application/pdf", source="test.document:broken")
            ],
        )

    with pytest.raises(RuntimeError):
        outbox.send(mail.pk)

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("queued", 1)
    assert "cannot be rendered" in mail.last_error
    assert smtp_server.messages == []  # never sent without its attachment


def test_an_attachment_no_app_renders_fails_the_mail_in_the_end(db, smtp_server):
    with transaction.atomic():
        mail = outbox.queue_email(
            to="anna@example.org",
            subject="x",
            body="y",
            attachments=[outbox.Attachment("d.pdf", "application/pdf", source="nobody.renders:1")],
        )
    for _attempt in range(1, outbox.MAX_ATTEMPTS):
        with pytest.raises(LookupError):
            outbox.send(mail.pk)
    assert outbox.send(mail.pk) is False

    mail.refresh_from_db()
    assert mail.status == "failed"
    assert "nobody.renders" in mail.last_error
    assert smtp_server.messages == []


def test_a_rolled_back_change_leaves_no_mail_and_no_attachment(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue_email(
            to="anna@example.org",
            subject="x",
            body="y",
            attachments=[outbox.Attachment("a.pdf", "application/pdf", content=PDF)],
        )
        raise RuntimeError("the change failed")
    assert not OutgoingEmail.objects.exists()
    assert not OutgoingAttachment.objects.exists()


def test_a_mail_without_attachments_is_still_plain_text(db, smtp_server):
    with transaction.atomic():
        mail = outbox.queue_email(to="anna@example.org", subject="x", body="こんにちは")
    outbox.send(mail.pk)

    [received] = smtp_server.messages
    assert not received.is_multipart()
    assert received.get_payload(decode=True).decode().rstrip() == "こんにちは"


@pytest.mark.parametrize(
    "attachment",
    [
        {"filename": "a.pdf", "content_type": "application/pdf"},
        {"filename": "a.pdf", "content_type": "application/pdf", "content": b"x", "source": "s:1"},
        {"filename": "../a.pdf", "content_type": "application/pdf", "content": b"x"},
        {"filename": "", "content_type": "application/pdf", "content": b"x"},
    ],
)
def test_an_attachment_needs_a_plain_name_and_exactly_one_of_content_or_source(attachment):
    with pytest.raises(ValueError):
        outbox.Attachment(**attachment)

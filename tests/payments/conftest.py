"""Personas and builders for the payments tests."""

from decimal import Decimal
from typing import Any

import pytest

from kakehashi.network.models import Center
from kakehashi.payments import services
from kakehashi.payments.models import Account, Entry
from tests.factories import SYSTEM


def payer(n: int | str = 1, language: str = "en") -> services.Payer:
    return services.Payer(
        name=f"Payer {n}", email=f"payer{n}@example.org", language=language, ref=f"test:{n}"
    )


def open_account(
    center: Center,
    amount: object = "14000",
    currency: str = "RUB",
    *,
    subject: str | None = None,
    n: int | str = 1,
    **extra: Any,
) -> Account:
    """An account owing ``amount``, as an enrollment in a paid cohort would open it."""
    entry = services.record_amount_due(
        actor=SYSTEM,
        center=center,
        subject=subject or f"test.subject:{center.pk}-{n}-{currency}",
        amount=amount,
        currency=currency,
        description="Production management — spring",
        payer=payer(n),
        group=extra.pop("group", f"test.group:{center.pk}"),
        **extra,
    )
    return entry.account


def paid_account(center: Center, amount: object = "14000", currency: str = "RUB") -> Entry:
    """A payment of the whole amount due, returned as the payment entry."""
    account = open_account(center, amount, currency)
    return services.record_payment(actor=SYSTEM, account=account, amount=amount)


def snapshot() -> list[tuple[Any, ...]]:
    """Every ledger entry as stored, to prove that nothing changed."""
    return list(
        Entry.objects.order_by("pk").values_list(
            "pk", "account_id", "kind", "amount", "currency", "refund_of_id", "number", "reason"
        )
    )


@pytest.fixture
def rub_account(center: Center) -> Account:
    return open_account(center, Decimal("14000.00"), "RUB")


WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def stripe(settings: Any) -> Any:
    """Card payments configured against a local Stripe double."""
    from tests.payments.stripe_double import serve

    double, server = serve()
    settings.KAKEHASHI_STRIPE_SECRET_KEY = "sk_test_kakehashi"
    settings.KAKEHASHI_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.KAKEHASHI_STRIPE_API_BASE = double.url
    yield double
    server.shutdown()
    server.server_close()


# --- mail through a real SMTP server, and what a PDF says -------------------------------------


@pytest.fixture
def smtp(settings: Any) -> Any:
    """A real SMTP server (aiosmtpd) on a free local port, which Django's SMTP backend uses."""
    from aiosmtpd.controller import Controller

    from tests.core.test_outbox import Inbox, free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


# Until the translation pass puts the new strings into the catalogs, a test catalog stands in
# for them: the tests prove the mail and the document are written in the payer's language,
# not how good the translation is.
@pytest.fixture
def russian_catalog() -> dict[tuple[str | None, str], str]:
    """The Russian the product's own catalog gives the documents' words."""
    from django.utils import translation

    words = [
        ("document heading", "Invoice"),
        ("document heading", "Receipt"),
        ("document heading", "Refund note"),
        (None, "Payer"),
        (None, "Still to pay"),
    ]
    with translation.override("ru"):
        russian = {
            (context, msgid): translation.pgettext(context, msgid)
            if context
            else translation.gettext(msgid)
            for context, msgid in words
        }
    assert all(text != msgid for (_context, msgid), text in russian.items()), russian
    return russian


def pdf_text(content: bytes) -> str:
    """What ``pdftotext`` (poppler) reads in a PDF: the text a person can copy or search."""
    import shutil
    import subprocess

    program = shutil.which("pdftotext")
    assert program, "pdftotext is not installed (apt-get install poppler-utils)"
    result = subprocess.run(  # noqa: S603 (our own arguments)
        [program, "-layout", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    # Amounts are set with no-break spaces ("14 000,00"); compare them as plain spaces.
    return result.stdout.decode().replace("\u00a0", " ")


def attachments_of(message: Any) -> list[tuple[str | None, str, bytes]]:
    found = []
    for part in message.walk():
        if part.get_content_disposition() == "attachment":
            found.append(
                (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            )
    return found


def body_of(message: Any) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and part.get_content_disposition() is None:
            # Amounts are written with no-break spaces; compare them as plain spaces.
            return str(part.get_payload(decode=True).decode()).replace("\u00a0", " ")
    raise AssertionError("the mail has no text body")


def subject_of(message: Any) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))

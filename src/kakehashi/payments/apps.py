from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "kakehashi.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from kakehashi.core import outbox
        from kakehashi.payments import issuing

        # Invoices, receipts and refund notes are mailed as attachments the outbox asks
        # this app to render when it sends them, after the entry's transaction.
        outbox.register_attachment_source(issuing.SOURCE_KIND, issuing.render_source)

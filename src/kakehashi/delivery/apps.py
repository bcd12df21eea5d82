from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "kakehashi.delivery"
    label = "delivery"
    verbose_name = _("Teaching and completion")

    def ready(self) -> None:
        from kakehashi.delivery import refunds
        from kakehashi.payments.refund_rules import register_progress_source

        # A refund "in proportion to the sessions not attended" needs attendance.
        register_progress_source(refunds.SUBJECT_TYPE, refunds.enrollment_progress)

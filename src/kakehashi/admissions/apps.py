from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "kakehashi.admissions"
    label = "admissions"
    verbose_name = _("Admissions")

    def ready(self) -> None:
        from kakehashi.admissions import receivers  # noqa: F401  (connects signal receivers)

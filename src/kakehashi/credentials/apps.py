from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "kakehashi.credentials"
    label = "credentials"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from django.core import checks as system_checks

        from kakehashi.credentials import checks, key_checks, receivers  # noqa: F401

        # receivers: issue the certificate in the transaction that completes an enrollment.
        system_checks.register(key_checks.check_signing_keys, "kakehashi")
        system_checks.register(checks.check_fonts, "kakehashi")
        system_checks.register(key_checks.check_base_url, "kakehashi", deploy=True)

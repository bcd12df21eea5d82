from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo network: the Japan Centers in Russia, built through the services."""

    name = "kakehashi.demo"
    label = "demo"
    verbose_name = _("Demo network")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "kakehashi.network"
    label = "network"
    verbose_name = _("Network and centers")

    def ready(self) -> None:
        from kakehashi.core.web import office
        from kakehashi.network import access

        # The office is for anyone with a role at a center or network-wide; core's guard
        # cannot read roles (they live in this app), so this app tells it how.
        office.register_staff_check(lambda user: access.networks_visible_to(user).exists())

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "kakehashi.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from kakehashi.catalog import payment_groups
        from kakehashi.payments import groups

        # A cohort's fees are a group of accounts on its center's ledger; payments knows
        # nothing of cohorts, so this app tells it what a cohort's payments page shows.
        groups.register_group_lookup(groups.COHORT, payment_groups.cohort_page)

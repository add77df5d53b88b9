from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "frenchbot.leads"
    label = "leads"
    verbose_name = _("Prospects")

    def ready(self):
        from frenchbot.core.metrics import gauge_register

        from .selectors import lead_counts_by_status

        gauge_register(
            "frenchbot_leads",
            "Leads in the pipeline, by status",
            ["status"],
            lambda: [({"status": status}, count) for status, count in lead_counts_by_status().items()],
        )

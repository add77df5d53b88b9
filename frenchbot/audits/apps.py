from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "frenchbot.audits"
    verbose_name = _("Audit IA")

    def ready(self):
        from frenchbot.retrieval.registry import register

        from .indexing import AuditPageSource

        register(AuditPageSource())

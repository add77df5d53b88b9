from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "frenchbot.assistant"
    verbose_name = _("Assistant")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from frenchbot.retrieval.registry import register

        from .indexing import FaqSource

        register(FaqSource())

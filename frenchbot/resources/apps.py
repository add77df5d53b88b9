from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "frenchbot.resources"
    label = "resources"
    verbose_name = _("Ressources")

    def ready(self):
        from frenchbot.retrieval.registry import register

        from . import signals
        from .indexing import SOURCES

        for source in SOURCES:
            register(source)
        signals.connect()

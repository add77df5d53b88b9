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
        from .services.guides import guide_signals_connect

        for source in SOURCES:
            register(source)
        signals.connect()
        # A guide's body HTML at save, and the page cache retired when a guide or a prompt changes.
        guide_signals_connect()

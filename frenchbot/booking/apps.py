from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "frenchbot.booking"
    label = "booking"
    verbose_name = _("Rendez-vous")

    def ready(self):
        from frenchbot.retrieval.registry import register

        from .indexing import EventTypeSource

        register(EventTypeSource())

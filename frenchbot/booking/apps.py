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

        from frenchbot.core.metrics import gauge_register

        from .selectors import bookings_upcoming_count

        gauge_register(
            "frenchbot_bookings_upcoming",
            "Confirmed bookings still to come",
            [],
            lambda: [({}, bookings_upcoming_count())],
        )

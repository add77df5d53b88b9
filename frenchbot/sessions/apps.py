from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    """Dated sessions of a training and what a certified training body must prove about them (Qualiopi).

    Its label is not « sessions »: that one belongs to django.contrib.sessions."""

    name = "frenchbot.sessions"
    label = "training_sessions"
    verbose_name = _("Sessions de formation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """Staff-only pages at /equipe/. Reads and writes through the other apps' selectors and services; owns
    no model, and nothing imports it."""

    name = "frenchbot.backoffice"
    label = "backoffice"
    verbose_name = _("Espace équipe")

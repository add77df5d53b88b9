from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetrievalConfig(AppConfig):
    name = "frenchbot.retrieval"
    label = "retrieval"
    verbose_name = _("Recherche dans nos contenus")

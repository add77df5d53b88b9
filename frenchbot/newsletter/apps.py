from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "frenchbot.newsletter"
    label = "newsletter"
    verbose_name = _("Lettre d'information")

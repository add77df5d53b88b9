from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "frenchbot.pages"
    label = "pages"
    verbose_name = _("Pages du site")

    def ready(self):
        from frenchbot.retrieval.registry import register

        from .indexing import PageSource

        register(PageSource())

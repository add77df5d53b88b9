from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "frenchbot.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self):
        # Public forms on pages kept in the shared page cache get a fresh time stamp for each visitor.
        from .formguard import FORM_TS_PLACEHOLDER, form_timestamp
        from .pagecache import register_token

        register_token(FORM_TS_PLACEHOLDER, form_timestamp)

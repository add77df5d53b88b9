from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "frenchbot.privacy"
    label = "privacy"
    verbose_name = _("Données personnelles")

    def ready(self):
        # Each app declares its personal data in its own `privacy.py` (as each declares its admin in `admin.py`):
        # found by name, so that this app imports none of them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("privacy")

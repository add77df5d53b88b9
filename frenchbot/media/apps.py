from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "frenchbot.media"
    label = "media"
    verbose_name = _("Médiathèque")

    def ready(self):
        from django.conf import settings
        from PIL import Image as PILImage

        from . import signals  # noqa: F401 - connects the receivers

        # Pillow's own guard, for every decoding in the process (WeasyPrint included), in line with the
        # library's limit: it warns above this and refuses above twice this. Uploads are checked before.
        PILImage.MAX_IMAGE_PIXELS = settings.MEDIA_IMAGE_MAX_PIXELS

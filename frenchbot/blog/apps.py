from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "frenchbot.blog"
    label = "blog"
    verbose_name = _("Blog")

    def ready(self):
        from frenchbot.core.pagecache import register_token

        from .forms import TS_PLACEHOLDER, comment_form_token

        register_token(TS_PLACEHOLDER, comment_form_token)

        from frenchbot.retrieval.registry import register

        from .indexing import ArticleSource

        register(ArticleSource())

        from django.db.models.signals import post_delete

        from frenchbot.media.models import Image

        post_delete.connect(_image_deleted, sender=Image, dispatch_uid="blog:image-deleted")

        from . import signals

        signals.connect()


def _image_deleted(sender, instance, **kwargs) -> None:
    from .services import articles_rerender_for_image

    articles_rerender_for_image(image=instance)

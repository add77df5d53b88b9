from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "frenchbot.events"
    label = "events"
    verbose_name = _("Événements")

    def ready(self):
        from frenchbot.retrieval.registry import register

        from .indexing import EventSource

        register(EventSource())

        from django.db.models.signals import post_delete, post_save

        from .models import Event, Registration
        from .signals import public_pages_changed

        # The home page lists the next events with their seats left; its shared copy is dropped when they change.
        for model in (Event, Registration):
            post_save.connect(
                public_pages_changed, sender=model, dispatch_uid=f"events:pagecache:{model.__name__}"
            )
            post_delete.connect(
                public_pages_changed, sender=model, dispatch_uid=f"events:pagecache:{model.__name__}:delete"
            )

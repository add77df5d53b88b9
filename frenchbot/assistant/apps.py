from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "frenchbot.assistant"
    verbose_name = _("Assistant")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from frenchbot.retrieval.registry import register

        from .indexing import FaqSource

        register(FaqSource())

        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_adopt_conversations, dispatch_uid="assistant:adopt-conversations")


def _adopt_conversations(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    from .services import conversations_adopt

    conversations_adopt(session=request.session, user=user)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "frenchbot.courses"
    label = "courses"
    verbose_name = _("Formations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from frenchbot.retrieval.registry import register

        from . import signals
        from .indexing import LessonSource, TrainingSource, connect_parent_signals

        register(LessonSource())
        register(TrainingSource())
        connect_parent_signals()
        signals.connect()

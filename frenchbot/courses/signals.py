"""Receivers of model signals, connected in `CoursesConfig.ready()`."""

from django.db import transaction

from frenchbot.core.pagecache import pagecache_invalidate


def public_content_changed(sender, raw=False, **kwargs) -> None:
    """A training, a module, a step, a lesson's image or file changed: the shared copies of the catalogue and
    the trainings' pages, the fragments kept per content version (a lesson's body, a programme) and the
    outlines each process keeps are retired once the change is committed — not before, or a request in
    between could keep the old content under the new version."""
    if raw:
        return
    transaction.on_commit(pagecache_invalidate)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import Lesson, LessonImage, Module, PromptExercise, Quiz, Resource, Training

    # Saved from the admin, the demo loader or a shell alike: each reaches the public pages.
    for model in (Training, Module, Lesson, LessonImage, Resource, Quiz, PromptExercise):
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                public_content_changed,
                sender=model,
                dispatch_uid=f"courses:pagecache:{model.__name__}:{name}",
            )

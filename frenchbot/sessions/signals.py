"""Receivers of model signals, connected in `SessionsConfig.ready()`."""

from django.db import transaction

from frenchbot.core.pagecache import pagecache_invalidate


def public_pages_changed(sender, raw=False, **kwargs) -> None:
    """A session, a half-day or the indicators changed: the trainings' pages kept for visitors show the next
    sessions and the indicators, so their shared copies go once the change is committed."""
    if raw:
        return
    transaction.on_commit(pagecache_invalidate)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import HalfDay, IndicatorSnapshot, Registration, TrainingSession

    for model in (TrainingSession, HalfDay, Registration, IndicatorSnapshot):
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                public_pages_changed, sender=model, dispatch_uid=f"sessions:pagecache:{model.__name__}:{name}"
            )

"""Where apps declare what the index holds: each registers an IndexSource for one kind of content."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from .models import Visibility


@dataclass(frozen=True)
class IndexedItem:
    """One piece of content as an app hands it to the index."""

    source_id: str
    title: str
    url: str
    text: str
    visibility: str = Visibility.PUBLIC
    available_from: datetime | None = None


class IndexSource:
    """The contract an app implements for one kind of content.

    `name` identifies the source in the index ("blog.article"); `model` is watched so that saving or deleting
    a row updates the index in the background, through the task queue.
    """

    name: str = ""
    # What a visitor calls this kind of content, plural (« Articles », « Prompts »): the site search groups its
    # results under it. A lazy translation.
    label: str = ""
    model: type[models.Model] | None = None

    def items(self) -> Iterable[IndexedItem]:
        """Everything of this kind that belongs in the index now."""
        raise NotImplementedError

    def item(self, obj: models.Model) -> IndexedItem | None:
        """How one row is indexed, or None when it must not be (a draft, a deleted lesson)."""
        raise NotImplementedError


_sources: dict[str, IndexSource] = {}


def register(source: IndexSource) -> None:
    _sources[source.name] = source
    if source.model is not None:
        uid = f"retrieval:{source.name}"
        post_save.connect(_on_save, sender=source.model, dispatch_uid=uid + ":save", weak=False)
        post_delete.connect(_on_delete, sender=source.model, dispatch_uid=uid + ":delete", weak=False)


def sources() -> list[IndexSource]:
    return list(_sources.values())


def source_get(name: str) -> IndexSource:
    return _sources[name]


def _source_for(model) -> IndexSource | None:
    return next((source for source in _sources.values() if source.model is model), None)


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    source = _source_for(sender)
    if source is None or raw:
        return
    from .tasks import index_object

    object_id = str(instance.pk)
    # After commit, in the background: the admin's save never waits for indexing.
    transaction.on_commit(lambda: index_object.enqueue(source_name=source.name, object_id=object_id))


def _on_delete(sender, instance, **kwargs) -> None:
    source = _source_for(sender)
    if source is None:
        return
    from .tasks import unindex_object

    object_id = str(instance.pk)  # Django clears the pk once the row is deleted
    transaction.on_commit(lambda: unindex_object.enqueue(source_name=source.name, object_id=object_id))

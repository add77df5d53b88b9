"""Background indexing, run by the task queue."""

from django_tasks import task

from .registry import source_get
from .services import document_index_item, document_remove


@task()
def index_object(source_name: str, object_id: str) -> str:
    """Bring one row's entry in the index up to date: indexed, unchanged, or removed."""
    source = source_get(source_name)
    obj = source.model._default_manager.filter(pk=object_id).first()
    item = source.item(obj) if obj is not None else None
    if item is None:
        return "removed" if document_remove(source=source_name, source_id=object_id) else "absent"
    return "indexed" if document_index_item(source=source_name, item=item) else "unchanged"


@task()
def unindex_object(source_name: str, object_id: str) -> bool:
    """Forget a deleted row."""
    return document_remove(source=source_name, source_id=object_id)

"""Background indexing, run by the task queue."""

import logging
import time

from django_tasks import task

from .registry import source_get
from .services import (
    document_index_item,
    document_remove,
    vectors_compute,
    vectors_missing,
)

logger = logging.getLogger(__name__)
# Seconds between two progress lines in the worker's log (the first and the last are always written).
PROGRESS_EVERY = 5.0


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


@task()
def compute_vectors() -> dict[str, int]:
    """Compute the vectors the site's passages lack (queued by a start after indexing their words), with
    progress lines in the worker's log; staff see the same figures on the back-office dashboard."""
    started = time.monotonic()
    last = [float("-inf")]
    if not vectors_missing().exists():
        return {
            "embedded": 0,
            "missing": 0,
        }  # done already (queued by two starts, or by the per-article tasks)

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            logger.info("Index sémantique : %d / %d passages", done, total)

    summary = vectors_compute(progress=progress)
    logger.info(
        "Index sémantique prêt en %.0f s : %d passages vectorisés%s.",
        time.monotonic() - started,
        summary["embedded"],
        f", {summary['missing']} en échec (recherche par mots pour eux)" if summary["missing"] else "",
    )
    return summary

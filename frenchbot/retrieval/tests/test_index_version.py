"""The version that makes a process reload its search vectors is shared by every node, even without Redis."""

import numpy as np
import pytest
from django.test import override_settings

from frenchbot.retrieval import selectors
from frenchbot.retrieval.models import Chunk, Document
from frenchbot.retrieval.services import index_version_bump

pytestmark = pytest.mark.django_db


def _node_cache(name: str):
    """A cache of one node only (each machine's own file cache, when there is no Redis)."""
    return override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}}
    )


def _chunk(document: Document, ordinal: int) -> Chunk:
    vector = np.ones(4, dtype="<f4") / 2
    return Chunk.objects.create(
        document=document, ordinal=ordinal, text="Texte", content_hash=f"h{ordinal}",
        vector=vector.tobytes(), vector_model="m",
    )  # fmt: skip


def test_a_change_indexed_on_one_node_is_searched_on_another_without_a_shared_cache():
    document = Document.objects.create(source="t", source_id="1", title="T", url="/t/", content_hash="x")
    _chunk(document, 0)
    with _node_cache("node-b"):
        before = selectors._vector_index(collection="site", model_id="m", dimensions=4)
    assert len(before.ids) == 1

    with _node_cache("node-a"):  # node A indexes a new passage and says so
        added = _chunk(document, 1)
        index_version_bump()

    with _node_cache("node-b"):
        after = selectors._vector_index(collection="site", model_id="m", dimensions=4)
    assert after.row(added.pk) is not None

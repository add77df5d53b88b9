"""Reads of the index: a question in, ranked passages out."""

import logging
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.text import french_analyze

from .backends import get_lexical_backend
from .embedders import EmbedderError, bytes_to_matrix, get_embedder
from .models import Chunk, Visibility
from .services import VERSION_KEY

logger = logging.getLogger(__name__)
# How many candidates each side brings to the fusion, per result asked.
CANDIDATES_PER_RESULT = 5

MAX_QUERY_LENGTH = 2000


class QueryError(ValueError):
    """A question the index cannot take; `message` is for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float

    @property
    def url(self) -> str:
        return self.chunk.url

    @property
    def title(self) -> str:
        return self.chunk.document.title


def search_validate(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise QueryError(_("Posez une question : le champ est vide."))
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            _(
                "Votre question est trop longue (%(n)d caractères, %(max)d au plus) : résumez-la en quelques phrases."
            )
            % {"n": len(query), "max": MAX_QUERY_LENGTH}
        )
    return query


@dataclass
class _VectorIndex:
    version: int
    ids: np.ndarray
    rows: dict[int, int]
    matrix: np.ndarray
    visibility: np.ndarray
    available_from: np.ndarray


_vector_indexes: dict[tuple[str, str], _VectorIndex] = {}
_vector_lock = threading.Lock()


def _vector_index(*, collection: str, model_id: str, dimensions: int) -> _VectorIndex:
    """The collection's vectors as one matrix, loaded once per process and reloaded when the index changes."""
    version = cache.get(VERSION_KEY, 1)
    key = (collection, model_id)
    current = _vector_indexes.get(key)
    if current is not None and current.version == version:
        return current
    with _vector_lock:
        rows = list(
            Chunk.objects.filter(document__collection=collection, vector_model=model_id)
            .exclude(vector=None)
            .values_list("id", "vector", "document__visibility", "document__available_from")
        )
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        loaded = _VectorIndex(
            version=version,
            ids=ids,
            rows={int(chunk_id): position for position, chunk_id in enumerate(ids)},
            matrix=bytes_to_matrix([row[1] for row in rows], dimensions),
            visibility=np.array([row[2] for row in rows], dtype=object),
            available_from=np.array(
                [row[3].timestamp() if row[3] else -np.inf for row in rows], dtype=np.float64
            ),
        )
        _vector_indexes[key] = loaded
        return loaded


def _semantic_scores(query: str, *, collection, visibilities, now):
    """Cosine similarity of the question to every visible passage: (index, scores), or None when unavailable."""
    if not settings.RETRIEVAL_SEMANTIC:
        return None
    try:
        embedder = get_embedder()
        query_vector = embedder.embed_query(query)
        index = _vector_index(
            collection=collection, model_id=embedder.model_id, dimensions=embedder.dimensions
        )
    except EmbedderError:
        logger.exception("Query embedding failed; answering from lexical search only")
        return None
    if not len(index.ids):
        return None
    scores = index.matrix @ query_vector
    hidden = ~np.isin(index.visibility, list(visibilities)) | (index.available_from > now.timestamp())
    scores[hidden] = -np.inf
    return index, scores


def search(
    *,
    query: str,
    collection: str = "site",
    visibilities: tuple[str, ...] = (Visibility.PUBLIC,),
    limit: int = 10,
    lexical: bool | None = None,
    semantic: bool | None = None,
) -> list[SearchHit]:
    """Passages that best match the question, best first; an empty list when nothing matches.

    Hybrid by default: BM25 scores (divided by the best one) and cosine similarities are blended linearly,
    with RETRIEVAL_FUSION_WEIGHT on the semantic side; either side can be turned off (settings, or the
    arguments). Raises QueryError for an empty or over-long question. Symbols, operators and emoji are not
    syntax here: a question made only of them finds nothing.
    """
    query = search_validate(query)
    use_lexical = settings.RETRIEVAL_LEXICAL if lexical is None else lexical
    use_semantic = settings.RETRIEVAL_SEMANTIC if semantic is None else semantic
    tokens = french_analyze(query)
    if not tokens:
        return []
    now = timezone.now()
    pool = limit * CANDIDATES_PER_RESULT
    lexical_ranked = (
        get_lexical_backend().search(
            tokens, collection=collection, visibilities=list(visibilities), limit=pool, now=now
        )
        if use_lexical
        else []
    )
    semantic_result = (
        _semantic_scores(query, collection=collection, visibilities=visibilities, now=now)
        if use_semantic
        else None
    )
    if semantic_result is None:
        ranked = lexical_ranked[:limit]
    else:
        index, cosine = semantic_result
        weight = settings.RETRIEVAL_FUSION_WEIGHT if use_lexical else 1.0
        best_lexical = max((score for _, score in lexical_ranked), default=0.0) or 1.0
        fused = {chunk_id: (1 - weight) * score / best_lexical for chunk_id, score in lexical_ranked}
        top = np.argsort(-cosine)[:pool]
        # A passage found by meaning alone must be close enough: below this, it is noise, not an answer.
        floor = settings.RETRIEVAL_SEMANTIC_MIN_SIMILARITY
        candidates = set(fused) | {int(index.ids[row]) for row in top if cosine[row] >= floor}
        ranked = []
        for chunk_id in candidates:
            row = index.rows.get(chunk_id)
            similarity = float(cosine[row]) if row is not None and np.isfinite(cosine[row]) else 0.0
            ranked.append((chunk_id, fused.get(chunk_id, 0.0) + weight * similarity))
        ranked.sort(key=lambda pair: -pair[1])
        ranked = ranked[:limit]
    chunks = Chunk.objects.select_related("document").in_bulk([chunk_id for chunk_id, _ in ranked])
    return [
        SearchHit(chunk=chunks[chunk_id], score=score) for chunk_id, score in ranked if chunk_id in chunks
    ]

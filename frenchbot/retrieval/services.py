"""Writes of the index: documents in, chunks and lexical entries out; nothing is redone when nothing changed."""

import hashlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from frenchbot.core.extractive import split_sentences
from frenchbot.core.text import french_analyze
from frenchbot.core.versions import shared_version_bump

from . import vectorfile
from .backends import LexicalEntry, get_lexical_backend
from .chunking import chunk_markdown
from .embedders import EmbedderError, get_embedder, vector_to_bytes
from .models import Chunk, Document, Visibility

if TYPE_CHECKING:
    from .registry import IndexedItem

logger = logging.getLogger(__name__)
VERSION_KEY = "retrieval:version"


def index_version_bump() -> None:
    """Tell every process of every node that the index changed (their in-memory vector matrices are then
    reloaded). Kept in the database, not the cache: shared by all nodes even without Redis."""
    shared_version_bump(VERSION_KEY)


def embedding_text(*, title: str, heading: str, text: str) -> str:
    """What a passage's vector is computed from: its place in the document, then its words."""
    return ". ".join(part for part in (title, heading, text) if part)


def _chunks_without_current_vectors(document: Document) -> list[Chunk]:
    if not settings.RETRIEVAL_SEMANTIC:
        return []
    try:
        model_id = get_embedder().model_id
    except Exception:  # noqa: BLE001 - no embedder: nothing to bring up to date
        return []
    return list(document.chunks.exclude(vector_model=model_id))


def _reuse_vectors(chunks: list[Chunk], reusable: dict[str, tuple[bytes, bytes | None, str]]) -> None:
    """Carry over the vectors an unchanged passage had, whatever model made them (a passage whose model is not
    the current one stays due for the vector task)."""
    kept = [chunk for chunk in chunks if chunk.content_hash in reusable]
    for chunk in kept:
        chunk.vector, chunk.sentence_vectors, chunk.vector_model = reusable[chunk.content_hash]
    if kept:
        Chunk.objects.bulk_update(kept, ["vector", "sentence_vectors", "vector_model"])


def _embed_chunks(
    chunks: list[Chunk], *, title: str, reusable: dict[str, tuple[bytes, bytes | None, str]]
) -> None:
    """Give each chunk its vector and its sentences' vectors, reusing what the same model made for the same
    passage before."""
    if not settings.RETRIEVAL_SEMANTIC:
        return
    try:
        embedder = get_embedder()
    except Exception:  # noqa: BLE001 - a misconfigured embedder must not stop lexical indexing
        logger.exception("No embedder available; passages indexed for lexical search only")
        return
    missing = []
    for chunk in chunks:
        stored = reusable.get(chunk.content_hash)
        if stored is not None and stored[2] == embedder.model_id:
            chunk.vector, chunk.sentence_vectors, chunk.vector_model = stored
        else:
            missing.append(chunk)
    if missing:
        texts, spans = [], []
        for chunk in missing:
            sentences = split_sentences(chunk.text)
            start = len(texts)
            texts.append(embedding_text(title=title, heading=chunk.heading, text=chunk.text))
            if len(sentences) > 1:
                texts.extend(embedding_text(title=title, heading=chunk.heading, text=s) for s in sentences)
            spans.append((start, len(texts)))
        try:
            vectors = embedder.embed(texts)
        except EmbedderError:
            logger.exception("Embedding failed; passages indexed for lexical search only")
            return
        for chunk, (start, end) in zip(missing, spans, strict=True):
            chunk.vector, chunk.vector_model = vector_to_bytes(vectors[start]), embedder.model_id
            chunk.sentence_vectors = (
                b"".join(vector_to_bytes(v) for v in vectors[start + 1 : end]) if end - start > 1 else None
            )
    Chunk.objects.bulk_update(chunks, ["vector", "sentence_vectors", "vector_model"])


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def document_index(
    *,
    source: str,
    source_id: str,
    title: str,
    url: str,
    text: str,
    visibility: str = Visibility.PUBLIC,
    available_from: datetime | None = None,
    collection: str = "site",
    vectors: bool = True,
) -> bool:
    """Index (or re-index) one document from its Markdown; returns False when it was already up to date.

    `vectors=False` indexes the words only (a second, cheap): the passages' vectors are left to
    ``vectors_compute`` in the task worker, and an unchanged document counts as up to date."""
    content_hash = _hash(title, url, visibility, available_from.isoformat() if available_from else "", text)
    existing = Document.objects.filter(collection=collection, source=source, source_id=str(source_id)).first()
    if existing is not None and existing.content_hash == content_hash:
        stale = _chunks_without_current_vectors(existing) if vectors else []
        if not stale:
            return False
        # Same text, new embedding model (or vectors missing after an embedder failure): vectors only.
        _embed_chunks(stale, title=existing.title, reusable={})
        index_version_bump()
        return True
    backend = get_lexical_backend()
    title_tokens = " ".join(french_analyze(title))
    with transaction.atomic():
        reusable: dict[str, tuple[bytes, bytes | None, str]] = {}
        if existing is None:
            document = Document.objects.create(
                collection=collection,
                source=source,
                source_id=str(source_id),
                title=title[:300],
                url=url,
                visibility=visibility,
                available_from=available_from,
                content_hash=content_hash,
            )
        else:
            document = existing
            reusable = {
                content_hash: (bytes(vector), bytes(sentences) if sentences is not None else None, model)
                for content_hash, vector, sentences, model in document.chunks.exclude(
                    vector=None
                ).values_list("content_hash", "vector", "sentence_vectors", "vector_model")
            }
            backend.delete(list(document.chunks.values_list("id", flat=True)))
            document.chunks.all().delete()
            document.title, document.url, document.visibility = title[:300], url, visibility
            document.available_from = available_from
            document.content_hash = content_hash
            document.save()
        chunks = Chunk.objects.bulk_create(
            [
                Chunk(
                    document=document,
                    ordinal=ordinal,
                    heading=draft.heading[:300],
                    anchor=draft.anchor[:200],
                    text=draft.text,
                    tokens=" ".join(french_analyze(draft.text)),
                    content_hash=_hash(title, draft.heading, draft.text),
                )
                for ordinal, draft in enumerate(chunk_markdown(text))
            ]
        )
        if any(chunk.pk is None for chunk in chunks):  # databases that do not return ids from bulk inserts
            chunks = list(document.chunks.all())
        backend.index(
            [
                LexicalEntry(
                    chunk_id=chunk.pk,
                    title=title_tokens,
                    heading=" ".join(french_analyze(chunk.heading)),
                    body=chunk.tokens,
                )
                for chunk in chunks
            ]
        )
        if vectors:
            _embed_chunks(chunks, title=title, reusable=reusable)
        else:
            _reuse_vectors(chunks, reusable)
        # In the same transaction: the new version is seen by other processes together with the new data.
        index_version_bump()
    return True


def document_index_item(*, source: str, item: "IndexedItem", vectors: bool = True) -> bool:
    """`document_index` for an item handed over by a registered source."""
    return document_index(
        vectors=vectors,
        source=source,
        source_id=item.source_id,
        title=item.title,
        url=item.url,
        text=item.text,
        visibility=item.visibility,
        available_from=item.available_from,
    )


def document_remove(*, source: str, source_id: str, collection: str = "site") -> bool:
    """Take a document out of the index (unpublished, deleted); False when it was not there."""
    document = Document.objects.filter(collection=collection, source=source, source_id=str(source_id)).first()
    if document is None:
        return False
    with transaction.atomic():
        get_lexical_backend().delete(list(document.chunks.values_list("id", flat=True)))
        document.delete()
        index_version_bump()
    return True


def collection_drop(*, collection: str) -> int:
    """Remove a whole collection (a benchmark's throw-away index); returns the number of documents."""
    documents = Document.objects.filter(collection=collection)
    with transaction.atomic():
        get_lexical_backend().delete(
            list(Chunk.objects.filter(document__in=documents).values_list("id", flat=True))
        )
        _, per_model = documents.delete()
        index_version_bump()
    # This node's vector files of the collection (other nodes' go once unused for a day).
    vectorfile.remove_collection(collection=collection)
    return per_model.get(Document._meta.label, 0)


def index_rebuild(*, progress=None, vectors: bool = True) -> dict[str, int]:
    """Bring the site's index in line with every registered source; safe to run any number of times.

    `vectors=False`: the words only (what a start does before serving); ``vectors_compute`` then fills in the
    passages' vectors in the task worker (``vectors_enqueue``)."""
    from .registry import sources

    summary = {"indexed": 0, "unchanged": 0, "removed": 0}
    for source in sources():
        items = list(source.items())
        seen = set()
        for number, item in enumerate(items, start=1):
            seen.add(item.source_id)
            changed = document_index_item(source=source.name, item=item, vectors=vectors)
            summary["indexed" if changed else "unchanged"] += 1
            if progress:
                progress(source.name, number, len(items))
        stale = Document.objects.filter(collection="site", source=source.name).exclude(source_id__in=seen)
        for source_id in list(stale.values_list("source_id", flat=True)):
            document_remove(source=source.name, source_id=source_id)
            summary["removed"] += 1
    summary["documents"] = Document.objects.filter(collection="site").count()
    summary["chunks"] = Chunk.objects.filter(document__collection="site").count()
    return summary


# How many passages are embedded at once by the vector task: each batch is saved, so that the progress staff
# see moves and an interrupted worker resumes where it stopped.
VECTOR_BATCH = 32


def vectors_missing(*, collection: str = "site"):
    """The collection's passages without a vector of the current embedder (none when semantic search is off
    or no embedder can be built)."""
    if not settings.RETRIEVAL_SEMANTIC:
        return Chunk.objects.none()
    try:
        model_id = get_embedder().model_id
    except Exception:  # noqa: BLE001 - no embedder: nothing can be brought up to date
        return Chunk.objects.none()
    chunks = Chunk.objects.filter(document__collection=collection)
    return chunks.filter(vector=None) | chunks.exclude(vector_model=model_id)


def vectors_enqueue() -> bool:
    """Queue the vector task when some passage of the site lacks its vector; False when every passage has its
    vector (a later start with nothing changed queues nothing). A start while an earlier task is still queued
    queues one more, which finds nothing left to do: a worker stopped in the middle leaves its task « running »
    for ever, and the next start must be able to resume."""
    if not vectors_missing().exists():
        return False
    from .tasks import compute_vectors

    # Ahead of the per-article tasks the demo queued: those then find their passages embedded already.
    compute_vectors.using(priority=10).enqueue()
    return True


def vectors_compute(*, progress=None) -> dict[str, int]:
    """Embed every passage of the site that lacks its vector, batch after batch, each batch saved; calls
    `progress(done, total)` after each one (total: every passage of the site). Returns the counts."""
    total = Chunk.objects.filter(document__collection="site").count()
    missing = list(vectors_missing().select_related("document").order_by("document_id", "ordinal"))
    done = total - len(missing)
    embedded = 0
    if progress:
        progress(done, total)
    for start in range(0, len(missing), VECTOR_BATCH):
        batch = missing[start : start + VECTOR_BATCH]
        for document_id in dict.fromkeys(chunk.document_id for chunk in batch):
            chunks = [chunk for chunk in batch if chunk.document_id == document_id]
            _embed_chunks(chunks, title=chunks[0].document.title, reusable={})
        embedded += sum(1 for chunk in batch if chunk.vector is not None)
        done += len(batch)
        if progress:
            progress(done, total)
    # Every process reloads its vectors now, and switches from words alone to the whole search.
    index_version_bump()
    return {"embedded": embedded, "total": total, "missing": vectors_missing().count()}

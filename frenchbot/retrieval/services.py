"""Writes of the index: documents in, chunks and lexical entries out; nothing is redone when nothing changed."""

import hashlib
from datetime import datetime

from django.db import transaction

from frenchbot.core.text import french_analyze

from .backends import LexicalEntry, get_lexical_backend
from .chunking import chunk_markdown
from .models import Chunk, Document, Visibility


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
) -> bool:
    """Index (or re-index) one document from its Markdown; returns False when it was already up to date."""
    content_hash = _hash(title, url, visibility, available_from.isoformat() if available_from else "", text)
    existing = Document.objects.filter(collection=collection, source=source, source_id=str(source_id)).first()
    if existing is not None and existing.content_hash == content_hash:
        return False
    backend = get_lexical_backend()
    title_tokens = " ".join(french_analyze(title))
    with transaction.atomic():
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
    return True


def document_remove(*, source: str, source_id: str, collection: str = "site") -> bool:
    """Take a document out of the index (unpublished, deleted); False when it was not there."""
    document = Document.objects.filter(collection=collection, source=source, source_id=str(source_id)).first()
    if document is None:
        return False
    with transaction.atomic():
        get_lexical_backend().delete(list(document.chunks.values_list("id", flat=True)))
        document.delete()
    return True


def collection_drop(*, collection: str) -> int:
    """Remove a whole collection (a benchmark's throw-away index); returns the number of documents."""
    documents = Document.objects.filter(collection=collection)
    with transaction.atomic():
        get_lexical_backend().delete(
            list(Chunk.objects.filter(document__in=documents).values_list("id", flat=True))
        )
        _, per_model = documents.delete()
    return per_model.get(Document._meta.label, 0)


def index_rebuild(*, progress=None) -> dict[str, int]:
    """Bring the site's index in line with every registered source; safe to run any number of times."""
    from .registry import sources

    summary = {"indexed": 0, "unchanged": 0, "removed": 0}
    for source in sources():
        items = list(source.items())
        seen = set()
        for number, item in enumerate(items, start=1):
            seen.add(item.source_id)
            changed = document_index(
                source=source.name,
                source_id=item.source_id,
                title=item.title,
                url=item.url,
                text=item.text,
                visibility=item.visibility,
                available_from=item.available_from,
            )
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

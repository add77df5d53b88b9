"""Writes of the index: documents in, chunks and lexical entries out; nothing is redone when nothing changed."""

import hashlib

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
    collection: str = "site",
) -> bool:
    """Index (or re-index) one document from its Markdown; returns False when it was already up to date."""
    content_hash = _hash(title, url, visibility, text)
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
                content_hash=content_hash,
            )
        else:
            document = existing
            backend.delete(list(document.chunks.values_list("id", flat=True)))
            document.chunks.all().delete()
            document.title, document.url, document.visibility = title[:300], url, visibility
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

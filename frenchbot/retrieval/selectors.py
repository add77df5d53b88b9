"""Reads of the index: a question in, ranked passages out."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.text import french_analyze

from .backends import get_lexical_backend
from .models import Chunk, Visibility

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


def search(
    *,
    query: str,
    collection: str = "site",
    visibilities: tuple[str, ...] = (Visibility.PUBLIC,),
    limit: int = 10,
) -> list[SearchHit]:
    """Passages that best match the question, best first; an empty list when nothing matches.

    Raises QueryError for an empty or over-long question. Symbols, operators and emoji are not syntax
    here: a question made only of them finds nothing.
    """
    tokens = french_analyze(search_validate(query))
    if not tokens:
        return []
    ranked = get_lexical_backend().search(
        tokens, collection=collection, visibilities=list(visibilities), limit=limit, now=timezone.now()
    )
    chunks = Chunk.objects.select_related("document").in_bulk([chunk_id for chunk_id, _ in ranked])
    return [
        SearchHit(chunk=chunks[chunk_id], score=score) for chunk_id, score in ranked if chunk_id in chunks
    ]

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LexicalEntry:
    """What a lexical backend indexes for one chunk: analysed tokens, space-separated, per field."""

    chunk_id: int
    title: str
    heading: str
    body: str


class LexicalBackend:
    """The contract of a lexical (BM25-like) index of chunks.

    Tokens arrive already analysed (`frenchbot.core.text.french_analyze`), so every backend ranks the same
    French stems; a backend only stores and scores them. Scores are "higher is better" and only comparable
    within one result list. Implementations must treat tokens as data, never as query syntax.
    """

    # Relative weight of a match in the document title, the chunk's heading and its body.
    weights = (2.0, 1.5, 1.0)

    def index(self, entries: list[LexicalEntry]) -> None:
        """Add or replace the entries (by chunk id)."""
        raise NotImplementedError

    def delete(self, chunk_ids: list[int]) -> None:
        """Forget these chunks; unknown ids are ignored."""
        raise NotImplementedError

    def search(
        self, tokens: list[str], *, collection: str, visibilities: list[str], limit: int, now: datetime
    ) -> list[tuple[int, float]]:
        """Chunk ids and scores, best first, among the collection's chunks of the given visibilities whose
        document is available at `now`."""
        raise NotImplementedError

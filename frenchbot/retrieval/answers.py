"""Grounded extractive answers: the no-LLM bot answers with the sentences of our content that best
answer the question, and says where they come from."""

from dataclasses import dataclass

from frenchbot.core.extractive import Citation, ExtractiveAnswer, extract_answer, split_sentences

from .selectors import SearchHit

__all__ = ["Citation", "ExtractiveAnswer", "answer_extractive", "split_sentences"]


@dataclass(frozen=True)
class _HitPassage:
    title: str
    url: str
    text: str


def answer_extractive(
    *, query: str, hits: list[SearchHit], max_sentences: int = 3, passages: int = 3
) -> ExtractiveAnswer:
    """Up to `max_sentences` sentences from the top `passages` hits that best answer the question, cited."""
    return extract_answer(
        query=query,
        passages=[_HitPassage(title=hit.title, url=hit.url, text=hit.chunk.text) for hit in hits[:passages]],
        max_sentences=max_sentences,
    )

"""Grounded extractive answers: the no-LLM bot answers with the sentences of our content that best
answer the question, and says where they come from."""

import re
from dataclasses import dataclass, field

from frenchbot.core.text import french_analyze

from .selectors import SearchHit

# A sentence ends at . ! ? … followed by a space and a capital, a digit, a quote or a dash.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"'(\[A-ZÀ-ÖØ-Þ0-9—–-])")


@dataclass(frozen=True)
class Citation:
    title: str
    url: str


@dataclass(frozen=True)
class ExtractiveAnswer:
    text: str
    sentences: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


def split_sentences(text: str) -> list[str]:
    sentences = []
    for block in text.split("\n"):
        sentences.extend(part.strip() for part in _SENTENCE_END.split(block) if part.strip())
    return sentences


def answer_extractive(
    *, query: str, hits: list[SearchHit], max_sentences: int = 3, passages: int = 3
) -> ExtractiveAnswer:
    """Pick up to `max_sentences` sentences from the top `passages` hits, by the question's words they carry.

    A sentence scores the share of the question's distinct stems it contains, a little less the lower its
    passage ranks; the best ones are returned in the order of their passage, each passage cited once.
    """
    wanted = set(french_analyze(query))
    if not wanted or not hits:
        return ExtractiveAnswer(text="")
    scored = []
    for rank, hit in enumerate(hits[:passages]):
        for position, sentence in enumerate(split_sentences(hit.chunk.text)):
            stems = set(french_analyze(sentence))
            if not stems:
                continue
            overlap = len(wanted & stems) / len(wanted)
            if overlap == 0:
                continue
            scored.append((overlap * (1 - 0.3 * rank), rank, position, sentence, hit))
    if not scored:
        return ExtractiveAnswer(text="")
    scored.sort(key=lambda item: -item[0])
    best_score = scored[0][0]
    # Drop sentences far below the best one: a weak sentence would blur a clear answer.
    chosen = [item for item in scored[:max_sentences] if item[0] >= 0.3 * best_score]
    chosen.sort(key=lambda item: (item[1], item[2]))
    citations: list[Citation] = []
    for item in chosen:
        citation = Citation(title=item[4].title, url=item[4].url)
        if citation not in citations:
            citations.append(citation)
    sentences = [item[3] for item in chosen]
    return ExtractiveAnswer(text=" ".join(sentences), sentences=sentences, citations=citations)

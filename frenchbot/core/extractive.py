"""Extractive answers: the sentences of a few passages that best answer a question.

Shared by retrieval (its grounded answer) and by the ``extractive`` LLM provider, which must not import
retrieval (``llm`` depends on ``core`` only). A passage is anything with ``title``, ``url`` and ``text``.
"""

import re
from dataclasses import dataclass, field
from typing import Protocol

from .text import french_analyze

# A sentence ends at . ! ? … followed by a space and a capital, a digit, a quote or a dash.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"'(\[A-ZÀ-ÖØ-Þ0-9—–-])")


class Passage(Protocol):
    title: str
    url: str
    text: str


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


def extract_answer(*, query: str, passages: list[Passage], max_sentences: int = 3) -> ExtractiveAnswer:
    """Pick up to `max_sentences` sentences from `passages` (best first) by the question's words they carry.

    A sentence scores the share of the question's distinct stems it contains, a little less the lower its
    passage ranks. The best sentence comes first, followed by the other chosen sentences of its passage in their
    own order, then those of the next passage; a sentence that repeats a chosen one is left out; each passage is
    cited once.
    An empty answer means no sentence shares a word with the question.
    """
    wanted = set(french_analyze(query))
    if not wanted or not passages:
        return ExtractiveAnswer(text="")
    scored = []
    for rank, passage in enumerate(passages):
        for position, sentence in enumerate(split_sentences(passage.text)):
            stems = set(french_analyze(sentence))
            if not stems:
                continue
            overlap = len(wanted & stems) / len(wanted)
            if overlap == 0:
                continue
            scored.append((overlap * (1 - 0.3 * rank), rank, position, sentence, passage))
    if not scored:
        return ExtractiveAnswer(text="")
    scored.sort(key=lambda item: -item[0])
    best_score = scored[0][0]
    chosen, kept_stems = [], []
    for item in scored:
        if len(chosen) == max_sentences or item[0] < 0.3 * best_score:
            # Sentences far below the best one would blur a clear answer.
            break
        stems = set(french_analyze(item[3]))
        # The same fact told twice (a summary and the body, two articles) is said once.
        if any(len(stems & seen) >= 0.6 * min(len(stems), len(seen)) for seen in kept_stems):
            continue
        chosen.append(item)
        kept_stems.append(stems)
    # The best sentence opens the answer; a passage's other sentences follow it in their own order.
    first_of_passage = {}
    for order, item in enumerate(chosen):
        first_of_passage.setdefault(item[1], order)
    chosen.sort(key=lambda item: (first_of_passage[item[1]], item[2]))
    citations: list[Citation] = []
    for item in chosen:
        citation = Citation(title=item[4].title, url=item[4].url)
        if citation not in citations:
            citations.append(citation)
    sentences = [item[3] for item in chosen]
    return ExtractiveAnswer(text=" ".join(sentences), sentences=sentences, citations=citations)

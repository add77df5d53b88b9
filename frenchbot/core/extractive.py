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


# What a question asks for, and what in a sentence gives it: a number answers « combien » (a price, a count), a
# year answers « en quelle année » or « quand ». Such a sentence counts as carrying the question's word.
_NUMBER = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# A date is no answer to « combien »: its day and year are set aside before looking for a number.
_DATE_PARTS = re.compile(
    r"\b(?:19|20)\d{2}\b|\b\d{1,2}(?:er)?\s+(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
    r"octobre|novembre|décembre)\b",
    re.IGNORECASE,
)
_CUES = (
    (frozenset(french_analyze("combien prix coût tarif montant nombre")), _NUMBER, True),
    (frozenset(french_analyze("année quand date")), _YEAR, False),
)


def _same_word(a: str, b: str) -> bool:
    # The light stemmer leaves a letter or two of inflection (« refusée » → refuse, « refus » → refus): a stem
    # that starts the other, with at most two letters more, is the same word; « format » is not « formation ».
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 2


def _shared(wanted: set[str], stems: set[str]) -> set[str]:
    shared = wanted & stems
    return shared | {w for w in wanted - shared if any(_same_word(w, stem) for stem in stems)}


def _carried(wanted: set[str], sentence: str, stems: set[str]) -> set[str]:
    carried = _shared(wanted, stems)
    for cue_stems, pattern, without_dates in _CUES:
        cue = wanted & cue_stems
        # The kind of answer alone is no answer: « combien coûte la certification ? » is not answered by « 180
        # degrés »; a question that asks only that (« et en quelle année ? ») leans on its context instead.
        if not cue or (wanted - cue_stems and not carried - cue_stems):
            continue
        if pattern.search(_DATE_PARTS.sub(" ", sentence) if without_dates else sentence):
            carried |= cue
    return carried


def extract_answer(
    *, query: str, passages: list[Passage], max_sentences: int = 3, context: str = ""
) -> ExtractiveAnswer:
    """Pick up to `max_sentences` sentences from `passages` (best first) by the question's words they carry.

    A sentence scores the share of the question's distinct stems it carries (a number carries « combien », a
    year « quand »), a little less the lower its passage ranks. `context` is what the question leans on (the
    earlier question of a follow-up, « Qui a fondé Mistral AI ? » for « Et en quelle année ? »): its words count
    half, and only in a sentence that carries a word of the question itself. The best sentence comes first,
    followed by the other chosen sentences of its passage in their own order, then those of the next passage; a
    sentence that repeats a chosen one is left out; each passage is cited once.
    An empty answer means no sentence shares a word with the question.
    """
    wanted = set(french_analyze(query))
    around = set(french_analyze(context)) - wanted
    if not wanted or not passages:
        return ExtractiveAnswer(text="")
    scored = []
    for rank, passage in enumerate(passages):
        for position, sentence in enumerate(split_sentences(passage.text)):
            stems = set(french_analyze(sentence))
            if not stems:
                continue
            carried = _carried(wanted, sentence, stems)
            if not carried:
                continue
            overlap = (len(carried) + 0.5 * len(_shared(around, stems))) / (len(wanted) + 0.5 * len(around))
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
    # Each passage's best sentence leads its others (the answer, then what surrounds it).
    place = {id(item): rank for rank, item in enumerate(chosen)}
    chosen.sort(
        key=lambda item: (
            first_of_passage[item[1]],
            place[id(item)] != first_of_passage[item[1]],
            item[2],
        )
    )
    citations: list[Citation] = []
    for item in chosen:
        citation = Citation(title=item[4].title, url=item[4].url)
        if citation not in citations:
            citations.append(citation)
    sentences = [item[3] for item in chosen]
    return ExtractiveAnswer(text=" ".join(sentences), sentences=sentences, citations=citations)

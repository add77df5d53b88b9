"""Which intent a message carries: rules for what is unambiguous, then the nearest written examples.

Offline and on the CPU: the examples of every intent are embedded once per process with the site's embedder
(multilingual-e5 by default), and a message is compared with all of them (one matrix product). The message's
vector is the one retrieval computes for the same text (the embedder keeps the last ones), so on the answer path
the layer costs a product of a few hundred dot products. Without an embedder (``RETRIEVAL_SEMANTIC=False`` or a
failing remote one) the examples are compared by their words instead.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from frenchbot.core.text import fold, french_analyze
from frenchbot.retrieval.embedders import EmbedderError, get_embedder

from .registry import FALLBACK, intents_all

logger = logging.getLogger(__name__)

# Courtesy that opens a message (« Bonjour, combien coûte… », « merci, et pour les PME ? »): what follows it is
# the request. Matched on the folded text.
_COURTESY_RE = re.compile(
    r"^(?:(?:bonjour|bonsoir|salut|slt|bjr|hello|hey|coucou|re|merci(?: beaucoup| bien| bcp)?|mrc|ok|okay|"
    r"d accord|dac|super|parfait|top|genial|cool|ah|oh|alors|euh|madame|monsieur|a tous|tout le monde)\b[\s,.!?;:]*)+"
)
_WORD_RE = re.compile(r"[^\W_]+")

# How many nearest examples vote, and the similarity under which a message is too far from every example.
NEIGHBOURS = 5


@dataclass(frozen=True)
class IntentMatch:
    """The intent of a message (``name``) and how sure the classifier is (``score``, 0–1: the nearest examples'
    share of the vote, 1.0 for a rule)."""

    name: str
    score: float


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(fold(text).replace("'", " ").replace("’", " "))


def request_part(text: str) -> str:
    """The message without the courtesy it opens with; the whole message when it is nothing but courtesy."""
    folded = " ".join(_words(text))
    rest = _COURTESY_RE.sub("", folded).strip()
    return rest if len(rest.split()) >= 2 else folded


class _Examples:
    """The examples of every intent, as vectors (or word sets), built once."""

    def __init__(self):
        self.labels: list[str] = []
        self.texts: list[str] = []
        for intent in intents_all().values():
            for example in intent.examples:
                self.labels.append(intent.name)
                self.texts.append(" ".join(_words(example)))
        self.matrix: np.ndarray | None = None
        self.stems = [set(french_analyze(text)) | set(text.split()) for text in self.texts]
        if settings.RETRIEVAL_SEMANTIC:
            try:
                self.embedder = get_embedder()
                self.matrix = self.embedder.embed(self.texts)
            except EmbedderError:
                logger.warning("Intent examples not embedded: the classifier compares words", exc_info=True)

    def similarities(self, text: str) -> np.ndarray:
        if self.matrix is not None:
            try:
                return self.matrix @ self.embedder.embed([text])[0]
            except EmbedderError:
                logger.warning("Message not embedded: the classifier compares words", exc_info=True)
        words = set(french_analyze(text)) | set(text.split())
        return np.array(
            [len(words & stems) / (len(words | stems) or 1) for stems in self.stems], dtype=np.float32
        )


_examples: _Examples | None = None
_lock = threading.Lock()


def _examples_get() -> _Examples:
    global _examples
    if _examples is None:
        with _lock:
            if _examples is None:
                _examples = _Examples()
    return _examples


# A message this short that opens with « et » continues the previous one (« Et en quelle année ? »).
FOLLOW_UP_WORDS = 6


def intent_detect(text: str, *, previous: str = "") -> IntentMatch:
    """The intent of a visitor's message: ``question`` (answered from the content) when nothing else fits.

    `previous` is the visitor's message before this one, if any: a short follow-up (« Et pour les PME ? ») is
    read together with it, so it keeps the subject (trainings after a question on trainings, a question after a
    question).
    """
    request = request_part(text)
    if not request:
        return IntentMatch(FALLBACK, 0.0)
    words = request.split()
    if previous and words[0] in {"et", "mais", "ou"} and len(words) <= FOLLOW_UP_WORDS:
        request = f"{request_part(previous)} {request}"
    examples = _examples_get()
    similarities = examples.similarities(request)
    nearest = np.argsort(-similarities)[:NEIGHBOURS]
    votes: dict[str, float] = defaultdict(float)
    for index in nearest:
        votes[examples.labels[index]] += float(similarities[index])
    name = max(votes, key=votes.get)
    score = votes[name] / (sum(votes.values()) or 1.0)
    return IntentMatch(name, round(score, 3))


def reset() -> None:
    """Forget the examples (tests that change them, or the embedder)."""
    global _examples
    with _lock:
        _examples = None

"""Which intent a message carries, decided offline, on the CPU, before any search or model.

The examples of every intent (``data/*.toml``) are embedded once with the site's embedder (multilingual-e5 by
default, in its query mode) and kept in the cache, so a new process does not embed them again. A message is
embedded the same way and compared with every example: the nearest examples vote, each with a weight that falls
steeply with its distance to the nearest one (``exp((similarity - best) / TEMPERATURE)``), so that one very close
example outweighs a crowd of loosely similar ones. The message's vector is handed back: retrieval searches with the
same text and does not embed it again.

Without an embedder (``RETRIEVAL_SEMANTIC=False``, or a remote one that fails) the examples are compared by their
words instead (stems and folded words, Jaccard).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.cache import cache

from frenchbot.core.text import fold, french_analyze
from frenchbot.retrieval.embedders import EmbedderError, bytes_to_matrix, get_embedder, vector_to_bytes

from .base import list_position
from .registry import FALLBACK, intents_all

logger = logging.getLogger(__name__)

# Courtesy that opens a message (« Bonjour, combien coûte… », « merci, et pour les PME ? »): what follows it is
# the request. Matched on the lower-cased message, so that the request keeps its accents and capitals.
_COURTESY_RE = re.compile(
    r"^(?:(?:bonjour|bonsoir|salut|slt|bjr|hello|hey|coucou|cc|re|merci(?: beaucoup| bien| bcp)?|mrc|ok|okay|"
    r"d['’]accord|dac|super|parfait|top|g[ée]nial|cool|ah|oh|alors|euh|madame|monsieur|[àa] tous|"
    r"tout le monde)\b[\s,.!?;:…]*)+"
)
_WORD_RE = re.compile(r"[^\W_]+")

# How many nearest examples vote, and how steeply their weight falls with their distance to the nearest one
# (chosen on half of the held-out set, reported on the other half: docs/benchmarks.md).
NEIGHBOURS = 5
TEMPERATURE = 0.02
# Set while the task worker embeds the examples (``intents_prepare_enqueue``): messages compare words meanwhile.
PREPARING_KEY = "assistant:intent-examples:preparing"
# Should the worker never run the task, the first message after this many seconds embeds them as before.
PREPARING_TIMEOUT = 600
# A message this short that opens with one of these words continues the previous one (« Et en quelle année ? »).
FOLLOW_UP_WORDS = 6
FOLLOW_UP_OPENERS = {"et", "mais", "ou", "sinon"}


@dataclass(frozen=True)
class IntentMatch:
    """The intent of a message.

    ``name``: the intent; ``score``: the share of the vote it won (0–1); ``request``: the text classified (the
    message without its opening courtesy, with the previous message for a short follow-up); ``vector``: that
    text's ``embed_query`` vector, or None when words were compared.
    """

    name: str
    score: float
    request: str = ""
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)


def request_part(text: str) -> str:
    """The message without the courtesy it opens with; the whole message when it is little more than courtesy."""
    text = (text or "").strip()
    match = _COURTESY_RE.match(text.lower())
    rest = text[match.end() :].strip() if match else text
    return rest if len(_WORD_RE.findall(rest)) >= 2 else text


def _words(text: str) -> set[str]:
    folded = _WORD_RE.findall(fold(text).replace("'", " ").replace("’", " "))
    return set(folded) | set(french_analyze(text))


class _Examples:
    """Every intent's examples, as one matrix of vectors (or as word sets when there is no embedder)."""

    def __init__(self, *, compute: bool = False):
        self.labels: list[str] = []
        self.texts: list[str] = []
        for intent in intents_all().values():
            for example in intent.examples:
                self.labels.append(intent.name)
                self.texts.append(example)
        self.label_array = np.array(self.labels)
        self.words = [_words(text) for text in self.texts]
        self.embedder = None
        self.matrix: np.ndarray | None = None
        # The examples are being embedded by the task worker (a first start): words are compared meanwhile, and
        # the cache is looked at again on each message until their vectors are there.
        self.waiting = False
        if settings.RETRIEVAL_SEMANTIC:
            try:
                self.embedder = get_embedder()
                self.matrix = self._matrix(compute=compute)
            except EmbedderError:
                self.embedder = None
                logger.warning("Intent examples not embedded: the classifier compares words", exc_info=True)
            self.waiting = self.embedder is not None and self.matrix is None

    def _key(self) -> str:
        digest = hashlib.sha256("\n".join([self.embedder.model_id, *self.texts]).encode()).hexdigest()[:32]
        return f"assistant:intent-examples:{digest}"

    def _matrix(self, *, compute: bool = False) -> np.ndarray | None:
        key = self._key()
        stored = cache.get(key)
        if stored is not None:
            return bytes_to_matrix(stored, self.embedder.dimensions)
        if not compute and cache.get(PREPARING_KEY):
            # Not in a visitor's request: 742 examples take a quarter of a minute on 2 cores.
            return None
        matrix = self.embedder.embed_queries(self.texts)
        cache.set(key, [vector_to_bytes(row) for row in matrix], timeout=None)
        return matrix

    def vote(self, request: str) -> tuple[str, float, np.ndarray | None]:
        if self.waiting:
            self.matrix = self._matrix()
            self.waiting = self.matrix is None
        vector = None
        if self.matrix is not None:
            try:
                vector = self.embedder.embed_query(request)
            except EmbedderError:
                logger.warning("Message not embedded: the classifier compares words", exc_info=True)
        if vector is not None:
            similarities = self.matrix @ vector
            temperature = TEMPERATURE
        else:
            words = _words(request)
            similarities = np.array(
                [len(words & other) / (len(words | other) or 1) for other in self.words], dtype=np.float32
            )
            temperature = 0.05
        nearest = np.argsort(-similarities)[:NEIGHBOURS]
        best = float(similarities[nearest[0]])
        votes: dict[str, float] = defaultdict(float)
        for index in nearest:
            votes[self.labels[index]] += float(np.exp((similarities[index] - best) / temperature))
        name = max(votes, key=votes.get)
        return name, votes[name] / sum(votes.values()), vector


_examples: _Examples | None = None
_lock = threading.Lock()


def _examples_get() -> _Examples:
    global _examples
    if _examples is None:
        with _lock:
            if _examples is None:
                _examples = _Examples()
    return _examples


def intent_detect(text: str, *, previous: str = "") -> IntentMatch:
    """The intent of a visitor's message: ``question`` (answered from the content) when nothing else fits.

    `previous` is the visitor's message before this one, if any: a short follow-up (« Et pour les PME ? ») is
    read together with it, so it keeps the subject (trainings after trainings, a question after a question).
    """
    request = request_part(text)
    if not _WORD_RE.search(request):
        return IntentMatch(FALLBACK, 0.0, request)
    words = _WORD_RE.findall(request.lower())
    # « Et pour les PME ? », and « Combien coûte la première ? » pointing into the list just given.
    if (
        previous
        and len(words) <= FOLLOW_UP_WORDS
        and (words[0] in FOLLOW_UP_OPENERS or list_position(request) is not None)
    ):
        request = f"{request_part(previous)} {request}"
    name, score, vector = _examples_get().vote(request)
    return IntentMatch(name, round(score, 3), request, vector)


def intents_reset() -> None:
    """Forget the examples' vectors: the next message rebuilds them (after the data files or the embedder
    changed)."""
    global _examples
    with _lock:
        _examples = None


def intents_ready() -> bool:
    """Whether the examples' vectors are in the cache (or words are compared anyway: no semantic search)."""
    if not settings.RETRIEVAL_SEMANTIC:
        return True
    examples = _examples_get()
    if examples.waiting:
        examples.matrix = examples._matrix()
        examples.waiting = examples.matrix is None
    return not examples.waiting


def intents_prepare_enqueue() -> bool:
    """Have the task worker embed the examples when the cache lacks them (a first start), instead of the first
    visitor's request; False when there is nothing to do. Messages compare words until it is done."""
    if not settings.RETRIEVAL_SEMANTIC:
        return False
    # Queued again at a start while an earlier task waits: that one then finds the cache filled (and a worker
    # stopped in the middle of it never resumes it).
    cache.set(PREPARING_KEY, True, timeout=PREPARING_TIMEOUT)
    intents_reset()
    if intents_ready():
        cache.delete(PREPARING_KEY)
        return False
    from frenchbot.assistant.tasks import prepare_intents

    prepare_intents.using(priority=20).enqueue()
    return True


def intents_prepare() -> int:
    """Embed the examples and keep them in the cache (the task queued by ``intents_prepare_enqueue``); returns
    how many there are."""
    global _examples
    examples = _Examples(compute=True)
    cache.delete(PREPARING_KEY)
    with _lock:
        _examples = examples
    return len(examples.texts)

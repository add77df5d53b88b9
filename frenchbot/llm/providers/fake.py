"""A scripted provider, for tests only: known replies, failures on demand, and a record of what it was sent.

::

    LLM_PROVIDERS = {"default": {"BACKEND": "frenchbot.llm.providers.fake.FakeProvider",
                                 "OPTIONS": {"replies": ["Bonjour !"], "fail_after_tokens": 3}}}
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator, Sequence

from .. import base
from ..base import Capabilities, ChatOptions, Message, Passage, Provider, check_messages

__all__ = ["FakeProvider"]

_WORD = re.compile(r"\S+\s*")

# The errors ``fail_before`` may name: the whole LLMError family, by class name.
_ERRORS = {
    name: getattr(base, name)
    for name in (
        "LLMError",
        "ProviderUnavailable",
        "ProviderTimeout",
        "ProviderRefused",
        "ProviderRateLimited",
        "ProviderStreamBroken",
    )
}


class FakeProvider(Provider):
    """Streams scripted replies word by word.

    Options:
        replies: the answers, used in turn (and again from the first once all were used).
        fail_after_tokens: after this many deltas, raise ``ProviderStreamBroken`` instead of the next one
            (``None``: never; a reply with no more deltas than that ends normally).
        fail_before: the class name of an ``LLMError`` to raise before the first delta, e.g.
            ``"ProviderUnavailable"`` (``None``: never).
        delay: seconds to wait before each delta (to test streaming, heartbeats and cancellation).
        model_id, display_name: what it calls itself.

    For assertions it keeps ``last_messages``/``last_options``/``last_passages`` (of the latest call),
    ``calls`` (streams started), ``cancelled`` (streams closed or cancelled by the consumer before the end of the
    reply) and ``completed`` (replies streamed to the end).
    """

    capabilities = Capabilities(streaming=True, uses_passages_only=False, local=True)

    def __init__(
        self,
        *,
        replies: Sequence[str] = ("Bonjour ! Je suis une réponse de test.",),
        fail_after_tokens: int | None = None,
        fail_before: str | None = None,
        delay: float = 0.0,
        model_id: str = "fake",
        display_name: str = "Fournisseur de test",
    ) -> None:
        if isinstance(replies, str):
            raise ValueError("replies is a list of strings, not one string")
        self.replies = [str(reply) for reply in replies]
        if not self.replies or not all(reply.strip() for reply in self.replies):
            raise ValueError("replies needs at least one reply, none of them blank")
        if fail_before is not None and fail_before not in _ERRORS:
            raise ValueError(f"fail_before must be one of {', '.join(_ERRORS)}, not {fail_before!r}")
        if fail_after_tokens is not None and fail_after_tokens < 0:
            raise ValueError("fail_after_tokens must be 0 or more")
        self.fail_after_tokens = fail_after_tokens
        self.fail_before = fail_before
        self.delay = delay
        self.model_id = model_id
        self.display_name = display_name
        self.last_messages: list[Message] = []
        self.last_options: ChatOptions | None = None
        self.last_passages: list[Passage] = []
        self.calls = 0
        self.cancelled = 0
        self.completed = 0
        self._lock = threading.Lock()

    async def stream(
        self,
        messages: Sequence[Message],
        *,
        options: ChatOptions = ChatOptions(),  # noqa: B008
        passages: Sequence[Passage] = (),
        usage: dict[str, int] | None = None,
    ) -> AsyncIterator[str]:
        messages = check_messages(messages)
        with self._lock:
            reply = self.replies[self.calls % len(self.replies)]
            self.calls += 1
            self.last_messages = messages
            self.last_options = options
            self.last_passages = list(passages)
        if self.fail_before is not None:
            raise _ERRORS[self.fail_before](f"FakeProvider scripted to fail with {self.fail_before}")
        words = _WORD.findall(reply)[: max(1, options.max_tokens)]
        sent = 0
        finished = False
        try:
            for word in words:
                if self.fail_after_tokens is not None and sent >= self.fail_after_tokens:
                    raise base.ProviderStreamBroken(f"FakeProvider scripted to break after {sent} deltas")
                if self.delay:
                    await asyncio.sleep(self.delay)
                yield word
                sent += 1
            finished = True
            with self._lock:
                self.completed += 1
        except (GeneratorExit, asyncio.CancelledError):
            # The consumer closed the stream or its task was cancelled while the reply was not finished.
            if not finished:
                with self._lock:
                    self.cancelled += 1
            raise
        finally:
            if usage is not None:
                usage["prompt_tokens"] = sum(len(_WORD.findall(m.content)) for m in messages)
                usage["completion_tokens"] = sent

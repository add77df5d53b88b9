"""The contract every LLM provider fulfils: streaming chat completion, capability flags, our own errors.

The assistant streams answers over Server-Sent Events from async Django views, so the contract is async first:
``Provider.stream()`` is an async generator of text deltas, and ``Provider.complete()`` (implemented here, on top
of ``stream()``) collects them. A provider is built once per alias and per process by ``frenchbot.llm.registry``
and shared by every request, so it keeps no per-request state on ``self``.

Consumers close the stream when they stop early (a visitor pressed "stop" or disconnected)::

    from contextlib import aclosing

    async with aclosing(provider.stream(messages, options=ChatOptions(max_tokens=400))) as deltas:
        async for delta in deltas:
            ...

Closing it (``aclose()``) or cancelling the task that iterates it stops the upstream generation: providers close
their HTTP stream or tell their worker thread to stop at the next token. A stream that is merely dropped is only
closed when the garbage collector gets to it, hence ``aclosing``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext_lazy as _

__all__ = [
    "Capabilities",
    "ChatOptions",
    "Completion",
    "LLMError",
    "Message",
    "Passage",
    "Provider",
    "ProviderRateLimited",
    "ProviderRefused",
    "ProviderStreamBroken",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RetryPolicy",
    "check_messages",
    "last_user_message",
]

logger = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant"]
ROLES: frozenset[str] = frozenset({"system", "user", "assistant"})


# ---------------------------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Message:
    """One turn of the conversation sent to the model."""

    role: Role
    content: str


@dataclass(frozen=True)
class Passage:
    """A grounding passage (retrieved content) with its source.

    ``label`` is how the prompt and the answer refer to it, e.g. ``"[1]"``. Providers that generate text do not
    read passages (the assistant has already put them in the prompt); the extractive provider answers from them.
    """

    title: str
    url: str
    text: str
    label: str = ""


@dataclass(frozen=True)
class ChatOptions:
    """Generation options of one request.

    Attributes:
        temperature: sampling temperature (0 = the most likely token each time).
        max_tokens: at most this many tokens are generated.
        stop: the generation ends before any of these strings.
        timeout: seconds allowed to get an answer started (connect and wait for the first token, or wait for the
            local model to be free) and between two tokens; ``None`` keeps the provider's configured timeout.
    """

    temperature: float = 0.2
    max_tokens: int = 600
    stop: tuple[str, ...] = ()
    timeout: float | None = None


@dataclass(frozen=True)
class Capabilities:
    """What a provider can do, for the assistant to adapt its prompt and its page.

    Attributes:
        streaming: deltas arrive as they are generated (not all at the end).
        uses_passages_only: the answer is made of the given passages only (no generative model): the prompt is
            not read, only the last user message and the passages.
        local: runs on this machine; no text leaves it.
    """

    streaming: bool = True
    uses_passages_only: bool = False
    local: bool = False


@dataclass(frozen=True)
class Completion:
    """A whole answer: the text and, when the provider knows them, ``prompt_tokens``/``completion_tokens``."""

    text: str
    usage: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------------------
# Errors


class LLMError(Exception):
    """Any failure of a provider. ``str(error)`` is for the logs (English, technical); ``user_message`` is the
    French sentence a visitor may be shown (a lazy translation, rendered in the active language).

    Providers raise only this family, never the exceptions of the library or SDK underneath (those are chained as
    ``__cause__``).
    """

    user_message = _("Le service d'IA a rencontré un problème. Réessayez dans un instant.")

    def __init__(self, message: str = "", *, user_message=None) -> None:
        super().__init__(message or self.__class__.__name__)
        if user_message is not None:
            self.user_message = user_message


class ProviderUnavailable(LLMError):
    """The provider could not be reached before the first token: connection refused, DNS failure, no answer
    in time, server error. Raised once the retries are spent."""

    user_message = _("Le service d'IA ne répond pas pour le moment. Réessayez dans un instant.")


class ProviderTimeout(ProviderUnavailable):
    """No answer started within the timeout (the server kept silent, or the local model stayed busy).

    A kind of ``ProviderUnavailable``, so that callers handling "unreachable" handle this too."""

    user_message = _("Le service d'IA met trop de temps à répondre. Réessayez dans un instant.")


class ProviderRefused(LLMError):
    """The provider refused the request (HTTP 4xx: bad key, unknown model or route, invalid parameters).
    Retrying does not help: the configuration or the request must change."""

    user_message = _(
        "Le service d'IA a refusé la demande. Réessayez plus tard, ou écrivez-nous si le problème persiste."
    )


class ProviderRateLimited(LLMError):
    """The provider answered 429: too many requests or quota exhausted."""

    user_message = _(
        "Le service d'IA reçoit trop de demandes en ce moment. Patientez quelques secondes puis réessayez."
    )


class ProviderStreamBroken(LLMError):
    """The answer had started and then failed (connection lost, malformed data, error in the middle).

    Never retried: the visitor has already seen the beginning, and a second generation would not continue it."""

    user_message = _("La réponse a été interrompue. Réessayez dans un instant.")


# ---------------------------------------------------------------------------------------------------------------
# Retries


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of connection failures that happen before the first token.

    Attempt ``n`` (from 1) waits ``base_delay * 2 ** (n - 1)`` seconds, at most ``max_delay``, with up to 10 %
    jitter so that many processes do not hammer a recovering server in step.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return delay * (1 + random.uniform(0, 0.1))  # noqa: S311 (jitter, not a secret)

    async def sleep(self, attempt: int) -> None:
        await asyncio.sleep(self.delay(attempt))


# ---------------------------------------------------------------------------------------------------------------
# The contract


class Provider:
    """The contract every LLM provider fulfils.

    Attributes:
        alias: the key of ``settings.LLM_PROVIDERS`` it was built from (set by the registry; ``""`` otherwise).
        model_id: the model actually used (``"gpt-4o-mini"``, a GGUF file name, ``"extractive"``), for the logs
            and the conversation records.
        display_name: the French-friendly name shown to visitors, e.g. "ChatGPT (OpenAI)" (the assistant says
            which provider answered).
        capabilities: what it can do (``Capabilities``).

    Providers are built with keyword options only (the ``OPTIONS`` dict of the setting), must be cheap to
    construct (connect and load models on first use), may raise ``ImproperlyConfigured`` for unusable options,
    and must be safe to share between concurrent requests and event loops.
    """

    alias: str = ""
    model_id: str
    display_name: str
    capabilities: Capabilities = Capabilities()

    def stream(
        self,
        messages: Sequence[Message],
        *,
        options: ChatOptions = ChatOptions(),  # noqa: B008 (frozen, shared safely)
        passages: Sequence[Passage] = (),
        usage: dict[str, int] | None = None,
    ) -> AsyncIterator[str]:
        """Generate the answer to ``messages``, as an async iterator of non-empty text deltas.

        Implementations are ``async def`` generators. ``passages`` are the grounding passages of this turn; only
        providers with ``capabilities.uses_passages_only`` read them (the others get them inside ``messages``,
        as the assistant wrote its prompt). When ``usage`` is a dict, the provider stores in it, by the end of the
        stream, ``prompt_tokens`` and ``completion_tokens`` when it knows them.

        Retries connection failures before the first delta (with backoff); never after it. Raises only
        ``LLMError`` subclasses: ``ProviderUnavailable``/``ProviderTimeout`` (unreachable or silent before the
        first delta), ``ProviderRefused`` (4xx), ``ProviderRateLimited`` (429), ``ProviderStreamBroken`` (failure
        after the first delta); ``ValueError`` only for a malformed call (no message, unknown role).

        Closing the iterator early (``aclose()``, or cancelling the task iterating it) stops the generation
        upstream.
        """
        raise NotImplementedError("LLM providers implement stream() as an async generator")

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        options: ChatOptions = ChatOptions(),  # noqa: B008
        passages: Sequence[Passage] = (),
    ) -> Completion:
        """The whole answer at once: the deltas of ``stream()`` joined, with the usage when known.

        Raises what ``stream()`` raises.
        """
        usage: dict[str, int] = {}
        parts: list[str] = []
        async with aclosing(self.stream(messages, options=options, passages=passages, usage=usage)) as deltas:
            async for delta in deltas:
                parts.append(delta)
        return Completion(text="".join(parts), usage=usage)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} alias={self.alias!r} model_id={self.model_id!r}>"


def check_messages(messages: Sequence[Message]) -> list[Message]:
    """The messages as a list, after checking the call is well formed (``ValueError`` otherwise)."""
    messages = list(messages)
    if not messages:
        raise ValueError("stream() needs at least one message")
    for position, message in enumerate(messages):
        if not isinstance(message, Message):
            raise ValueError(f"message {position} is a {type(message).__name__}, not a Message")
        if message.role not in ROLES:
            raise ValueError(f"message {position} has the unknown role {message.role!r}")
    return messages


def last_user_message(messages: Sequence[Message]) -> str:
    """The text of the last ``user`` message ("" when there is none)."""
    for message in reversed(messages):
        if message.role == "user":
            return message.content
    return ""

"""Any server that speaks the OpenAI chat completions API, through the official ``openai`` SDK.

OpenAI (ChatGPT) itself, xAI (Grok), Mistral, Ollama, vLLM, LM Studio, a llama.cpp server…: the presets are in
``docs/llm-providers.md``. The provider sends the messages it is given (the assistant has already written the
passages into the prompt) and streams the deltas back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import AsyncIterator, Sequence
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from ..base import (
    Capabilities,
    ChatOptions,
    LLMError,
    Message,
    Passage,
    Provider,
    ProviderRateLimited,
    ProviderRefused,
    ProviderStreamBroken,
    ProviderTimeout,
    ProviderUnavailable,
    RetryPolicy,
    check_messages,
)

__all__ = ["OpenAICompatibleProvider"]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"

# What visitors are told answered them, for the well-known hosted services (the AI Act asks that they know).
_KNOWN_SERVICES = {
    "api.openai.com": "ChatGPT (OpenAI)",
    "api.x.ai": "Grok (xAI)",
    "api.mistral.ai": "Le Chat (Mistral AI)",
}
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class OpenAICompatibleProvider(Provider):
    """Chat completions streamed from an OpenAI-compatible ``/v1/chat/completions`` endpoint.

    Options:
        model: the model name the server knows (required), e.g. ``gpt-4o-mini``, ``grok-3-mini``,
            ``mistral-small-latest``, ``qwen2.5:3b``.
        base_url: the API root, ``https://api.openai.com/v1`` by default. Never read from the environment (the SDK
            would otherwise pick ``OPENAI_BASE_URL``).
        api_key: the bearer key; empty for a server that needs none. A placeholder is then sent, so that an
            ``OPENAI_API_KEY`` from the environment never leaks to a server it was not meant for.
        timeout: seconds allowed to connect, to get the first token and between two tokens (``ChatOptions.timeout``
            overrides it per request).
        max_retries, retry_base_delay, retry_max_delay: retries of connection failures and 5xx answers before the
            first token, with exponential backoff (``RetryPolicy``). Timeouts are not retried (the visitor would
            wait several timeouts), nor is anything after the first token.
        display_name: the name shown to visitors; by default the service's name for OpenAI, xAI and Mistral, the
            model name otherwise.
        include_usage: ask for token usage at the end of the stream (``stream_options``). A server that refuses
            the parameter (400/422) gets the request again without it, and never again from this instance.
        max_tokens_param: the name of the answer-length parameter: ``"max_completion_tokens"`` for OpenAI itself
            (its reasoning models refuse the older name), ``"max_tokens"`` (which every compatible server knows)
            for the others; ``None`` chooses by the address.
        extra_body: more JSON fields for every request (e.g. ``{"top_k": 40}`` for a llama.cpp server).

    Errors: 429 → ``ProviderRateLimited``; other 4xx → ``ProviderRefused``; unreachable or 5xx once the retries are
    spent → ``ProviderUnavailable``; no answer in time → ``ProviderTimeout``; any failure after the first token →
    ``ProviderStreamBroken``.
    """

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str = "",
        timeout: float = 60.0,
        max_retries: int = 2,
        retry_base_delay: float = 0.5,
        retry_max_delay: float = 8.0,
        display_name: str | None = None,
        include_usage: bool = True,
        max_tokens_param: str | None = None,
        extra_body: dict | None = None,
    ) -> None:
        try:
            import openai  # noqa: F401 (a dependency of the project; checked here for a clear message)
        except ImportError as exc:  # pragma: no cover - openai is in the project's dependencies
            raise ImproperlyConfigured("The openai package is missing: pip install openai") from exc
        if not model:
            raise ValueError("OpenAICompatibleProvider needs a model name (LLM_MODEL)")
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if max_tokens_param not in (None, "max_tokens", "max_completion_tokens"):
            raise ValueError("max_tokens_param must be 'max_tokens' or 'max_completion_tokens'")
        self.model = model
        self.model_id = model
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        host = (urlsplit(self.base_url).hostname or "").lower()
        if not host:
            raise ValueError(f"base_url {self.base_url!r} is not an http(s) address")
        self.display_name = display_name or _KNOWN_SERVICES.get(host, model)
        self.capabilities = Capabilities(
            streaming=True, uses_passages_only=False, local=host in _LOOPBACK_HOSTS
        )
        self.timeout = timeout
        self.retry = RetryPolicy(
            max_retries=max_retries, base_delay=retry_base_delay, max_delay=retry_max_delay
        )
        self.include_usage = include_usage
        self.max_tokens_param = max_tokens_param or (
            "max_completion_tokens" if host == "api.openai.com" else "max_tokens"
        )
        self.extra_body = dict(extra_body or {})
        self._api_key = api_key or "no-key"
        # An HTTP client's connections belong to the event loop that opened them. Uvicorn has one loop per
        # process, but sync callers (async_to_sync, management commands, tests) run each call in a loop of its
        # own: one client per loop, dropped with its loop.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, object] = (
            weakref.WeakKeyDictionary()
        )
        self._clients_lock = threading.Lock()

    def _client(self):
        import openai

        loop = asyncio.get_running_loop()
        with self._clients_lock:
            client = self._clients.get(loop)
            if client is None:
                client = openai.AsyncOpenAI(
                    base_url=self.base_url,
                    api_key=self._api_key,
                    timeout=self.timeout,
                    # Retries are ours: the SDK's would also retry timeouts and could not tell a first token.
                    max_retries=0,
                )
                self._clients[loop] = client
        return client

    def _params(self, messages: list[Message], options: ChatOptions) -> dict:
        params = {
            "model": self.model,
            "messages": [{"role": message.role, "content": message.content} for message in messages],
            "stream": True,
            "temperature": options.temperature,
            self.max_tokens_param: options.max_tokens,
        }
        if options.stop:
            params["stop"] = list(options.stop)
        if options.timeout is not None:
            params["timeout"] = options.timeout
        if self.extra_body:
            params["extra_body"] = self.extra_body
        return params

    async def _open(self, client, params: dict):
        """Send the request and return the SDK's stream, without ``stream_options`` if the server refuses it."""
        import openai

        if not self.include_usage:
            return await client.chat.completions.create(**params)
        try:
            return await client.chat.completions.create(**params, stream_options={"include_usage": True})
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            # Older compatible servers validate strictly and refuse a field they do not know. If the same
            # request without it is accepted, that was the reason: stop asking this server for usage.
            stream = await client.chat.completions.create(**params)
            logger.info("%s refused stream_options (%s); usage will not be reported", self.base_url, exc)
            self.include_usage = False
            return stream

    async def stream(
        self,
        messages: Sequence[Message],
        *,
        options: ChatOptions = ChatOptions(),  # noqa: B008
        passages: Sequence[Passage] = (),
        usage: dict[str, int] | None = None,
    ) -> AsyncIterator[str]:
        messages = check_messages(messages)
        client = self._client()
        params = self._params(messages, options)
        attempt = 0
        while True:
            upstream = None
            delivered = 0
            try:
                upstream = await self._open(client, params)
                async for chunk in upstream:
                    if usage is not None and getattr(chunk, "usage", None) is not None:
                        usage["prompt_tokens"] = chunk.usage.prompt_tokens
                        usage["completion_tokens"] = chunk.usage.completion_tokens
                    delta = chunk.choices[0].delta.content if chunk.choices else None
                    if delta:
                        delivered += 1
                        yield delta
                return
            except Exception as exc:
                if delivered == 0 and attempt < self.retry.max_retries and _retryable(exc):
                    attempt += 1
                    logger.warning(
                        "LLM %s at %s failed before the first token (%s); retry %d of %d",
                        self.model,
                        self.base_url,
                        _describe(exc),
                        attempt,
                        self.retry.max_retries,
                    )
                    await self.retry.sleep(attempt)
                    continue
                raise self._translate(exc, delivered=delivered, attempts=attempt + 1) from exc
            finally:
                # Closing the response closes its connection: the server sees the client go and stops generating
                # (this runs as well when the consumer closes the stream or its task is cancelled).
                if upstream is not None:
                    await upstream.close()

    def _translate(self, exc: Exception, *, delivered: int, attempts: int) -> LLMError:
        import openai

        where = f"model {self.model!r} at {self.base_url}"
        if isinstance(exc, LLMError):
            return exc
        if delivered:
            return ProviderStreamBroken(
                f"Stream from {where} broke after {delivered} deltas: {_describe(exc)}"
            )
        if isinstance(exc, openai.APITimeoutError):
            return ProviderTimeout(f"No answer from {where} in time: {_describe(exc)}")
        if isinstance(exc, openai.APIConnectionError):
            return ProviderUnavailable(f"Cannot reach {where} after {attempts} attempt(s): {_describe(exc)}")
        if isinstance(exc, openai.RateLimitError):
            return ProviderRateLimited(f"{where} answered 429: {_describe(exc)}")
        if isinstance(exc, openai.APIStatusError):
            if exc.status_code >= 500:
                return ProviderUnavailable(
                    f"{where} answered {exc.status_code} after {attempts} attempt(s): {_describe(exc)}"
                )
            return ProviderRefused(f"{where} refused the request ({exc.status_code}): {_describe(exc)}")
        return LLMError(f"Request to {where} failed: {_describe(exc)}")


def _retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return False
    if isinstance(exc, openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def _describe(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    cause = exc.__cause__ or exc.__context__
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text} ({cause.__class__.__name__}: {cause})"
    return text[:500]

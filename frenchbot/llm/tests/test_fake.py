"""The scripted provider that the assistant's tests rely on: it must do what its options say."""

import asyncio
import contextlib

import pytest

from frenchbot.llm.base import (
    ChatOptions,
    LLMError,
    Message,
    ProviderRateLimited,
    ProviderStreamBroken,
    ProviderUnavailable,
)
from frenchbot.llm.providers.fake import FakeProvider

from .contract import PASSAGES, ProviderContractTests, collect, run

REPLY = "Bonjour ! Voici une réponse scriptée, assez longue pour être coupée en plusieurs morceaux."


class TestFakeContract(ProviderContractTests):
    @pytest.fixture
    def provider(self):
        # A small delay gives the consumer the chance to go away in the middle of the reply.
        return FakeProvider(replies=[REPLY], delay=0.001)

    @pytest.fixture
    def failing_provider(self):
        return FakeProvider(fail_before="ProviderUnavailable")

    def generation_probe(self, provider):
        return provider.cancelled

    def assert_generation_stopped(self, provider, probe):
        assert provider.cancelled == probe + 1
        assert provider.completed == 0


def messages(text="Bonjour"):
    return [Message("system", "Réponds en français."), Message("user", text)]


def test_replies_are_used_in_turn_and_streamed_word_by_word():
    provider = FakeProvider(replies=["Un deux trois.", "Quatre cinq."])
    first = run(collect(provider, messages()))
    assert first == ["Un ", "deux ", "trois."]
    assert "".join(run(collect(provider, messages()))) == "Quatre cinq."
    assert "".join(run(collect(provider, messages()))) == "Un deux trois."
    assert provider.calls == 3
    assert provider.completed == 3


def test_records_what_it_was_sent():
    provider = FakeProvider()
    options = ChatOptions(temperature=0.7, max_tokens=50, stop=("FIN",))
    sent = messages("Combien coûte une formation ?")
    run(collect(provider, sent, options=options, passages=PASSAGES))
    assert provider.last_messages == sent
    assert provider.last_options == options
    assert provider.last_passages == PASSAGES


def test_fail_after_tokens_breaks_the_stream_after_that_many_deltas():
    provider = FakeProvider(replies=[REPLY], fail_after_tokens=3)
    received = []

    async def scenario():
        async for delta in provider.stream(messages()):
            received.append(delta)

    with pytest.raises(ProviderStreamBroken):
        run(scenario())
    assert received == ["Bonjour ", "! ", "Voici "]
    assert provider.completed == 0


@pytest.mark.parametrize(
    "name, error",
    [("ProviderUnavailable", ProviderUnavailable), ("ProviderRateLimited", ProviderRateLimited)],
)
def test_fail_before_raises_the_named_error_before_any_delta(name, error):
    provider = FakeProvider(fail_before=name)
    received = []

    async def scenario():
        async for delta in provider.stream(messages()):
            received.append(delta)

    with pytest.raises(error):
        run(scenario())
    assert received == []
    assert provider.calls == 1


def test_usage_counts_the_deltas_sent():
    completion = run(FakeProvider(replies=["Un deux trois."]).complete(messages("Bonjour à vous")))
    assert completion.text == "Un deux trois."
    assert completion.usage == {"prompt_tokens": 6, "completion_tokens": 3}


def test_max_tokens_cuts_the_reply():
    deltas = run(collect(FakeProvider(replies=[REPLY]), messages(), options=ChatOptions(max_tokens=2)))
    assert deltas == ["Bonjour ", "! "]


def test_a_reply_that_ran_to_its_end_is_not_counted_as_cancelled():
    provider = FakeProvider(replies=["Court."], delay=0.001)

    async def scenario():
        async with contextlib.aclosing(provider.stream(messages())) as deltas:
            return [delta async for delta in deltas]

    assert run(scenario()) == ["Court."]
    assert (provider.completed, provider.cancelled) == (1, 0)


def test_cancelling_while_waiting_between_deltas_counts_as_cancelled():
    provider = FakeProvider(replies=[REPLY], delay=0.05)

    async def scenario():
        task = asyncio.create_task(collect(provider, messages()))
        await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    run(scenario())
    assert provider.cancelled == 1


@pytest.mark.parametrize(
    "options, message",
    [
        ({"replies": []}, "at least one reply"),
        ({"replies": "Bonjour"}, "not one string"),
        ({"fail_before": "KeyError"}, "fail_before must be one of"),
        ({"fail_after_tokens": -1}, "0 or more"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        FakeProvider(**options)


def test_scripted_errors_are_llm_errors():
    for name in ("LLMError", "ProviderTimeout", "ProviderRefused", "ProviderStreamBroken"):
        with pytest.raises(LLMError):
            run(collect(FakeProvider(fail_before=name), messages()))

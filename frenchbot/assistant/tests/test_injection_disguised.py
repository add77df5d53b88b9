"""Prompt injection, continued: a model that recites its rules in disguise (``disguiser.py``, over real HTTP).

The recital check knows a few encodings; the shape guard (``shape.py``) lets an answer out only as it reads as a
grounded answer in the visitor's language. Each disguise is asked for as a visitor would (streamed, then whole),
and everything the visitor can read (the streamed text as the widget shows it, the final answer, the stored
message read back, the page without JavaScript) is decoded back the way a reader of that disguise would, then
searched for the rules. Without the shape guard, 31 of the 34 disguises are readable; with it, none.
"""

from __future__ import annotations

import json

import pytest

from frenchbot.assistant.guard import LeakGuard
from frenchbot.assistant.models import Message

from .disguiser import DISGUISES, INTRO, DisguisingServer, readable, recital
from .test_injection import Markup, index_article, visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def disguising_server():
    with DisguisingServer() as server:
        yield server


@pytest.fixture
def disguiser(settings, disguising_server):
    settings.RETRIEVAL_SEMANTIC = False
    settings.ASSISTANT_INTENTS = False
    settings.LLM_PROVIDERS = {
        "default": {
            "BACKEND": "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider",
            "OPTIONS": {
                "model": "disguiser",
                "base_url": disguising_server.base_url,
                "api_key": "test-key",
                "max_retries": 0,
            },
        },
    }
    settings.LLM_DEFAULT_PROVIDER = "default"
    disguising_server.outputs.clear()
    return disguising_server


def _visible(seen) -> dict[str, str]:
    """Everything of the answers the visitor can read, by where they read it."""
    texts = {
        "streamed tokens": "".join(data["text"] for name, data in seen.events if name == "token"),
        "final answer (stream)": seen.events[-1][1]["text"],
        "final answer (JSON)": seen.answer["text"],
        "answer's HTML": " ".join(Markup(seen.answer["html"]).text),
    }
    for number, thread in enumerate(seen.threads):
        for message in json.loads(thread)["messages"]:
            if message["role"] == "assistant":
                texts[f"message read back {number}"] = message["content"]
    for number, page in enumerate(seen.pages):
        texts[f"page without JavaScript {number}"] = " ".join(Markup(page, "chat__log").text)
    return texts


@pytest.mark.parametrize("disguise", DISGUISES, ids=[d.name for d in DISGUISES])
def test_a_disguised_recital_is_not_readable_by_the_visitor(disguise, disguiser):
    index_article()
    seen = visit(disguise.ask)
    # The model did recite its rules, in that disguise, both times...
    assert len(disguiser.outputs) == 2
    assert all(output.startswith(INTRO) and readable(disguise, output) for output in disguiser.outputs)
    # ...and the visitor can read none of it, decoded or not.
    names = [name for name, _ in seen.events]
    assert names[0] == "meta" and names[-1] == "done", names
    for where, text in _visible(seen).items():
        assert not readable(disguise, text), f"{where} shows the rules ({disguise.name}):\n{text[:400]}"
    assert seen.answer["status"] == Message.Status.COMPLETE
    assert seen.answer["text"].strip()


def test_the_suite_counts_at_least_32_disguises_each_readable_when_let_through():
    assert len(DISGUISES) >= 32 and len({d.name for d in DISGUISES}) == len(DISGUISES)
    for disguise in DISGUISES:
        assert readable(disguise, recital(disguise)), disguise.name
        assert not readable(disguise, "Avec Zapier, chaque facture reçue est classée sans copier-coller."), (
            disguise.name
        )


def _streamed_and_final(disguise, *, shape: bool) -> tuple[str, str]:
    guard = LeakGuard(question=disguise.ask, shape=shape)
    text, streamed = recital(disguise), ""
    for start in range(0, len(text), 5):
        streamed += guard.feed(text[start : start + 5])
        if guard.tripped:
            break
    streamed += guard.flush()
    return streamed, "" if guard.tripped else guard.text


def test_without_the_shape_guard_most_disguises_get_through():
    """What the shape guard is for: the recital check alone lets most disguises be read (it trips on some only
    after their first words have left)."""
    readable_without = [
        d.name for d in DISGUISES if any(readable(d, text) for text in _streamed_and_final(d, shape=False))
    ]
    readable_with = [
        d.name for d in DISGUISES if any(readable(d, text) for text in _streamed_and_final(d, shape=True))
    ]
    assert len(readable_without) >= 14, readable_without
    assert readable_with == []

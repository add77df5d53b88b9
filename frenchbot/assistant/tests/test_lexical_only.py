"""The bot while a first start's search vectors are being computed: it answers from the words of the question,
says so, and still refuses what our content does not answer."""

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command

from frenchbot.assistant import services
from frenchbot.assistant.intents import classifier, intent_detect
from frenchbot.retrieval.selectors import semantic_pending

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_words_only(settings):
    """The demo as a first start leaves it: loaded, its words indexed, its vectors queued but not computed."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("demo", quiet_login=True, verbosity=0)
    call_command("index", background=True, verbosity=0)
    assert semantic_pending()


def _ask(question: str) -> dict:
    conversation = services.conversation_start(session_key="s1", ip="203.0.113.5")
    prepared = services.answer_prepare(
        conversation=conversation, question=question, session_key="s1", ip="203.0.113.5"
    )

    async def collect():
        return [event async for event in services.answer_stream(prepared)]

    return async_to_sync(collect)()[-1].data


def test_a_demo_question_is_answered_by_words_with_a_note(demo_words_only):
    done = _ask("Comment écrire un bon prompt ?")
    assert not done["unanswered"] and done["sources"]
    assert "prompt" in done["text"].lower()
    assert done["notice"] == (
        "Notre index de recherche est encore en préparation\u00a0: cette réponse s'appuie sur les mots de "
        "votre question seulement."
    )


def test_a_question_sharing_a_word_with_our_content_is_still_refused(demo_words_only):
    # « modèle » and « entraîner » are in the demo; nothing there tells how to train a model on X-rays.
    done = _ask("Comment entraîner un modèle de vision sur des radiographies ?")
    assert done["unanswered"] and not done["sources"]
    assert "pas trouvé de réponse sûre" in done["text"]


def test_no_note_once_the_vectors_are_there(content):
    done = _ask("Comment donner un rôle à ChatGPT dans un prompt ?")
    assert done["sources"] and done["notice"] == ""


def test_intents_compare_words_while_the_worker_embeds_their_examples(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert classifier.intents_prepare_enqueue()
    # A visitor's message does not wait for 742 examples to be embedded: words are compared meanwhile.
    match = intent_detect("Bonjour !")
    assert match.name == "greeting" and match.vector is None
    classifier.intents_prepare()  # what the queued task does
    assert intent_detect("Bonjour !").vector is not None
    assert not classifier.intents_prepare_enqueue()  # in the cache now: nothing more to queue


def test_the_api_gives_the_note_with_the_answer(demo_words_only, client):
    conversation = client.post("/api/assistant/conversations", content_type="application/json").json()["id"]
    response = client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        data={"content": "Comment écrire un bon prompt ?"},
        content_type="application/json",
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["sources"] and "encore en préparation" in answer["notice"]

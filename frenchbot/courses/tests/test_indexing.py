"""Lessons in the bot's index: published ones only, each visible to the people who may read it, and the bot
never quotes a reserved lesson to someone who does not follow the training."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser

from frenchbot.assistant import services as assistant
from frenchbot.courses.indexing import LessonSource
from frenchbot.retrieval.models import Document
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import index_rebuild

from .factories import EnrolmentFactory, LearnerFactory, LessonFactory, ModuleFactory, TrainingFactory

RESERVED_BODY = """## La méthode CADRE

La méthode CADRE structure un prompt en cinq temps : Contexte, Action, Destinataire, Résultat attendu, Exemple. Nos apprenants l'appliquent à chaque demande faite à ChatGPT.
"""
PREVIEW_BODY = """## Pourquoi structurer un prompt

Un prompt structuré donne des réponses plus utiles : l'assistant sait pour qui il écrit et ce que vous attendez.
"""
QUESTION = "Qu'est-ce que la méthode CADRE pour structurer un prompt ?"
SECRET = "Contexte, Action, Destinataire"


@pytest.fixture
def extractive(settings):
    """The bot with no model: its answer is made of sentences from the passages it was allowed to see."""
    settings.LLM_PROVIDERS = {
        "default": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}}
    }
    settings.LLM_DEFAULT_PROVIDER = "default"


def _lessons():
    training = TrainingFactory(title="Bien prompter", slug="bien-prompter")
    module = ModuleFactory(training=training)
    reserved = LessonFactory(module=module, title="La méthode CADRE", slug="cadre", body=RESERVED_BODY)
    preview = LessonFactory(
        module=module, title="Structurer", slug="structurer", body=PREVIEW_BODY, is_preview=True
    )
    return training, reserved, preview


# ---------------------------------------------------------------------------------------------------------------
# What the source hands to the index


@pytest.mark.django_db
def test_a_reserved_lesson_carries_its_trainings_visibility_and_a_preview_is_public():
    training, reserved, preview = _lessons()
    source = LessonSource()
    item = source.item(reserved)
    assert item.visibility == f"training:{training.pk}"
    assert item.url == reserved.get_absolute_url() and item.source_id == str(reserved.pk)
    assert "Contexte, Action" in item.text and "La méthode CADRE" in item.title
    assert source.item(preview).visibility == "public"


@pytest.mark.django_db
def test_drafts_are_not_indexed():
    draft = LessonFactory(is_published=False)
    in_draft_module = LessonFactory(module__is_published=False)
    in_draft_training = LessonFactory(module__training__is_published=False)
    published = LessonFactory(body="Texte ![schéma](image:schema) suite.")
    source = LessonSource()
    assert [source.item(lesson) for lesson in (draft, in_draft_module, in_draft_training)] == [None] * 3
    assert [item.source_id for item in source.items()] == [str(published.pk)]
    assert "image:" not in source.item(published).text


@pytest.mark.django_db
def test_a_rebuild_indexes_published_lessons_with_their_visibility():
    training, reserved, preview = _lessons()
    LessonFactory(module=reserved.module, is_published=False)
    index_rebuild()
    documents = dict(Document.objects.filter(source="courses.lesson").values_list("source_id", "visibility"))
    assert documents == {str(reserved.pk): f"training:{training.pk}", str(preview.pk): "public"}


# ---------------------------------------------------------------------------------------------------------------
# Kept up to date as the team edits (tasks run inline in tests, after each commit)


@pytest.mark.django_db(transaction=True)
def test_saving_lessons_and_their_training_keeps_the_index_in_step():
    training, reserved, preview = _lessons()
    indexed = Document.objects.filter(source="courses.lesson")
    assert set(indexed.values_list("source_id", flat=True)) == {str(reserved.pk), str(preview.pk)}

    training.is_published = False
    training.save()
    assert not indexed.exists()

    training.is_published = True
    training.save()
    assert indexed.count() == 2

    reserved.is_preview = True
    reserved.save()
    assert indexed.get(source_id=str(reserved.pk)).visibility == "public"

    module = reserved.module
    module.is_published = False
    module.save()
    assert not indexed.exists()


# ---------------------------------------------------------------------------------------------------------------
# Retrieval and the bot


@pytest.mark.django_db(transaction=True)
def test_retrieval_finds_a_reserved_lesson_for_its_learners_only():
    training, reserved, _ = _lessons()
    learner = EnrolmentFactory(training=training).user
    stranger = LearnerFactory()
    ended = EnrolmentFactory(training=training, is_active=False).user

    def urls(user):
        return {
            hit.url.split("#")[0]
            for hit in search(query=QUESTION, visibilities=assistant.visibilities_for(user))
        }

    assert reserved.get_absolute_url() in urls(learner)
    for user in (AnonymousUser(), stranger, ended):
        assert reserved.get_absolute_url() not in urls(user)


def _ask(user, session: str) -> dict:
    conversation = assistant.conversation_start(session_key=session, user=user, ip="203.0.113.9")
    prepared = assistant.answer_prepare(
        conversation=conversation, question=QUESTION, session_key=session, ip="203.0.113.9", user=user
    )
    return async_to_sync(assistant.answer_complete)(prepared)


@pytest.mark.django_db(transaction=True)
def test_the_bot_never_quotes_a_reserved_lesson_to_a_visitor_who_does_not_follow_the_training(extractive):
    training, reserved, _ = _lessons()
    learner = EnrolmentFactory(training=training).user

    for user, session in ((AnonymousUser(), "visiteur"), (LearnerFactory(), "inconnu")):
        answer = _ask(user, session)
        assert SECRET not in answer["text"]
        assert all(not s["url"].startswith(reserved.get_absolute_url()) for s in answer["sources"])

    answer = _ask(learner, "apprenant")
    assert SECRET in answer["text"]
    assert any(s["url"].startswith(reserved.get_absolute_url()) for s in answer["sources"])

"""Guides, prompts and glossary terms in the bot's index and the site search: what each text says, what a gated
guide keeps back, drafts left out, and saving a row indexes it."""

import pytest

from frenchbot.resources.indexing import GlossaryTermSource, GuideSource, PromptSource
from frenchbot.resources.tests.factories import (
    AiToolFactory,
    GlossaryTermFactory,
    GuideFactory,
    PromptFactory,
    UseCaseFactory,
)
from frenchbot.retrieval.models import Document
from frenchbot.retrieval.registry import source_get

pytestmark = pytest.mark.django_db


def test_sources_are_registered_with_their_labels():
    assert str(source_get("resources.guide").label) == "Guides"
    assert str(source_get("resources.prompt").label) == "Prompts"
    assert str(source_get("resources.glossaryterm").label) == "Glossaire"


def test_an_open_guide_gives_its_summary_and_whole_body():
    guide = GuideFactory(title="Guide de l'IA au bureau")

    item = GuideSource().item(guide)

    assert item.url == guide.get_absolute_url()
    assert "Guide de l'IA au bureau" in item.title
    assert guide.summary in item.text and "Notez le temps passé avant et après" in item.text


def test_a_gated_guide_gives_only_its_summary_introduction_and_parts():
    guide = GuideFactory(is_gated=True)

    item = GuideSource().item(guide)

    assert "Ce guide vous aide à démarrer" in item.text
    assert "Fixer les règles" in item.text  # a part's title
    assert "Notez le temps passé avant et après" not in item.text  # the body is sent by e-mail
    assert "envoyé par e-mail" in item.text


def test_a_prompt_gives_its_goal_prompt_example_and_tools():
    prompt = PromptFactory(
        use_case=UseCaseFactory(name="Service client", slug="service-client"),
        tools=[AiToolFactory(name="ChatGPT", slug="chatgpt"), AiToolFactory(name="Le Chat", slug="le-chat")],
    )

    item = PromptSource().item(prompt)

    assert "Objectif\u00a0: Rédiger une réponse courtoise" in item.text
    assert "[secteur]" in item.text and "[ton]" in item.text
    assert "Exemple de résultat" in item.text and "nous vous présentons nos excuses" in item.text
    assert "Outils adaptés\u00a0: ChatGPT, Le Chat." in item.text
    assert "Service client" in item.text


def test_a_term_gives_its_definition_aliases_and_explanation():
    term = GlossaryTermFactory(term="LLM", slug="llm", aliases="grand modèle de langage, LLMs")

    item = GlossaryTermSource().item(term)

    assert item.title == "Glossaire\u00a0: LLM"
    assert "LLM\u00a0: Une réponse fausse" in item.text
    assert "grand modèle de langage" in item.text and "prédit" in item.text


def test_drafts_are_not_indexed():
    assert GuideSource().item(GuideFactory(is_published=False)) is None
    assert PromptSource().item(PromptFactory(is_published=False)) is None
    assert GlossaryTermSource().item(GlossaryTermFactory(is_published=False)) is None
    assert list(GuideSource().items()) == []


@pytest.mark.parametrize(
    ("factory", "source"),
    [
        (GuideFactory, "resources.guide"),
        (PromptFactory, "resources.prompt"),
        (GlossaryTermFactory, "resources.glossaryterm"),
    ],
)
def test_saving_indexes_it_and_unpublishing_removes_it(django_capture_on_commit_callbacks, factory, source):
    with django_capture_on_commit_callbacks(execute=True):
        obj = factory()
    document = Document.objects.get(source=source, source_id=str(obj.pk))
    assert document.url == obj.get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True):
        obj.is_published = False
        obj.save()
    assert not Document.objects.filter(source=source, source_id=str(obj.pk)).exists()

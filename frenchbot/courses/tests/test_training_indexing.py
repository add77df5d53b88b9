"""Each published training's page is in the bot's index (public), so that questions about price, duration or
audience find the training itself; a draft is not."""

import decimal

import pytest

from frenchbot.courses.indexing import TrainingSource
from frenchbot.retrieval.models import Document
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import document_index, document_index_item

from .factories import ModuleFactory, TrainingFactory

pytestmark = pytest.mark.django_db


def _index(*trainings):
    source = TrainingSource()
    for training in trainings:
        item = source.item(training)
        if item is not None:
            document_index_item(source=source.name, item=item)


def test_the_training_page_says_who_it_is_for_how_long_the_price_and_the_programme():
    training = TrainingFactory(
        title="L'IA dans votre PME",
        audience="business",
        duration_hours=decimal.Decimal("10.5"),
        price_text="Sur devis, à partir de 1 900 € HT pour 5 personnes",
    )
    ModuleFactory(training=training, title="Repérer les tâches à automatiser")
    ModuleFactory(training=training, title="Brouillon", is_published=False)
    item = TrainingSource().item(training)
    assert item.url == training.get_absolute_url() and item.visibility == "public"
    assert "L'IA dans votre PME" in item.title
    for fact in ("Entreprise", "10,5 heures", "1 900 € HT", "Repérer les tâches à automatiser"):
        assert fact in item.text
    assert "Brouillon" not in item.text


def test_a_draft_training_is_not_indexed():
    draft = TrainingFactory(is_published=False)
    assert TrainingSource().item(draft) is None
    assert list(TrainingSource().items()) == []


def test_a_question_about_duration_or_price_finds_the_training():
    document_index(
        source="blog",
        source_id="1",
        title="Former ses équipes à l'IA",
        url="/blog/former/",
        text="Former vos équipes à l'IA demande une méthode : partir des tâches réelles de chacun.",
    )
    training = TrainingFactory(
        title="ChatGPT au quotidien",
        summary="Six heures pour utiliser ChatGPT avec méthode dans votre vie de tous les jours.",
        duration_hours=decimal.Decimal("6.0"),
        price_text="190 € TTC par personne",
    )
    _index(training)
    assert Document.objects.filter(source="courses.training").count() == 1
    for question in ("Combien de temps dure la formation ChatGPT ?", "Combien coûte la formation ChatGPT ?"):
        hits = search(query=question)
        assert hits and hits[0].url == training.get_absolute_url(), question

"""The sitemap lists published trainings and the lessons anyone may read, nothing private."""

import pytest

from .factories import LessonFactory, ModuleFactory, TrainingFactory

pytestmark = pytest.mark.django_db


def test_sitemap_lists_published_trainings_and_preview_lessons(client):
    training = TrainingFactory(slug="prompt-au-travail")
    hidden = TrainingFactory(slug="formation-en-preparation", is_published=False)
    module = ModuleFactory(training=training)
    preview = LessonFactory(module=module, slug="lecon-ouverte", is_preview=True)
    private = LessonFactory(module=module, slug="lecon-reservee", is_preview=False)
    draft_preview = LessonFactory(module=module, slug="lecon-brouillon", is_preview=True, is_published=False)
    LessonFactory(module=ModuleFactory(training=hidden), slug="lecon-cachee", is_preview=True)

    xml = client.get("/sitemap.xml").content.decode()

    assert training.get_absolute_url() in xml
    assert preview.get_absolute_url() in xml
    assert hidden.get_absolute_url() not in xml
    assert private.get_absolute_url() not in xml
    assert draft_preview.get_absolute_url() not in xml
    assert "lecon-cachee" not in xml

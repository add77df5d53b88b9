import pytest

from frenchbot.resources.tests.factories import GlossaryTermFactory, GuideFactory, PromptFactory

pytestmark = pytest.mark.django_db


def test_the_sitemap_lists_resources_pages_guides_prompts_and_terms(client):
    GuideFactory(slug="guide-publie")
    GuideFactory(slug="guide-brouillon", is_published=False)
    PromptFactory(slug="prompt-publie")
    PromptFactory(slug="prompt-brouillon", is_published=False)
    GlossaryTermFactory(slug="hallucination")

    xml = client.get("/sitemap.xml").content.decode()

    for path in (
        "/ressources/</loc>",
        "/ressources/prompts/</loc>",
        "/ressources/glossaire/</loc>",
        "/ressources/guides/guide-publie/</loc>",
        "/ressources/prompts/prompt-publie/</loc>",
        "/ressources/glossaire/hallucination/</loc>",
    ):
        assert path in xml
    assert "guide-brouillon" not in xml and "prompt-brouillon" not in xml
    assert "/faq/</loc>" in xml  # the other sections are still there

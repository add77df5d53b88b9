"""Resources pages with their parts kept as fragments (FRAGMENT_CACHE_SECONDS on): as many queries whatever the
number of terms or prompts, none for a kept part, and every change visible on the next request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frenchbot.blog.tests.factories import ArticleFactory

from .factories import GlossaryTermFactory, GuideFactory, PromptFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60


def _queries(path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(path)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_glossary_index_queries_do_not_grow_with_its_terms(django_capture_on_commit_callbacks):
    GlossaryTermFactory.create_batch(3, aliases="un alias, un autre")
    first, html = _queries(reverse("resources:glossary"))
    assert "3 mots de l'intelligence artificielle" in html

    with django_capture_on_commit_callbacks(execute=True):
        GlossaryTermFactory.create_batch(30, aliases="encore un alias")
    rendered, html = _queries(reverse("resources:glossary"))
    assert "33 mots de l'intelligence artificielle" in html
    assert rendered == first

    kept, again = _queries(reverse("resources:glossary"))
    assert kept == 0 and _main(again) == _main(html)


def test_a_glossary_edit_shows_at_once(django_capture_on_commit_callbacks):
    term = GlossaryTermFactory(term="Token", slug="token", short_definition="Un morceau de mot.")
    assert "Un morceau de mot." in Client().get(reverse("resources:glossary")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        term.short_definition = "Un fragment de texte."
        term.save()
        GlossaryTermFactory(term="Agent", slug="agent")

    html = Client().get(reverse("resources:glossary")).content.decode()
    assert "Un fragment de texte." in html and "Un morceau de mot." not in html
    assert ">Agent</a>" in html and '"name": "Agent"' in html  # the list and its structured data


def test_a_guide_edit_shows_at_once_on_its_page_and_the_hub(django_capture_on_commit_callbacks):
    guide = GuideFactory(title="Guide du prompt", body="## Premier pas\n\nCommencez petit.")
    assert "Commencez petit." in Client().get(guide.get_absolute_url()).content.decode()
    assert "Guide du prompt" in Client().get(reverse("resources:index")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        guide.title = "Guide du prompt efficace"
        guide.body = "## Premier pas\n\nCommencez par une tâche répétitive."
        guide.save()

    page = Client().get(guide.get_absolute_url()).content.decode()
    assert "Commencez par une tâche répétitive." in page and "Commencez petit." not in page
    assert '"name": "Guide du prompt efficace"' in page
    assert "Guide du prompt efficace" in Client().get(reverse("resources:index")).content.decode()


def test_a_gated_guide_keeps_its_teaser_for_visitors_and_the_whole_guide_for_staff(admin_client):
    guide = GuideFactory(
        is_gated=True, body="Introduction ouverte.\n\n## Réservé\n\nLa suite envoyée par e-mail."
    )
    for _ in range(2):
        visitor = Client().get(guide.get_absolute_url()).content.decode()
        staff = admin_client.get(guide.get_absolute_url()).content.decode()
        assert "Introduction ouverte." in visitor and "La suite envoyée par e-mail." not in visitor
        assert 'name="csrfmiddlewaretoken"' in visitor  # the request form is the visitor's own
        assert "La suite envoyée par e-mail." in staff


def test_the_prompt_library_keeps_one_list_per_filter(django_capture_on_commit_callbacks):
    emails, rh = UseCaseFactory(name="E-mails", slug="e-mails"), UseCaseFactory(name="RH", slug="rh")
    prompt = PromptFactory(title="Relance client", use_case=emails)
    PromptFactory(title="Fiche de poste", use_case=rh)
    url = reverse("resources:prompts")
    for _ in range(2):
        assert "Relance client" in Client().get(url).content.decode()
        filtered = Client().get(url, {"usage": "rh"}).content.decode()
        assert "Fiche de poste" in filtered and "Relance client" not in filtered
        assert "Aucun prompt ne correspond" in Client().get(url, {"usage": "inconnu"}).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        prompt.title = "Relance après devis"
        prompt.save()
    assert "Relance après devis" in Client().get(url).content.decode()


def test_a_prompt_page_keeps_its_blank_text_but_shows_the_values_typed():
    prompt = PromptFactory(body="Écris à un client du secteur [secteur].")
    PromptFactory(title="Autre prompt du même usage", use_case=prompt.use_case)
    assert "[secteur]" in Client().get(prompt.get_absolute_url()).content.decode()

    queries, html = _queries(prompt.get_absolute_url())
    assert "Autre prompt du même usage" in html
    assert queries == 1  # the prompt itself (its page answers 404 once unpublished); the rest is kept

    filled = Client().get(prompt.get_absolute_url(), {"v0": "la boulangerie"}).content.decode()
    assert "la boulangerie" in filled
    assert "la boulangerie" not in Client().get(prompt.get_absolute_url()).content.decode()


def test_the_related_resources_box_follows_new_links(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    guide = GuideFactory(title="Guide lié après coup")
    assert "Guide lié après coup" not in Client().get(article.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        guide.articles.add(article)

    assert "Guide lié après coup" in Client().get(article.get_absolute_url()).content.decode()

"""A visitor in a real browser: types in the header's search box, sees the results grouped by type, opens one
and lands on the article; the results page passes axe's WCAG checks and the box fits a phone's screen."""

import pytest

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.retrieval.services import document_index

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content():
    from frenchbot.retrieval import spelling

    spelling._dictionaries.clear()
    # Saving the article indexes it (after commit, through the task queue, run inline in tests).
    article = ArticleFactory(
        title="Les hallucinations de ChatGPT",
        slug="hallucinations",
        body="## Pourquoi l'IA invente\n\nUne hallucination est une réponse fausse donnée avec assurance.",
    )
    document_index(
        source="assistant.faq",
        source_id="1",
        title="L'IA peut-elle se tromper ?",
        url="/faq/",
        text="Oui : une hallucination arrive, relisez toujours ce que l'IA écrit.",
    )
    return article


def test_search_from_the_header_and_open_a_result(page, content):
    page.goto("/")
    page.get_by_role("searchbox", name="Rechercher sur le site").fill("hallucinaton")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/recherche/?q=hallucinaton" in page.url
    expect(page.get_by_text("Résultats pour hallucination (au lieu de hallucinaton)")).to_be_visible()
    groups = page.locator(".search-group > h2").all_inner_texts()
    assert "Articles" in groups and "Questions fréquentes" in groups
    assert page.get_by_role("searchbox", name="Votre recherche").input_value() == "hallucinaton"
    assert page.locator(".search-hit mark").count() >= 2
    with page.expect_navigation():
        page.get_by_role("link", name="Les hallucinations de ChatGPT").click()
    assert page.url.endswith(content.get_absolute_url() + "#pourquoi-l-ia-invente")
    assert page.get_by_role("heading", level=1).inner_text() == "Les hallucinations de ChatGPT"


def test_results_and_no_result_pages_pass_axe(axe_page, content):
    axe_page.goto("/recherche/?q=hallucinaton")
    assert axe_page.locator(".search-hit").count() == 2
    assert axe_page.violations() == []
    axe_page.goto("/recherche/?q=comptabilit%C3%A9+frigorifique")
    assert axe_page.get_by_text("Aucun résultat pour").is_visible()
    assert axe_page.violations() == []


def test_filter_by_type_without_javascript(_browser, live_server, content):
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto("/recherche/?q=hallucination")
    page.get_by_role("checkbox", name="Questions fréquentes").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer les filtres").click()
    assert page.locator(".search-group > h2").all_inner_texts() == ["Questions fréquentes"]
    assert page.get_by_role("checkbox", name="Questions fréquentes").is_checked()
    context.close()


def test_the_header_box_fits_a_phone(_browser, live_server, content):
    context = _browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto("/")
    box = page.get_by_role("searchbox", name="Rechercher sur le site").bounding_box()
    button = page.get_by_role("button", name="Rechercher", exact=True).bounding_box()
    assert box["x"] >= 0 and button["x"] + button["width"] <= 360
    assert button["height"] >= 44 and box["height"] >= 44
    # No sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})
    wide = page.get_by_role("searchbox", name="Rechercher sur le site").bounding_box()
    header = page.locator(".site-header").bounding_box()
    assert wide["y"] + wide["height"] <= header["y"] + header["height"] and wide["width"] >= 200
    context.close()

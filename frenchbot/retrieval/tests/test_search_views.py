"""/recherche/ as a visitor meets it: the box keeps the query, results grouped and highlighted, filters and
pages as links that keep the query, « aucun résultat » with suggestions and the bot, French messages for bad
input and too many searches, no shared cache; /opensearch.xml and the home page's SearchAction."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

from frenchbot.retrieval.services import document_index

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def content():
    document_index(
        source="blog.article",
        source_id="1",
        title="Les hallucinations de ChatGPT",
        url="/blog/hallucinations/",
        text="## Pourquoi l'IA invente\n\nUne hallucination est une réponse fausse donnée avec assurance.",
    )
    document_index(
        source="assistant.faq",
        source_id="2",
        title="L'IA peut-elle se tromper ?",
        url="/faq/",
        text="Oui : une hallucination arrive, relisez toujours ce que l'IA écrit.",
    )


def _page(client, **params):
    response = client.get("/recherche/", params)
    return response, response.content.decode()


def test_results_page(client, content):
    response, html = _page(client, q="hallucination")
    assert response.status_code == 200
    assert 'value="hallucination"' in html
    assert '<h2 id="search-group-1">' in html and "Articles" in html and "Questions fréquentes" in html
    assert '<a href="/blog/hallucinations/#pourquoi-l-ia-invente">' in html
    assert "<mark>hallucination" in html.lower() or "<mark>Hallucination" in html
    assert "2 résultats" in html
    assert '<meta name="robots" content="noindex, follow">' in html
    assert "private" in response["Cache-Control"]


def test_a_typo_is_corrected_with_a_way_back(client, content):
    response, html = _page(client, q="hallucinaton")
    assert "Résultats pour <em>hallucination</em> (au lieu de <em>hallucinaton</em>)" in html
    assert "/blog/hallucinations/" in html
    assert "exact=1" in html
    _, exact = _page(client, q="hallucinaton", exact="1")
    assert "Résultats pour" not in exact and 'value="hallucinaton"' in exact


def test_no_result_offers_suggestions_and_the_bot(client, content):
    response, html = _page(client, q="comptabilité analytique des entrepôts frigorifiques")
    assert response.status_code == 200
    assert "Aucun résultat pour" in html
    # One click asks the bot the same question (its page takes the form's `content`).
    form = re.search(r'<form method="post" action="/assistant/">.*?</form>', html, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in form
    assert (
        '<input type="hidden" name="content" value="comptabilité analytique des entrepôts frigorifiques">'
        in form
    )
    assert "Posez la question à notre assistant" in form
    for url in ("/formations/", "/audit/", "/ressources/"):
        assert f'href="{url}"' in html


def test_an_empty_query_shows_the_box_and_suggestions(client, content):
    response, html = _page(client, q="   ")
    assert response.status_code == 200
    assert 'id="search-q"' in html and "Aucun résultat" not in html
    assert "Les pages les plus consultées" in html
    assert '<a class="button" href="/assistant/">Posez la question à notre assistant</a>' in html
    assert client.get("/recherche/").status_code == 200


def test_an_oversized_query_gets_a_french_message_and_is_kept(client, content):
    response, html = _page(client, q="a" * 2500)
    assert response.status_code == 400
    assert f"Votre recherche est trop longue (2500 caractères, 2000 au plus){NBSP}:" in html
    assert 'value="' + "a" * 2000 + '"' in html
    assert 'aria-invalid="true"' in html


def test_filters_and_pages_keep_the_query(client, settings, content):
    settings.SEARCH_PAGE_SIZE = 1
    response, html = _page(client, q="hallucination")
    assert 'name="type" value="blog.article"' in html and 'name="type" value="assistant.faq"' in html
    next_url = re.search(r'href="(\?[^"]*page=2[^"]*)" rel="next"', html).group(1)
    assert "q=hallucination" in next_url
    response, html = _page(client, q="hallucination", type="assistant.faq")
    assert "/faq/" in html and "/blog/hallucinations/" not in html
    assert 'value="assistant.faq" id="search-type-' in html and "checked" in html
    assert "1 résultat" in html


def test_unknown_types_and_pages_are_harmless(client, content):
    response = client.get("/recherche/", {"q": "hallucination", "type": ["nimporte", ""], "page": "-3"})
    assert response.status_code == 200
    assert client.get("/recherche/?q=%ff%fe%00&page=99999999999999999999").status_code == 200


def test_a_learner_finds_the_lessons_of_their_training(client):
    from frenchbot.courses.tests.factories import EnrolmentFactory, LearnerFactory

    enrolment = EnrolmentFactory()
    document_index(
        source="courses.lesson",
        source_id="1",
        title="La méthode CADRE",
        url="/formations/x/cadre/",
        text="La méthode CADRE structure une demande en cinq temps.",
        visibility=f"training:{enrolment.training.pk}",
    )
    assert "/formations/x/cadre/" not in _page(client, q="méthode CADRE")[1]
    client.force_login(LearnerFactory())
    assert "/formations/x/cadre/" not in _page(client, q="méthode CADRE")[1]
    client.force_login(enrolment.user)
    assert "/formations/x/cadre/" in _page(client, q="méthode CADRE")[1]


def test_too_many_searches_get_a_french_429(client, settings, content):
    settings.SEARCH_RATE_PER_MINUTE = 2
    assert _page(client, q="hallucination")[0].status_code == 200
    assert _page(client, q="prompt")[0].status_code == 200
    response, html = _page(client, q="formation")
    assert response.status_code == 429
    assert "patientez une minute" in html and 'value="formation"' in html
    # The empty page costs nothing: never limited.
    assert client.get("/recherche/").status_code == 200


def test_search_pages_never_enter_the_shared_page_cache(client, settings, content):
    settings.PAGE_CACHE_SECONDS = 300
    client.get("/recherche/", {"q": "hallucination"})
    client.get("/recherche/")
    assert not [key for key in cache._cache if "pagecache:" in key and "recherche" in key]
    # The home page, by contrast, is shared: the check above can see a stored page.
    client.get("/")
    assert [key for key in cache._cache if "pagecache:" in key]


def test_header_box_menu_link_and_opensearch_link(client):
    html = client.get("/").content.decode()
    form = re.search(
        r'<form class="header-search" role="search" method="get" action="/recherche/">.*?</form>', html, re.S
    )
    assert form and '<label for="header-search-q"' in form.group(0) and 'name="q"' in form.group(0)
    menu = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert '<a href="/ressources/">Ressources</a>' in menu
    assert (
        '<link rel="search" type="application/opensearchdescription+xml" title="The French Bot" href="/opensearch.xml">'
        in html
    )


def test_opensearch_description(client, settings):
    settings.SITE_URL = "https://exemple.fr"
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.find("os:ShortName", ns).text == "The French Bot"
    url = root.find("os:Url", ns)
    assert (
        url.get("type") == "text/html"
        and url.get("template") == "https://exemple.fr/recherche/?q={searchTerms}"
    )


def test_home_page_declares_its_search_action(client, settings):
    settings.SITE_URL = "https://exemple.fr"
    html = client.get("/").content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    website = next(data for data in map(json.loads, blocks) if data.get("@type") == "WebSite")
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == "https://exemple.fr/recherche/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    assert website["url"] == "https://exemple.fr/"

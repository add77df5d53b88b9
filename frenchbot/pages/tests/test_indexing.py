"""The company's fixed pages are in the bot's index as a visitor reads them."""

import pytest

from frenchbot.pages.indexing import PageSource
from frenchbot.retrieval.models import Document
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import document_index, index_rebuild

pytestmark = pytest.mark.django_db


def test_each_fixed_page_is_indexed_as_text_with_its_sections(settings):
    items = {item.url: item for item in PageSource().items()}
    assert {"/", "/mentions-legales/", "/confidentialite/", "/accessibilite/"} <= set(items)
    legal = items["/mentions-legales/"]
    assert legal.title == "Mentions légales" and "Hébergement" in legal.text
    assert settings.CONTACT_EMAIL in legal.text and "<" not in legal.text
    # Its headings have no anchor on the page: the index must not link to one.
    assert "## " not in legal.text
    # The home page's offer, without its list of latest articles.
    assert "Automatisations" in items["/"].text and "Derniers articles" not in items["/"].text


def test_a_question_about_the_legal_notice_or_personal_data_finds_the_page():
    document_index(
        source="blog",
        source_id="1",
        title="Écrire un bon prompt",
        url="/blog/prompt/",
        text="Donnez un rôle à ChatGPT et précisez le format attendu de la réponse.",
    )
    # `frenchbot index` picks the pages up (and the audit page, which needs no row either).
    index_rebuild()
    assert Document.objects.filter(source=PageSource.name).count() == 4
    assert Document.objects.filter(source="audits.page", url="/audit/").exists()
    hits = search(query="Où sont vos mentions légales ?")
    assert hits and hits[0].url == "/mentions-legales/"
    hits = search(query="Que faites-vous de mes données personnelles ?")
    assert hits and hits[0].url == "/confidentialite/"

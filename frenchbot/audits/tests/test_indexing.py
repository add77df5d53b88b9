"""The audit's page is in the bot's index: what the free audit is, how long it takes, what the report holds."""

import pytest

from frenchbot.audits.indexing import AuditPageSource
from frenchbot.audits.models import Questionnaire, Track
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import document_index, document_index_item

pytestmark = pytest.mark.django_db


def test_the_audit_page_says_what_it_is_how_long_and_what_you_get():
    Questionnaire.objects.create(track=Track.BUSINESS, title="Audit entreprise", intro="Pour les PME.")
    (item,) = AuditPageSource().items()
    assert item.url == "/audit/" and item.visibility == "public"
    for fact in ("cinq minutes", "gratuit", "Audit entreprise", "Pour les PME.", "PDF", "Données"):
        assert fact in item.text, fact


def test_what_is_the_audit_finds_the_audit_page():
    document_index(
        source="blog",
        source_id="1",
        title="Écrire un bon prompt",
        url="/blog/prompt/",
        text="Donnez un rôle à ChatGPT et précisez le format attendu de la réponse.",
    )
    source = AuditPageSource()
    document_index_item(source=source.name, item=source.page_item())
    for question in ("C'est quoi l'audit ?", "L'audit dure combien de temps ?"):
        hits = search(query=question)
        assert hits and hits[0].url == "/audit/", question

"""Each event type offered on /rendez-vous/ is in the bot's index; one no longer offered is not."""

import pytest

from frenchbot.booking.indexing import EventTypeSource
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import document_index, document_index_item

from .factories import EventTypeFactory

pytestmark = pytest.mark.django_db


def test_an_event_type_says_its_name_its_length_and_how_to_book():
    event_type = EventTypeFactory(slug="appel-audit-offert", duration_minutes=30)
    item = EventTypeSource().item(event_type)
    assert item.url == "/rendez-vous/appel-audit-offert/"
    assert "30 minutes" in item.text and "Appel d'audit offert" in item.title
    assert "voir où l'IA peut vous aider" in item.text


def test_an_event_type_no_longer_offered_is_not_indexed():
    EventTypeFactory(is_active=False)
    assert list(EventTypeSource().items()) == []


def test_how_to_book_a_call_finds_the_booking_page():
    document_index(
        source="blog",
        source_id="1",
        title="Écrire un bon prompt",
        url="/blog/prompt/",
        text="Donnez un rôle à ChatGPT et précisez le format attendu de la réponse.",
    )
    event_type = EventTypeFactory(slug="appel-audit-offert")
    source = EventTypeSource()
    document_index_item(source=source.name, item=source.item(event_type))
    hits = search(query="Comment prendre rendez-vous avec vous ?")
    assert hits and hits[0].url == "/rendez-vous/appel-audit-offert/"

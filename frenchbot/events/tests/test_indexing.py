"""Events in the bot's knowledge: what, when (in French), where, who; never the webinar's join link; saving an
event re-indexes it, and « quel est le prochain webinaire ? » finds the webinar."""

import datetime
import zoneinfo

import pytest

from frenchbot.events.indexing import EventSource
from frenchbot.retrieval.models import Chunk, Document
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import document_index, document_index_item

from .followup_rows import event_make

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
JOIN_URL = "https://visio.example.com/salle-reservee-aux-inscrits"


def _webinar(**fields):
    return event_make(
        starts_in=datetime.timedelta(days=9),
        slug="ai-act-pme",
        title="Ce que l'AI Act change pour une PME",
        speaker="Camille Laurent",
        summary="Une heure pour savoir si vos usages de l'IA sont concernés par le règlement européen.",
        join_url=JOIN_URL,
        **fields,
    )


def test_an_event_says_what_when_where_and_who_but_never_its_join_link():
    event = _webinar()
    event.starts_at = datetime.datetime(2027, 3, 18, 12, 30, tzinfo=PARIS)
    item = EventSource().item(event)
    assert item.url == "/evenements/ai-act-pme/"
    assert "jeudi 18 mars 2027 à 12\u00a0h\u00a030" in item.text
    assert "Webinaire «\u00a0Ce que l'AI Act change pour une PME\u00a0»" in item.text
    assert "En ligne" in item.text and "Camille Laurent" in item.text
    assert "règlement européen" in item.text
    assert JOIN_URL not in item.text and JOIN_URL not in item.title
    assert "Webinaire\u00a0: Ce que l'AI Act change pour une PME" in item.title


def test_a_workshop_gives_its_place():
    event = event_make(
        starts_in=datetime.timedelta(days=16),
        kind="workshop",
        place="12 rue de l'Exemple, 69002 Lyon",
        join_url="",
    )
    item = EventSource().item(event)
    assert "Atelier «" in item.text and "12 rue de l'Exemple, 69002 Lyon" in item.text


def test_an_unpublished_event_is_not_indexed():
    event = _webinar(is_published=False)
    assert EventSource().item(event) is None
    assert list(EventSource().items()) == []


def test_saving_an_event_indexes_it_and_unpublishing_removes_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = _webinar()
    document = Document.objects.get(source="events.event", source_id=str(event.pk))
    assert document.url == "/evenements/ai-act-pme/"
    assert not Chunk.objects.filter(text__contains="salle-reservee").exists()
    with django_capture_on_commit_callbacks(execute=True):
        event.is_published = False
        event.save()
    assert not Document.objects.filter(source="events.event").exists()


def test_the_next_webinar_is_found_by_a_french_question():
    document_index(
        source="blog",
        source_id="1",
        title="Écrire un bon prompt",
        url="/blog/prompt/",
        text="Donnez un rôle à ChatGPT et précisez le format attendu de la réponse.",
    )
    event = _webinar()
    source = EventSource()
    document_index_item(source=source.name, item=source.item(event))
    hits = search(query="Quel est le prochain webinaire ?")
    assert hits and hits[0].url == "/evenements/ai-act-pme/"
    assert all(JOIN_URL not in hit.chunk.text for hit in hits)

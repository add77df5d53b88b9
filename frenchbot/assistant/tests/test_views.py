"""The bot's page without JavaScript: the form posts, the answer comes back in the page; input is never lost."""

import pytest

from frenchbot.assistant.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_page_offers_the_form_and_says_it_is_an_ai(client):
    response = client.get("/assistant/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vous échangez avec un assistant d'intelligence artificielle" in html
    assert 'name="content"' in html
    # The page is the chat: no widget on top of it.
    assert "data-chat-widget" not in html


def test_every_other_page_carries_the_widget(client):
    html = client.get("/").content.decode()
    assert "data-chat-widget" in html and "Une question\u00a0?" in html


def test_asking_without_javascript(client, content):
    response = client.post("/assistant/", {"content": "Comment donner un rôle à ChatGPT ?"})
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert response["Location"].startswith(f"/assistant/?c={conversation.pk}#message-")
    page = client.get(response["Location"]).content.decode()
    assert "juriste en droit du travail" in page
    assert 'href="/blog/prompt/#donner-un-role"' in page
    assert "/rendez-vous/" in page
    # A second question continues the same conversation.
    client.post("/assistant/", {"content": "Et le format ?", "conversation": str(conversation.pk)})
    assert Conversation.objects.count() == 1
    assert conversation.messages.count() == 4


def test_an_empty_question_is_refused_in_french(client, content):
    response = client.post("/assistant/", {"content": ""})
    assert response.status_code == 422
    assert "Posez une question\u00a0: le champ est vide." in response.content.decode()
    assert not Message.objects.exists()


def test_a_refused_question_stays_in_the_field(client, content, settings):
    settings.ASSISTANT_RATE_PER_SESSION = 1
    client.post("/assistant/", {"content": "Comment donner un rôle ?"})
    response = client.post("/assistant/", {"content": "Ma deuxième question, tapée avec soin"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "patientez" in html
    assert "Ma deuxième question, tapée avec soin" in html


def test_someone_elses_conversation_is_not_shown(client, content):
    client.post("/assistant/", {"content": "Comment donner un rôle à ChatGPT ?"})
    conversation = Conversation.objects.get()
    from django.test import Client

    html = Client().get(f"/assistant/?c={conversation.pk}").content.decode()
    assert "Comment donner un rôle à ChatGPT ?" not in html

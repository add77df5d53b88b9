"""The bot offers the sign-up in the chat: the intent, its form action, and the API route the widget posts to."""

import html
import json

import pytest

from frenchbot.assistant.intents import intent_detect, intent_get
from frenchbot.newsletter.forms import CONSENT_TEXT
from frenchbot.newsletter.models import Subscriber

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "message",
    [
        "Je voudrais recevoir vos articles par e-mail",
        "m'abonner à la newsletter",
        "Avez-vous une newsletter ?",
        "comment m'inscrire à la lettre d'information ?",
        "je veux être prévenu des nouveaux articles",
    ],
)
def test_asking_for_the_letter_is_the_newsletter_intent(message):
    assert intent_detect(message).name == "newsletter"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Comment écrire une newsletter avec ChatGPT ?", "question"),
        ("ChatGPT peut-il rédiger mes e-mails ?", "question"),
        ("qu'un humain me recontacte par e-mail", "handoff"),
        ("je veux qu'on me réponde par mail", "handoff"),
        ("comment s'inscrire à une formation ?", "trainings"),
        ("Comment donner un rôle à ChatGPT dans un prompt ?", "question"),
    ],
)
def test_the_letter_does_not_steal_other_questions(message, intent):
    assert intent_detect(message).name == intent


def test_leaving_the_letter_gets_the_way_out_not_a_form(lists):
    reply = intent_get("newsletter").reply(message="je veux me désabonner de la newsletter")
    assert not reply.actions
    assert "Se désinscrire" in reply.text


def _start(client) -> str:
    return client.post("/api/assistant/conversations", content_type="application/json").json()["id"]


def _ask(client, conversation, content) -> dict:
    response = client.post(
        f"/api/assistant/conversations/{conversation}/messages",
        data=json.dumps({"content": content}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def _form(answer) -> dict:
    return next(a for a in answer["actions"] if a["type"] == "form" and a["form"] == "newsletter")


def test_the_bot_offers_the_form_and_the_route_signs_up(client, lists, committed, smtp_server):
    conversation = _start(client)
    form = _form(_ask(client, conversation, "Je voudrais recevoir vos articles par e-mail"))
    assert form["submit"] == f"/api/assistant/conversations/{conversation}/newsletter"
    assert [f["name"] for f in form["fields"]] == ["email"]
    assert form["consent_text"] == str(CONSENT_TEXT)
    assert form["lists"] == ["Actualités de l'IA", "Tutoriels"]
    response = committed(_post, client, form["submit"], {"email": "Lea@Exemple.fr", "consent": True})
    assert response.status_code == 201, response.content
    assert "lea@exemple.fr" in response.json()["message"]["content"]
    subscriber = Subscriber.objects.get(email="lea@exemple.fr")
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.origin == "assistant"
    assert {m.slug for m in subscriber.lists.all()} == {"actualites", "tutoriels"}
    assert len(smtp_server) == 1
    assert "/lettre/confirmer/" in smtp_server[0].get_payload(0).get_payload(decode=True).decode()


def test_the_route_answers_the_same_for_a_subscribed_address(client, lists, committed):
    SubscriberFactory(email="lea@exemple.fr", status=Subscriber.Status.CONFIRMED)
    conversation = _start(client)
    url = f"/api/assistant/conversations/{conversation}/newsletter"
    known = committed(_post, client, url, {"email": "lea@exemple.fr", "consent": True}).json()
    new = committed(_post, client, url, {"email": "paul@exemple.fr", "consent": True}).json()
    assert known["message"]["content"].replace("lea@", "x@") == new["message"]["content"].replace(
        "paul@", "x@"
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "paul@", "consent": True}, "email"),
        ({"email": "paul@yopmail.com", "consent": True}, "email"),
        ({"email": "paul@exemple.fr", "consent": False}, "consent"),
    ],
)
def test_bad_input_is_422_with_a_french_message_and_the_field(client, lists, payload, field):
    conversation = _start(client)
    response = _post(client, f"/api/assistant/conversations/{conversation}/newsletter", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and body["detail"]
    assert not Subscriber.objects.exists()


def test_another_visitor_cannot_post_in_the_conversation(client, lists):
    from django.test import Client

    conversation = _start(client)
    response = _post(
        Client(),
        f"/api/assistant/conversations/{conversation}/newsletter",
        {"email": "a@exemple.fr", "consent": True},
    )
    assert response.status_code == 404
    assert not Subscriber.objects.exists()


def test_without_javascript_the_chat_page_shows_the_same_form(client, lists):
    conversation = _start(client)
    _ask(client, conversation, "m'abonner à la newsletter")
    page = html.unescape(client.get(f"/assistant/?c={conversation}").content.decode())
    assert 'action="/lettre/"' in page
    assert 'name="origin" value="assistant"' in page

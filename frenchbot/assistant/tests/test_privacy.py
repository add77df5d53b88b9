"""The bot's personal data under the RGPD rights: a person's conversations found by their account and by the
browser sessions they asked from, read back plainly, and erased with their messages and verdicts."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from frenchbot.assistant.models import Conversation, Feedback, Message
from frenchbot.assistant.privacy import BOT
from frenchbot.assistant.services import conversation_start, feedback_give
from frenchbot.core.net import ip_fingerprint
from frenchbot.privacy.registry import Subject, declaration_for, declarations_by_app

pytestmark = pytest.mark.django_db

JEANNE_IP = "198.51.100.7"
PAUL_IP = "203.0.113.9"


def _exchange(conversation, question, answer, *, verdict=None):
    Message.objects.create(conversation=conversation, role=Message.Role.USER, content=question)
    reply = Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        content=answer,
        sources=[{"label": "1", "title": "Écrire un bon prompt", "url": "/blog/prompt/"}],
    )
    if verdict:
        feedback_give(message=reply, rating=Feedback.Rating.DOWN, comment=verdict)
    return reply


@pytest.fixture
def people():
    """Jeanne talks to the bot signed in and, before that, from a browser session; Paul from his own session."""
    users = get_user_model().objects
    jeanne = users.create_user(username="jeanne", email="jeanne.dupont@example.fr", password="x" * 16)
    users.create_user(username="paul", email="paul.martin@example.fr", password="x" * 16)
    signed_in = conversation_start(session_key="", user=jeanne, ip=JEANNE_IP)
    signed_in.title = "Tarifs de Jeanne Dupont"
    signed_in.save()
    _exchange(
        signed_in, "Je suis Jeanne Dupont, combien coûte une formation ?", "Nos formations commencent à…"
    )
    anonymous = conversation_start(session_key="session-de-jeanne", ip=JEANNE_IP)
    _exchange(anonymous, "Comment écrire un prompt ?", "Donnez un rôle.", verdict="Trop court, Jeanne")
    paul = conversation_start(session_key="session-de-paul", ip=PAUL_IP)
    _exchange(paul, "Qu'est-ce qu'un LLM ?", "Un grand modèle de langage.", verdict="Parfait, signé Paul")
    return {"jeanne": jeanne, "jeanne_conversations": [signed_in, anonymous], "paul_conversation": paul}


def _jeanne(people):
    return Subject(
        emails=("jeanne.dupont@example.fr",), user_id=people["jeanne"].pk, session_keys=("session-de-jeanne",)
    )


def _paul_rows(conversation):
    return (
        list(Conversation.objects.filter(pk=conversation.pk).values_list("session_key", "ip_hash", "title")),
        list(Message.objects.filter(conversation=conversation).values_list("pk", "role", "content")),
        list(Feedback.objects.filter(message__conversation=conversation).values_list("pk", "comment")),
    )


def test_the_treatment_says_the_policy_s_paragraph_and_follows_the_retention_setting(settings):
    (french,) = BOT.paragraphs()
    with translation.override("en"):
        (english,) = BOT.paragraphs()
    assert english != french  # the policy's own msgid, already translated
    assert BOT.ai_processing and BOT.order == 30
    settings.RETENTION_CONVERSATIONS_DAYS = 365
    assert "365 jours" in BOT.retention_text()
    settings.RETENTION_CONVERSATIONS_DAYS = 90
    assert "90 jours" in BOT.retention_text()


def test_children_are_erased_before_the_conversations_they_are_found_through():
    (conversation, message, feedback) = (
        declaration_for(f"assistant.{name}") for name in ("Conversation", "Message", "Feedback")
    )
    assert feedback.erase_order < message.erase_order < conversation.erase_order
    assert [d.model_label for d in declarations_by_app()["assistant"]] == [
        "assistant.Feedback",
        "assistant.Message",
        "assistant.Conversation",
    ]


def test_conversations_are_found_by_account_and_by_session(people):
    declaration = declaration_for("assistant.Conversation")
    found = declaration.rows(_jeanne(people))
    assert {c.pk for c in found} == {c.pk for c in people["jeanne_conversations"]}
    # An address alone finds no conversation: they are tied to an account or a session, never to an e-mail.
    assert list(declaration.rows(Subject(emails=("jeanne.dupont@example.fr",)))) == []
    assert {c.pk for c in declaration.rows(Subject(session_keys=("session-de-jeanne",)))} == {
        people["jeanne_conversations"][1].pk
    }
    # The same keyed fingerprint as the comments' and the consents': it finds the person's other rows.
    assert declaration.ip_fingerprints(found) == {ip_fingerprint(JEANNE_IP)}


def test_messages_and_feedback_are_found_through_the_person_s_conversations(people):
    subject = _jeanne(people)
    messages = declaration_for("assistant.Message").rows(subject)
    assert sorted(m.content for m in messages) == [
        "Comment écrire un prompt ?",
        "Donnez un rôle.",
        "Je suis Jeanne Dupont, combien coûte une formation ?",
        "Nos formations commencent à…",
    ]
    feedback = declaration_for("assistant.Feedback").rows(subject)
    assert [f.comment for f in feedback] == ["Trop court, Jeanne"]


def test_the_export_reads_plainly(people):
    signed_in, anonymous = people["jeanne_conversations"]
    exported = declaration_for("assistant.Conversation").export_row(signed_in)
    assert exported["titre"] == "Tarifs de Jeanne Dupont"
    assert exported["compte"] == "jeanne"
    assert exported["commencée le"] == signed_in.created_at.isoformat()
    answer = anonymous.messages.get(role=Message.Role.ASSISTANT)
    exported = declaration_for("assistant.Message").export_row(answer)
    assert exported["auteur"] == "assistant"
    assert exported["texte"] == "Donnez un rôle."
    assert exported["sources citées"] == ["Écrire un bon prompt"]
    exported = declaration_for("assistant.Feedback").export_row(answer.feedback)
    assert exported["avis"] == "pas utile"
    assert exported["commentaire"] == "Trop court, Jeanne"
    assert exported["réponse concernée"] == "Donnez un rôle."


def test_erasure_leaves_nothing_of_the_person_and_everything_of_the_other(people):
    subject = _jeanne(people)
    paul_before = _paul_rows(people["paul_conversation"])

    counts = [
        declaration.erase(declaration.rows(subject)) for declaration in declarations_by_app()["assistant"]
    ]

    assert counts == [1, 4, 2]  # feedback, messages, conversations
    jeanne_fp = ip_fingerprint(JEANNE_IP)
    assert not Conversation.objects.filter(ip_hash=jeanne_fp).exists()
    assert not Conversation.objects.filter(user=people["jeanne"]).exists()
    assert not Conversation.objects.filter(session_key="session-de-jeanne").exists()
    assert not Message.objects.filter(content__icontains="Jeanne").exists()
    assert not Feedback.objects.filter(comment__icontains="Jeanne").exists()
    assert _paul_rows(people["paul_conversation"]) == paul_before


def test_deleting_a_conversation_takes_its_messages_and_feedback(people):
    # The cascade the erasure relies on if a conversation is reached first.
    declaration = declaration_for("assistant.Conversation")
    declaration.erase(declaration.rows(_jeanne(people)))
    assert Message.objects.count() == 2
    assert list(Feedback.objects.values_list("comment", flat=True)) == ["Parfait, signé Paul"]


def test_signing_in_hands_the_conversations_begun_anonymously_to_the_account(client):
    """Signing in gives the session a new key: the conversations of the old key become the account's, so the
    person finds them again and an erasure of their data reaches them."""
    from allauth.account.models import EmailAddress
    from django.urls import reverse

    user = get_user_model().objects.create_user(
        username="ada", email="ada@exemple.fr", password="un-mot-de-passe-solide-42"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    other_browser = conversation_start(session_key="cle-d-un-autre", user=None, ip=PAUL_IP)
    client.post(reverse("assistant:page"), {"content": "Combien coûte la formation ChatGPT ?"})
    [anonymous] = Conversation.objects.filter(user__isnull=True).exclude(pk=other_browser.pk)
    assert anonymous.session_key

    client.post(
        reverse("account_login"), {"login": "ada@exemple.fr", "password": "un-mot-de-passe-solide-42"}
    )

    anonymous.refresh_from_db()
    assert anonymous.user == user and anonymous.session_key == ""
    other_browser.refresh_from_db()
    assert other_browser.user is None  # another browser's conversation stays its own
    subject = Subject(user_id=user.pk)
    assert anonymous in declaration_for("assistant.Conversation").rows(subject)

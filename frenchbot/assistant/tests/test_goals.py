"""The goals of the bot: « bot_conversation » when a visitor opens a conversation, « bot_rated » when they rate
an answer (once per answer: changing one's mind is the same rating)."""

import pytest
from django.test import Client

from frenchbot.analytics.goals import subject_key
from frenchbot.analytics.models import Goal
from frenchbot.assistant.models import Conversation, Feedback, Message

pytestmark = pytest.mark.django_db

BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15"
)


@pytest.fixture
def visitor():
    return Client(HTTP_USER_AGENT=BROWSER)


def _start(client) -> Conversation:
    response = client.post("/api/assistant/conversations", content_type="application/json")
    assert response.status_code == 201
    return Conversation.objects.get(pk=response.json()["id"])


def _answer(conversation) -> Message:
    Message.objects.create(
        conversation=conversation, role=Message.Role.USER, content="Qu'est-ce qu'un prompt ?"
    )
    return Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, content="Une consigne donnée au modèle."
    )


def _rate(client, message, **payload):
    return client.post(
        f"/api/assistant/messages/{message.pk}/feedback", payload, content_type="application/json"
    )


def test_a_conversation_started_is_one_goal_of_this_visitor(visitor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = _start(visitor)
    [goal] = Goal.objects.filter(name="bot_conversation")
    assert goal.subject == subject_key(conversation)
    assert goal.visitor is not None


def test_a_refused_conversation_is_not_counted(visitor, settings, django_capture_on_commit_callbacks):
    # Without its CSRF token the API refuses to open a conversation.
    strict = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)
    with django_capture_on_commit_callbacks(execute=True):
        response = strict.post("/api/assistant/conversations", content_type="application/json")
    assert response.status_code == 403
    assert not Conversation.objects.exists()
    assert not Goal.objects.exists()


def test_rating_an_answer_counts_once_per_answer(visitor, django_capture_on_commit_callbacks):
    conversation = _start(visitor)
    answer = _answer(conversation)
    with django_capture_on_commit_callbacks(execute=True):
        assert _rate(visitor, answer, rating=1).status_code == 200
        assert _rate(visitor, answer, rating=-1, comment="Finalement, non.").status_code == 200
    assert Feedback.objects.get().rating == -1
    [goal] = Goal.objects.filter(name="bot_rated")
    assert goal.subject == subject_key(conversation)
    assert goal.visitor is not None


def test_an_invalid_rating_records_nothing(visitor, django_capture_on_commit_callbacks):
    answer = _answer(_start(visitor))
    with django_capture_on_commit_callbacks(execute=True):
        assert _rate(visitor, answer, rating=3).status_code == 422
    assert not Feedback.objects.exists()
    assert not Goal.objects.filter(name="bot_rated").exists()


def test_staff_trying_the_bot_are_not_counted(visitor, django_user_model, django_capture_on_commit_callbacks):
    visitor.force_login(django_user_model.objects.create_user("camille", password="x", is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        conversation = _start(visitor)
        assert _rate(visitor, _answer(conversation), rating=1).status_code == 200
    assert Feedback.objects.count() == 1
    assert not Goal.objects.exists()


def test_robots_are_not_counted(django_capture_on_commit_callbacks):
    robot = Client(HTTP_USER_AGENT="python-requests/2.32")
    with django_capture_on_commit_callbacks(execute=True):
        _start(robot)
    assert Conversation.objects.count() == 1
    assert not Goal.objects.exists()

"""Conversations with the bot are kept twelve months after their last message (the privacy policy's promise)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from frenchbot.assistant.models import Conversation, Feedback, Message
from frenchbot.assistant.tasks import conversations_prune

pytestmark = pytest.mark.django_db


def _conversation(*, started_days_ago: int, messages_days_ago: list[int]) -> Conversation:
    now = timezone.now()
    conversation = Conversation.objects.create(session_key="s" * 32)
    Conversation.objects.filter(pk=conversation.pk).update(created_at=now - timedelta(days=started_days_ago))
    for days in messages_days_ago:
        message = Message.objects.create(conversation=conversation, role=Message.Role.USER, content="Bonjour")
        Message.objects.filter(pk=message.pk).update(created_at=now - timedelta(days=days))
    return conversation


def test_conversations_silent_longer_than_the_setting_go_with_their_messages(settings):
    settings.RETENTION_CONVERSATIONS_DAYS = 365
    forgotten = _conversation(started_days_ago=500, messages_days_ago=[500, 400])
    Feedback.objects.create(message=forgotten.messages.first(), rating=Feedback.Rating.UP)
    empty_and_old = _conversation(started_days_ago=400, messages_days_ago=[])
    # Started long ago, but the visitor came back last month: it is kept whole.
    revived = _conversation(started_days_ago=500, messages_days_ago=[500, 30])
    recent = _conversation(started_days_ago=10, messages_days_ago=[10])

    assert conversations_prune.call() == 2

    assert set(Conversation.objects.values_list("pk", flat=True)) == {revived.pk, recent.pk}
    assert not Message.objects.filter(conversation_id__in=[forgotten.pk, empty_and_old.pk]).exists()
    assert not Feedback.objects.exists()
    assert revived.messages.count() == 2


def test_zero_keeps_every_conversation(settings):
    settings.RETENTION_CONVERSATIONS_DAYS = 0
    _conversation(started_days_ago=3000, messages_days_ago=[3000])

    assert conversations_prune.call() == 0
    assert Conversation.objects.count() == 1

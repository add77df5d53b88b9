"""Reads of conversations: only their owner (account or browser session) ever gets one."""

import uuid

from .models import Conversation, Message


def conversation_for_visitor(*, conversation_id, session_key: str, user=None) -> Conversation | None:
    """The conversation if this visitor owns it, else None (unknown and someone else's look the same)."""
    try:
        conversation_id = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    conversations = Conversation.objects.filter(pk=conversation_id)
    if user is not None and user.is_authenticated:
        return conversations.filter(user=user).first()
    if not session_key:
        return None
    return conversations.filter(user=None, session_key=session_key).first()


def conversations_of_visitor(*, session_key: str, user=None, limit: int = 20) -> list[Conversation]:
    if user is not None and user.is_authenticated:
        owned = Conversation.objects.filter(user=user)
    elif session_key:
        owned = Conversation.objects.filter(user=None, session_key=session_key)
    else:
        return []
    return list(owned.exclude(title="")[:limit])


def conversation_messages(*, conversation: Conversation) -> list[Message]:
    return list(conversation.messages.select_related("feedback").exclude(status=Message.Status.STREAMING))


def message_of_visitor(*, message_id: int, session_key: str, user=None) -> Message | None:
    message = (
        Message.objects.filter(pk=message_id, role=Message.Role.ASSISTANT)
        .select_related("conversation")
        .first()
    )
    if message is None:
        return None
    owner = conversation_for_visitor(
        conversation_id=message.conversation_id, session_key=session_key, user=user
    )
    return message if owner is not None else None

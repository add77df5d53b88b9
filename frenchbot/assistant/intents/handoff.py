"""A person, please: a message to the team from the chat, the conversation attached."""

from ..actions import handoff_form
from .base import Intent, Reply, TurnContext


class HandoffIntent(Intent):
    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        written = super().reply(message=message, user=user, context=context)
        return Reply(text=written.text, suggestions=written.suggestions, actions=[handoff_form()])


intent_class = HandoffIntent

"""A person, please: a message to the team from the chat, the conversation attached."""

import re

from frenchbot.core.text import fold

from ..actions import handoff_form
from .base import Intent, Reply, TurnContext

# What a visitor the bot has let down writes (accents folded): « ça ne m'aide pas », « c'est nul », « vous ne
# comprenez rien », « à côté de la plaque », « la troisième fois »… Negations matter here, so this reads the
# words themselves, not their stems (french_analyze drops « ne » and « pas »).
_LET_DOWN = re.compile(
    r"\b(?:nul|nulle|inutile|rien|enerv\w*|satisfait\w*|cote|marche pas|aide pas|aidez pas|repond pas"
    r"|repondez pas|comprends? pas|comprenez pas|fois|pas ce que|pas ca|reclamation|agace\w*)\b|!!|\?\?"
)


class HandoffIntent(Intent):
    """Replies: the first for a plain request for a person, the second (with an apology) for a visitor let down."""

    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        let_down = bool(_LET_DOWN.search(fold(message)))
        text = self.replies[min(int(let_down), len(self.replies) - 1)]
        return Reply(text=text, suggestions=list(self.suggestions), actions=[handoff_form()])


intent_class = HandoffIntent

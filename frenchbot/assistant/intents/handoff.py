"""A person, please: a message to the team from the chat, the conversation attached."""

import re

from django.urls import reverse
from django.utils.translation import gettext

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
# A complaint has its own form (/reclamation/: a reference, a written answer, the action taken), which the
# quality rules of a training body ask for; the message to the team stays offered beside it.
_COMPLAINT = re.compile(r"\b(?:reclam\w*|plainte|(?:me|nous) plaindre)\b")


class HandoffIntent(Intent):
    """Replies: the first for a plain request for a person, the second (with an apology) for a visitor let down,
    the third for a complaint, with the complaints form first among the next steps."""

    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        folded = fold(message)
        suggestions = list(self.suggestions)
        if _COMPLAINT.search(folded):
            choice = 2
            suggestions.insert(
                0,
                {
                    "kind": "complaint",
                    "label": gettext("Faire une réclamation"),
                    "url": reverse("sessions:complaint"),
                },
            )
        else:
            choice = int(bool(_LET_DOWN.search(folded)))
        text = self.replies[min(choice, len(self.replies) - 1)]
        return Reply(text=text, suggestions=suggestions, actions=[handoff_form()])


intent_class = HandoffIntent

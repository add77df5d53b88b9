"""The letter by e-mail: the sign-up form right in the chat (double opt-in, the default lists); a visitor who
wants to leave it is told where the one-click link is, and offered no form."""

import re

from django.utils.translation import gettext as _

from frenchbot.core.text import fold, french_typography

from ..actions import newsletter_form
from .base import Intent, Reply, TurnContext

# « me désabonner », « me désinscrire », « ne plus recevoir », « unsubscribe » (matched on the folded message).
_LEAVING_RE = re.compile(
    r"desabonn|desinscri|ne plus (?:la )?recevoir|plus recevoir|unsubscribe|stop (?:la )?news"
)


class NewsletterIntent(Intent):
    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        written = super().reply(message=message, user=user, context=context)
        if _LEAVING_RE.search(fold(message)):
            text = _(
                "Chaque lettre contient en bas un lien « Se désinscrire » : un clic suffit, et vous ne recevez plus "
                "rien dès ce moment. Le lien « Gérer mes préférences » du même e-mail permet aussi de ne garder que "
                "certaines listes."
            )
            return Reply(text=french_typography(text), suggestions=[])
        form = newsletter_form()
        # No list open to sign-ups yet: the written reply and its link to /lettre/ alone.
        return Reply(text=written.text, suggestions=written.suggestions, actions=[form] if form else [])


intent_class = NewsletterIntent

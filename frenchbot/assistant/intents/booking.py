"""A call with the team: the next free slots of the audit call, to book right in the chat."""

from django.utils.translation import gettext as _

from frenchbot.core.text import french_typography

from ..actions import slots_offer
from .base import Intent, Reply, TurnContext


class BookingIntent(Intent):
    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        context = context or TurnContext()
        offer = slots_offer(tz=context.timezone)
        if offer is None:
            # Nothing free soon (or no call offered): the written reply sends the visitor to the booking page.
            return super().reply(message=message, user=user, context=context)
        text = _(
            "Avec plaisir ! Voici les prochains créneaux libres pour l'%(event)s, en %(zone)s : choisissez-en un "
            "ici, je vous demande ensuite votre nom et votre e-mail. Tous les autres créneaux sont sur la "
            "[page des rendez-vous](%(url)s)."
        ) % {
            "event": offer["title"][0].lower() + offer["title"][1:],
            "zone": offer["timezone_label"],
            "url": offer["url"],
        }
        return Reply(text=french_typography(text), suggestions=list(self.suggestions), actions=[offer])


intent_class = BookingIntent

"""The webinars and workshops: answered from the events to come (date, place, seats left) with a link to
register, and the replays of past ones; never from blog passages, whose dates may be stale."""

from django.utils.translation import gettext as _

from frenchbot.core.text import french_typography
from frenchbot.events.selectors import event_replay_visible, events_past, events_upcoming_cards
from frenchbot.events.services.registrations import event_when_text

from .base import Intent, Reply, TurnContext

_SHOWN = 3


def _line(event) -> str:
    where = event.place or _("en ligne")
    seats = (
        _("complet, liste d'attente ouverte")
        if event.seats_left <= 0
        else _("plus que %(n)d places") % {"n": event.seats_left}
        if event.seats_left <= 5
        else ""
    )
    kind = str(event.get_kind_display())
    # « Atelier pratique : … » says what it is already; « Ce que l'AI Act change » needs « webinaire ».
    named = "" if kind.lower() in event.title.lower() else f" ({kind.lower()})"
    details = ", ".join(part for part in (event_when_text(event, with_zone=False), where, seats) if part)
    return f"- [**{event.title}**]({event.get_absolute_url()}){named} : {details}"


class EventsIntent(Intent):
    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        upcoming = events_upcoming_cards(limit=_SHOWN)
        replays = [event for event in events_past(limit=2) if event_replay_visible(event=event)]
        if not upcoming and not replays:
            return super().reply(message=message, user=user, context=context)
        parts = []
        if upcoming:
            intro = (
                _("Notre prochain événement :")
                if len(upcoming) == 1
                else _("Nos %(n)d prochains événements :") % {"n": len(upcoming)}
            )
            parts.append(intro + "\n\n" + "\n".join(_line(event) for event in upcoming))
            parts.append(
                _(
                    "L'inscription est gratuite et se fait sur la page de l'événement : vous recevez une "
                    "invitation pour votre agenda et un rappel la veille."
                )
            )
        else:
            parts.append(_("Aucun événement n'est programmé pour le moment."))
        if replays:
            links = ", ".join(f"[{event.title}]({event.get_absolute_url()})" for event in replays)
            parts.append(_("Les replays sont en ligne : %(links)s.") % {"links": links})
        return Reply(text=french_typography("\n\n".join(parts)), suggestions=list(self.suggestions))


intent_class = EventsIntent

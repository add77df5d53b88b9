"""What events give the bot's index: each published webinar and workshop (what, when in Paris time, online or
where, who speaks, what it covers), so that « quel est le prochain webinaire ? » or « vous organisez des
ateliers ? » find it. The join link of a webinar is for registrants only: it is never indexed.

The text states the date, never « à venir » or « passé », so that it stays true once the event is over
without re-indexing; saving or deleting an event re-indexes it (the registry watches the model)."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.core.text import french_typography
from frenchbot.retrieval.registry import IndexedItem, IndexSource

from .models import Event
from .services.registrations import event_when_text


def _duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d minutes") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


class EventSource(IndexSource):
    name = "events.event"
    label = gettext_lazy("Événements")
    model = Event

    def items(self):
        for event in Event.objects.filter(is_published=True).select_related("training"):
            yield self.item(event)

    def item(self, event: Event) -> IndexedItem | None:
        if not event.is_published:
            return None
        # The index is French, whatever language the admin who saved the event reads.
        with translation.override("fr"):
            return self._item(event)

    def _item(self, event: Event) -> IndexedItem:
        kind = event.get_kind_display()
        when = event_when_text(event)
        if event.kind == Event.Kind.WEBINAR:
            where = _("En ligne : le lien de connexion est envoyé par e-mail aux inscrits.")
        else:
            where = _("Lieu : %(place)s.") % {"place": event.place} if event.place else _("En présentiel.")
        parts = [
            _("%(kind)s « %(title)s », le %(when)s (heure de Paris), durée %(duration)s, %(seats)d places.")
            % {
                "kind": kind,
                "title": event.title,
                "when": when,
                "duration": _duration_text(event.duration_minutes),
                "seats": event.seats,
            },
            where,
            _("Intervenant : %(speaker)s.") % {"speaker": event.speaker} if event.speaker else "",
            event.summary.strip(),
            event.description_markdown.strip(),
            _("Formation liée : %(title)s.") % {"title": event.training.title} if event.training_id else "",
            _(
                "L'inscription est gratuite, sur la page de l'événement (rubrique Événements du site) : vous "
                "recevez une confirmation par e-mail avec l'invitation à ajouter à votre agenda, puis un rappel "
                "la veille et une heure avant."
            ),
            _("Le replay est disponible sur la page de l'événement.") if event.replay_url else "",
        ]
        return IndexedItem(
            source_id=str(event.pk),
            title=french_typography(
                _("%(kind)s : %(title)s — %(date)s") % {"kind": kind, "title": event.title, "date": when}
            ),
            url=event.get_absolute_url(),
            text=french_typography("\n\n".join(part for part in parts if part)),
        )

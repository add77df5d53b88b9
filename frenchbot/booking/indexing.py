"""What booking gives the bot's index: each event type offered on /rendez-vous/ (what the call is for, how long
it lasts), so that « comment prendre rendez-vous ? » or « l'appel dure combien de temps ? » find it."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.retrieval.registry import IndexedItem, IndexSource

from .models import EventType


class EventTypeSource(IndexSource):
    name = "booking.event_type"
    label = gettext_lazy("Rendez-vous")
    model = EventType

    def items(self):
        for event_type in EventType.objects.filter(is_active=True):
            yield self.item(event_type)

    def item(self, event_type: EventType) -> IndexedItem | None:
        if not event_type.is_active:
            return None
        parts = [
            _(
                "Rendez-vous « %(name)s » : un appel de %(minutes)s minutes avec notre équipe, à réserver en ligne."
            )
            % {"name": event_type.name, "minutes": event_type.duration_minutes},
            event_type.description.strip(),
            _(
                "Pour prendre rendez-vous, choisissez un créneau libre sur la page Rendez-vous, puis indiquez "
                "votre nom et votre e-mail : vous recevez aussitôt une confirmation par e-mail avec l'invitation "
                "à ajouter à votre agenda, et un lien pour déplacer ou annuler le rendez-vous."
            ),
        ]
        return IndexedItem(
            source_id=str(event_type.pk),
            title=_("Prendre rendez-vous : %(name)s") % {"name": event_type.name},
            url=reverse("booking:calendar", args=[event_type.slug]),
            text="\n\n".join(part for part in parts if part),
        )

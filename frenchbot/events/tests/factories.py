import datetime

import factory
from django.utils import timezone

from frenchbot.events.models import Event


def in_hours(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"evenement-{n}")
    title = factory.Sequence(lambda n: f"Webinaire ChatGPT au bureau {n}")
    kind = Event.Kind.WEBINAR
    summary = "Une heure pour voir ChatGPT à l'œuvre sur des tâches de bureau."
    description_markdown = "## Au programme\n\n- Écrire un bon prompt\n- Vérifier une réponse"
    starts_at = factory.LazyFunction(lambda: in_hours(24 * 10))
    duration_minutes = 60
    seats = 30
    speaker = "Camille Laurent"
    place = ""
    join_url = "https://visio.example.fr/salle-secrete-4821"
    is_published = True


def register(event, n: int = 0, **overrides):
    """A registration through the service (the way every test makes one)."""
    from frenchbot.events.services.registrations import registration_create

    values = {
        "event": event,
        "name": f"Personne {n}",
        "email": f"personne{n}@example.fr",
        "consent": True,
        "consent_text": "J'accepte.",
    }
    values.update(overrides)
    return registration_create(**values)

import factory
from django.utils import timezone

from frenchbot.leads.models import Lead, LeadEvent, Source


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    email = factory.Sequence(lambda n: f"prospect{n}@example.fr")
    name = "Jeanne Dupont"
    company = "Boulangerie Dupont"
    source = Source.CONTACT
    last_activity_at = factory.LazyFunction(timezone.now)


class LeadEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadEvent

    lead = factory.SubFactory(LeadFactory)
    kind = LeadEvent.Kind.CONTACT
    summary = "Message envoyé depuis la page contact"

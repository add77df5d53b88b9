import factory

from frenchbot.newsletter.models import MailingList, Subscriber


class MailingListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailingList
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"liste-{n}")
    name = factory.Sequence(lambda n: f"Liste {n}")
    is_public = True
    is_default = True


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"lecteur{n}@exemple.fr")
    status = Subscriber.Status.PENDING
    consent_text = "J'accepte de recevoir la lettre."

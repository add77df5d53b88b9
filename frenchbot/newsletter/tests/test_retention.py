"""Sign-ups never confirmed are erased after RETENTION_NEWSLETTER_PENDING_DAYS, as the privacy policy says;
confirmed and unsubscribed addresses stay (the latter as proof of the withdrawal)."""

import datetime

import pytest
from django.utils import timezone

from frenchbot.newsletter.models import Subscriber
from frenchbot.newsletter.tasks import pending_subscribers_prune

from .factories import MailingListFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def _aged(subscriber: Subscriber, days: int) -> Subscriber:
    Subscriber.objects.filter(pk=subscriber.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )
    return subscriber


def test_only_old_unconfirmed_sign_ups_are_erased(settings):
    settings.RETENTION_NEWSLETTER_PENDING_DAYS = 30
    news = MailingListFactory()
    stale = _aged(SubscriberFactory(email="oubli@exemple.fr"), 31)
    stale.lists.add(news)
    _aged(SubscriberFactory(email="recent@exemple.fr"), 29)
    _aged(
        SubscriberFactory(
            email="lecteur@exemple.fr", status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now()
        ),
        400,
    )
    _aged(SubscriberFactory(email="parti@exemple.fr", status=Subscriber.Status.UNSUBSCRIBED), 400)

    assert pending_subscribers_prune.call() == 1

    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "recent@exemple.fr",
        "lecteur@exemple.fr",
        "parti@exemple.fr",
    }
    assert news.subscribers.count() == 0


def test_zero_keeps_them(settings):
    settings.RETENTION_NEWSLETTER_PENDING_DAYS = 0
    _aged(SubscriberFactory(), 400)
    assert pending_subscribers_prune.call() == 0
    assert Subscriber.objects.count() == 1

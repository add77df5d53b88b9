"""The admin: lists edited there, subscribers read (searched by address, filtered by status and list)."""

import pytest
from django.urls import reverse

from frenchbot.newsletter.models import MailingList, Subscriber

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_lists_are_edited_in_the_admin(admin_client, lists):
    url = reverse("admin:newsletter_mailinglist_add")
    response = admin_client.post(
        url,
        {"slug": "podcasts", "name": "Podcasts", "description": "", "is_public": "on", "position": 5},
    )
    assert response.status_code == 302, response.content
    assert MailingList.objects.get(slug="podcasts").is_default is False
    assert admin_client.get(reverse("admin:newsletter_mailinglist_changelist")).status_code == 200


def test_subscribers_are_searched_and_filtered_but_not_added(admin_client, lists):
    camille = SubscriberFactory(email="camille@exemple.fr", status=Subscriber.Status.CONFIRMED)
    camille.lists.add(lists["tutoriels"])
    SubscriberFactory(email="paul@exemple.fr")
    changelist = reverse("admin:newsletter_subscriber_changelist")
    page = admin_client.get(changelist, {"q": "camille"}).content.decode()
    assert "camille@exemple.fr" in page and "paul@exemple.fr" not in page
    page = admin_client.get(changelist, {"status__exact": "pending"}).content.decode()
    assert "paul@exemple.fr" in page and "camille@exemple.fr" not in page
    page = admin_client.get(changelist, {"lists__id__exact": lists["tutoriels"].pk}).content.decode()
    assert "camille@exemple.fr" in page and "paul@exemple.fr" not in page
    assert (
        admin_client.get(reverse("admin:newsletter_subscriber_change", args=[camille.pk])).status_code == 200
    )
    assert admin_client.get(reverse("admin:newsletter_subscriber_add")).status_code == 403

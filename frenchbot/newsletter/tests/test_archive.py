"""The public archive, its letters' pages and its RSS feed: only letters sent and published there."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from frenchbot.newsletter.models import Issue

from .sending_helpers import make_issue, make_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def letters():
    news = make_list()
    now = timezone.now()
    sent = make_issue(
        lists=[news], slug="novembre", subject="La lettre de novembre", status=Issue.Status.SENT
    )
    Issue.objects.filter(pk=sent.pk).update(sent_at=now - datetime.timedelta(days=30))
    newest = make_issue(
        lists=[news], slug="decembre", subject="La lettre de décembre", status=Issue.Status.SENT
    )
    Issue.objects.filter(pk=newest.pk).update(sent_at=now - datetime.timedelta(days=1))
    hidden = make_issue(
        lists=[news],
        slug="interne",
        subject="Réservée aux abonnés",
        status=Issue.Status.SENT,
        in_archive=False,
    )
    Issue.objects.filter(pk=hidden.pk).update(sent_at=now)
    draft = make_issue(lists=[news], slug="brouillon", subject="Brouillon de janvier")
    scheduled = make_issue(
        lists=[news],
        slug="programmee",
        subject="Programmée pour février",
        status=Issue.Status.SCHEDULED,
        scheduled_at=now + datetime.timedelta(days=3),
    )
    return {"sent": sent, "newest": newest, "hidden": hidden, "draft": draft, "scheduled": scheduled}


def test_the_archive_lists_sent_published_letters_newest_first(client, letters):
    page = client.get(reverse("newsletter:archive")).content.decode()
    assert page.index("La lettre de décembre") < page.index("La lettre de novembre")
    for absent in ["Réservée aux abonnés", "Brouillon de janvier", "Programmée pour février"]:
        assert absent not in page
    assert reverse("newsletter:feed") in page


def test_a_letter_page_shows_the_letter_without_personal_links(client, letters):
    response = client.get(reverse("newsletter:issue", args=["decembre"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "La lettre de décembre" in page
    assert 'href="https://exemple.fr/outils"' in page
    assert "desinscription" not in page and "preferences" not in page
    for slug in ["interne", "brouillon", "programmee", "inconnue"]:
        assert client.get(reverse("newsletter:issue", args=[slug])).status_code == 404


def test_the_feed_is_french_rss_of_the_archive(client, letters):
    response = client.get(reverse("newsletter:feed"))
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    assert channel.findtext("language") == "fr"
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["La lettre de décembre", "La lettre de novembre"]
    assert channel.find("item").findtext("link").endswith("/lettre/archives/decembre/")


def test_the_archive_is_paginated(client):
    news = make_list()
    for n in range(14):
        make_issue(lists=[news], slug=f"lettre-{n}", subject=f"Lettre numéro {n}", status=Issue.Status.SENT)
    Issue.objects.update(sent_at=timezone.now())
    first = client.get(reverse("newsletter:archive")).content.decode()
    assert "Page 1 sur 2" in first
    assert client.get(reverse("newsletter:archive") + "?page=2").status_code == 200
    assert client.get(reverse("newsletter:archive") + "?page=abc").status_code == 200


def test_the_sitemap_lists_the_archive_and_its_letters(client, letters):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/lettre/archives/</loc>" in xml
    assert "/lettre/archives/decembre/</loc>" in xml
    assert "/lettre/archives/interne/" not in xml
    assert "/lettre/archives/brouillon/" not in xml

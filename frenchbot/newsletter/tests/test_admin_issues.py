"""The letters in the admin: preview, insert the latest articles, test send, send now with its confirmation,
schedule in Paris time, progress, and who may do what."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.events.models import Event
from frenchbot.newsletter.models import Delivery, Issue

from .sending_helpers import make_issue, make_list, make_subscribers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_sends(settings):
    settings.NEWSLETTER_SEND_RATE = 0


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(
        "redactrice", "redactrice@thefrenchbot.fr", "motdepasse-solide"
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _viewer(client, django_user_model):
    user = django_user_model.objects.create_user(
        "lecteur", "lecteur@thefrenchbot.fr", "motdepasse", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client.force_login(user)
    return client


def test_the_change_page_offers_the_buttons_and_the_preview_is_the_email(staff_client):
    news = make_list()
    issue = make_issue(lists=[news])
    page = staff_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk])).content.decode()
    for label in [
        "Aperçu",
        "Insérer les derniers articles",
        "envoyer un test",
        "Envoyer maintenant",
        "Programmer",
    ]:
        assert label in page, label

    preview = staff_client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    assert preview["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in preview["Content-Security-Policy"]
    html = preview.content.decode()
    assert "L&#x27;IA au travail\u00a0: ce qui a changé en décembre" in html  # French no-break space added
    assert "<img" not in html
    text = staff_client.get(reverse("admin:newsletter_issue_preview_text", args=[issue.pk]))
    assert text["Content-Type"].startswith("text/plain")
    assert "trois outils testés (https://exemple.fr/outils)" in text.content.decode()


def test_insert_appends_the_latest_published_articles_and_upcoming_events(staff_client):
    ArticleFactory(title="Rédiger un compte rendu avec ChatGPT")
    Event.objects.create(
        slug="webinaire-prompts",
        title="Webinaire : écrire de bons prompts",
        starts_at=timezone.now() + datetime.timedelta(days=10),
    )
    Event.objects.create(
        slug="passe", title="Atelier passé", starts_at=timezone.now() - datetime.timedelta(days=10)
    )
    issue = make_issue(lists=[make_list()])
    response = staff_client.post(reverse("admin:newsletter_issue_insert", args=[issue.pk]), follow=True)
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.body_markdown.startswith("Bonjour,")
    assert "## Nos derniers articles" in issue.body_markdown
    assert "[Rédiger un compte rendu avec ChatGPT](http" in issue.body_markdown
    assert "## Nos prochains événements" in issue.body_markdown
    assert "[Webinaire : écrire de bons prompts](http" in issue.body_markdown
    assert "Atelier passé" not in issue.body_markdown
    # GET changes nothing.
    assert staff_client.get(reverse("admin:newsletter_issue_insert", args=[issue.pk])).status_code == 405


def test_send_test_goes_to_the_staff_member(staff_client, smtp_server, django_capture_on_commit_callbacks):
    issue = make_issue(lists=[make_list()])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:newsletter_issue_test", args=[issue.pk]), follow=True)
    assert "Un envoi de test part vers redactrice@thefrenchbot.fr" in response.content.decode()
    (message,) = smtp_server
    assert message["To"] == "redactrice@thefrenchbot.fr"
    assert not Delivery.objects.exists()


def test_send_now_asks_for_confirmation_with_the_number_of_recipients(
    staff_client, smtp_server, django_capture_on_commit_callbacks
):
    news = make_list()
    make_subscribers(7, lists=[news])
    issue = make_issue(lists=[news])
    url = reverse("admin:newsletter_issue_send", args=[issue.pk])
    page = staff_client.get(url).content.decode()
    assert "7 abonnés confirmés" in page
    assert not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url)
    assert len(smtp_server) == 7
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    change = staff_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk])).content.decode()
    assert "7 envoyés sur 7" in change
    assert "0 refusés définitivement" in change


def test_schedule_takes_paris_time(staff_client):
    issue = make_issue(lists=[make_list()])
    url = reverse("admin:newsletter_issue_schedule", args=[issue.pk])
    assert "heure de Paris" in staff_client.get(url).content.decode()
    day = timezone.localdate() + datetime.timedelta(days=3)
    response = staff_client.post(url, {"at": f"{day:%Y-%m-%d}T09:30"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED
    paris = issue.scheduled_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert (paris.date(), paris.hour, paris.minute) == (day, 9, 30)

    past = staff_client.post(url, {"at": "2020-01-01T09:30"})
    assert past.status_code == 200
    assert "Choisissez une date et une heure à venir" in past.content.decode()
    assert 'value="2020-01-01T09:30"' in past.content.decode()  # the input is kept

    staff_client.post(url, {"unschedule": "1"})
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Issue.Status.DRAFT, None)


def test_view_permission_previews_but_cannot_send(client, django_user_model):
    news = make_list()
    make_subscribers(2, lists=[news])
    issue = make_issue(lists=[news])
    viewer = _viewer(client, django_user_model)
    assert viewer.get(reverse("admin:newsletter_issue_preview", args=[issue.pk])).status_code == 200
    for name in [
        "newsletter_issue_send",
        "newsletter_issue_test",
        "newsletter_issue_insert",
        "newsletter_issue_schedule",
    ]:
        assert viewer.post(reverse(f"admin:{name}", args=[issue.pk])).status_code == 403
    assert not Delivery.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client):
    issue = make_issue(lists=[make_list()])
    response = client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

"""« Lettre d'information » in the back-office: totals, subscribers per list (chart and table), the letters'
figures, the CSV exports and who may see them."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.newsletter.models import Delivery, Issue, MailingList, Subscriber, SubscriptionChange

pytestmark = pytest.mark.django_db

PAGE = "/equipe/lettre/"


def member(django_user_model, group: str | None, username="lea") -> Client:
    user = django_user_model.objects.create_user(username, f"{username}@exemple.fr", "x", is_staff=True)
    if group:
        user.groups.add(staff_group(group))
    client = Client()
    client.force_login(user)
    return client


def days_ago(n: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def history():
    news = MailingList.objects.create(slug="actualites", name="Actualités de l'IA")
    people = [
        Subscriber.objects.create(
            email=f"p{i}@exemple.fr",
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=days_ago(5),
            origin="home",
        )
        for i in range(3)
    ]
    for person in people:
        person.lists.add(news)
        SubscriptionChange.objects.create(
            subscriber=person, mailing_list=news, kind=SubscriptionChange.Kind.JOINED, at=days_ago(5)
        )
    letter = Issue.objects.create(
        slug="lettre-1",
        subject="Lettre de décembre",
        body_markdown="…",
        status=Issue.Status.SENT,
        sent_at=days_ago(3),
    )
    for person in people:
        Delivery.objects.create(issue=letter, subscriber=person, status=Delivery.Status.SENT)
    leaver = people[0]
    leaver.status, leaver.unsubscribed_at = Subscriber.Status.UNSUBSCRIBED, days_ago(2)
    leaver.save()
    leaver.lists.clear()
    SubscriptionChange.objects.create(
        subscriber=leaver, mailing_list=news, kind=SubscriptionChange.Kind.LEFT, at=days_ago(2), issue=letter
    )
    Subscriber.objects.create(email="attente@exemple.fr")
    return news, letter


def _table_column(html: str, table_id: str) -> list[str]:
    """The first figure of each body row of the table `table_id`."""
    import re

    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [re.search(r'<td class="funnel__num">(\d+)</td>', row).group(1) for row in body.split("<tr>")[1:]]


def test_three_joins_then_one_leave_show_three_then_two(django_user_model, history):
    response = member(django_user_model, "Rédaction").get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    # Totals.
    assert "<dt>Confirmés</dt><dd>2</dd>" in html
    assert "<dt>En attente de confirmation</dt><dd>1</dd>" in html
    assert "<dt>Désinscrits</dt><dd>1</dd>" in html
    # The chart is an image with a name, drawn on the server; its table says the same.
    assert '<svg class="chart"' in html and 'role="img"' in html
    assert '<title id="abonnes-par-liste-titre">Abonnés par liste, 30 derniers jours</title>' in html
    column = _table_column(html, "tableau-abonnes")
    assert len(column) == 30
    assert column[-7:] == ["0", "3", "3", "3", "2", "2", "2"]
    # The letter's figures, unsubscribes from it included.
    letter_row = html.split("Lettre de décembre", 1)[1].split("</tr>", 1)[0]
    figures = [cell.split("<")[0] for cell in letter_row.split('<td class="funnel__num">')[1:]]
    assert figures[:6] == ["3", "3", "0", "0", "0", "0"]
    assert figures[6].startswith("1 (33,3")


@pytest.mark.parametrize("period,rows", [("12s", 12), ("12m", 12), ("30j", 30)])
def test_the_period_selector(django_user_model, history, period, rows):
    html = member(django_user_model, "Commercial").get(PAGE, {"periode": period}).content.decode()
    assert f'<option value="{period}" selected>' in html
    assert len(_table_column(html, "tableau-abonnes")) == rows
    assert _table_column(html, "tableau-abonnes")[-1] == "2"


@pytest.mark.parametrize("period", ["7j", "", "<script>", "30j'"])
def test_an_unknown_period_is_a_french_400(django_user_model, period):
    response = member(django_user_model, "Rédaction").get(PAGE, {"periode": period})
    assert response.status_code == 400
    assert "Période inconnue" in response.content.decode()


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_the_subscribers_export_opens_with_its_columns_and_escapes_formulas(django_user_model, history):
    news, _ = history
    evil = Subscriber.objects.create(
        email="=1+1@exemple.fr",
        status=Subscriber.Status.CONFIRMED,
        origin="@SUM(A1)",
        confirmed_at=days_ago(1),
    )
    evil.lists.add(news)
    client = member(django_user_model, "Commercial")
    assert "Cet export contient des données personnelles" in client.get(PAGE).content.decode()

    response = client.get(reverse("backoffice:newsletter_subscribers_export"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="abonnes-')
    rows = _csv(response)
    assert rows[0] == ["e-mail", "statut", "listes", "confirmé le", "inscrit depuis"]
    assert rows[1][:3] == ["'=1+1@exemple.fr", "Confirmé", "Actualités de l'IA"]
    assert rows[1][4] == "'@SUM(A1)"
    assert len(rows) == 1 + 5


def test_the_issues_export(django_user_model, history):
    rows = _csv(member(django_user_model, "Rédaction").get(reverse("backoffice:newsletter_issues_export")))
    assert rows[0][:4] == ["lettre", "statut", "envoyée le", "destinataires"]
    assert rows[1][0] == "Lettre de décembre" and rows[1][3:5] == ["3", "3"] and rows[1][-1] == "1"


def test_who_may_see_what(client, django_user_model, history):
    urls = [
        PAGE,
        reverse("backoffice:newsletter_subscribers_export"),
        reverse("backoffice:newsletter_issues_export"),
    ]
    for n, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        assert member(django_user_model, None, username=f"sans-groupe-{n}").get(url).status_code == 403
        assert member(django_user_model, "Modération", username=f"mod-{n}").get(url).status_code == 403
    # The editors see the figures, not the addresses.
    editor = member(django_user_model, "Rédaction", username="redac")
    assert "Cet export contient des données personnelles" not in editor.get(PAGE).content.decode()
    assert editor.get(urls[1]).status_code == 403
    assert editor.get(urls[2]).status_code == 200

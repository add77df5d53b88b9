"""« Statistiques » (/equipe/statistiques/): who may open it, the period chosen (and refused with a French
message), each section's figures as the team reads them, nothing a visitor sent turned into HTML, the CSV
exports, the weekly report switched on and off, and a number of queries that does not grow with the data."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.analytics.models import ReportRecipient
from frenchbot.analytics.tests.rollup_factories import (
    DailyDimensionFactory,
    DailyGoalFactory,
    DailyPageFactory,
    DailyTotalsFactory,
)
from frenchbot.assistant.models import Conversation, Feedback, Message
from frenchbot.backoffice.charts import Bar, bar_chart
from frenchbot.blog.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = "/equipe/statistiques/"
TOGGLE = "/equipe/statistiques/rapport/"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_SVG = '"><svg onload=alert(1)>'


def _client(django_user_model, *groups: str, username: str = "lea") -> Client:
    user = django_user_model.objects.create_user(username, f"{username}@exemple.fr", "x", is_staff=True)
    for name in groups:
        user.groups.add(staff_group(name))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sales(django_user_model):
    return _client(django_user_model, "Commercial")


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def _days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


# --- Who may open it --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "status"), [("Commercial", 200), ("Rédaction", 200), ("Modération", 403), ("Formation", 403)]
)
def test_sales_and_writers_open_the_statistics_others_get_the_403_page(django_user_model, group, status):
    response = _client(django_user_model, group).get(URL)
    assert response.status_code == status
    if status == 403:
        assert "Accès refusé" in response.content.decode()


def test_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_menu_leads_to_the_statistics_only_those_who_may_open_them(django_user_model):
    assert (
        'href="/equipe/statistiques/"'
        in _client(django_user_model, "Commercial").get("/equipe/").content.decode()
    )
    html = (
        _client(django_user_model, "Formation", username="theo").get("/equipe/evenements/").content.decode()
    )
    assert 'href="/equipe/statistiques/"' not in html


# --- The period ---------------------------------------------------------------------------------------------------


def test_by_default_the_last_30_whole_days_compared_with_the_30_before(sales):
    DailyTotalsFactory(
        day=_yesterday(), visitors=150, visits=200, pageviews=500, bounces=50, visit_seconds=200 * 95
    )
    DailyTotalsFactory(
        day=_days_ago(31), visitors=100, visits=100, pageviews=250, bounces=50, visit_seconds=100 * 60
    )
    DailyTotalsFactory(day=timezone.localdate(), visitors=9999)  # today is not over: not counted
    response = sales.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="30j" selected>30 derniers jours</option>' in html
    table = html[
        html.index('id="tableau-chiffres-cles"') : html.index(
            "</table>", html.index('id="tableau-chiffres-cles"')
        )
    ]
    assert "150" in table and "9999" not in table and "9\u00a0999" not in table
    assert "en hausse de 50\u00a0%" in table  # visitors 100 → 150
    assert "en hausse de 100\u00a0%" in table  # visits
    assert "1 min 35 s" in table and "1 min 0 s" in table
    assert "en baisse de 25,0 points" in table  # bounce rate 50 % → 25 %
    assert '<span class="stats-arrow" aria-hidden="true">↑</span>' in table
    assert "une personne revenue deux jours compte deux fois" in html


def test_a_custom_period_is_read_and_compared_with_the_same_length_before(sales):
    DailyTotalsFactory(day=datetime.date(2026, 3, 10), visitors=42)
    DailyTotalsFactory(day=datetime.date(2026, 3, 5), visitors=21)
    html = sales.get(URL, {"periode": "perso", "du": "2026-03-08", "au": "2026-03-14"}).content.decode()
    assert (
        "du 8 mars au 14 mars 2026, comparée à la période de même durée qui la précède (du 1 mars au 7 mars 2026)"
        in html
    )
    assert "en hausse de 100\u00a0%" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"du": "31/02/2026", "au": "2026-03-14"}, "du", "Date non valide"),
        (
            {"du": "2026-03-14", "au": "2026-03-01"},
            "au",
            "Le dernier jour doit être le premier jour ou un jour après.",
        ),
        ({"du": "2022-01-01", "au": "2024-06-30"}, "au", "Deux ans au plus"),
        ({"du": "1890-01-01", "au": "1890-01-02"}, "du", "à partir du 1er janvier 2000"),
        ({"du": "2026-01-01", "au": "2999-01-01"}, "au", "pas encore passé"),
        ({"du": "", "au": "2026-03-01"}, "du", "Indiquez le premier jour"),
    ],
)
def test_bad_dates_get_a_french_message_beside_the_field_and_keep_what_was_typed(
    sales, query, field, message
):
    response = sales.get(URL, {"periode": "perso", **query})
    html = response.content.decode()
    assert response.status_code == 400
    errors = html[html.index(f'id="id_{field}-erreurs"') :][:400]
    assert message in errors
    assert 'aria-invalid="true"' in html
    for name, value in query.items():
        if value:
            assert f'name="{name}" value="{value}"' in html
    assert "Chiffres clés" not in html


def test_an_unknown_period_is_refused_with_a_message(sales):
    response = sales.get(URL, {"periode": "10ans"})
    assert response.status_code == 400
    assert "Choisissez une des périodes proposées." in response.content.decode()


def test_beyond_92_days_visitors_are_counted_per_week(sales):
    DailyTotalsFactory(day=_yesterday(), visitors=3)
    html = sales.get(URL, {"periode": "12m"}).content.decode()
    assert "Visiteurs par semaine" in html and "semaine du" in html
    html = sales.get(URL, {"periode": "7j"}).content.decode()
    assert "Visiteurs par jour" in html


# --- The sections -------------------------------------------------------------------------------------------------


def test_articles_are_named_by_their_title_with_what_their_visits_brought(sales):
    ArticleFactory(slug="prompts-efficaces", title="Écrire des prompts efficaces")
    day = _yesterday()
    DailyPageFactory(
        day=day,
        path="/blog/prompts-efficaces/",
        pageviews=120,
        visitors=90,
        entries=60,
        seconds_total=95 * 10,
        seconds_count=10,
        scroll_total=700,
        scroll_count=10,
    )
    DailyPageFactory(day=day, path="/formations/", pageviews=40, entries=3)
    DailyGoalFactory(day=day, name="audit_completed", entry_path="/blog/prompts-efficaces/", count=4)
    DailyGoalFactory(day=day, name="call_booked", entry_path="/blog/prompts-efficaces/", count=1)
    DailyGoalFactory(day=day, name="enrolled", entry_path="/formations/", count=2)
    html = sales.get(URL).content.decode()
    pages = html[html.index('id="tableau-pages"') :]
    pages = pages[: pages.index("</table>")]
    assert "Écrire des prompts efficaces" in pages and "/blog/prompts-efficaces/" in pages
    assert "a amené 4 audits et 1 rendez-vous" in pages
    assert "a amené 2 inscriptions" in pages
    assert "1 min 35 s" in pages and "70\u00a0%" in pages
    assert pages.index("Écrire des prompts efficaces") < pages.index("/formations/")


def test_sources_are_named_in_french(sales):
    day = _yesterday()
    DailyDimensionFactory(day=day, dimension="referrer", value="", visits=30)
    DailyDimensionFactory(day=day, dimension="referrer", value="www.qwant.com", visits=5)
    DailyDimensionFactory(day=day, dimension="device", value="mobile", visits=20)
    DailyDimensionFactory(day=day, dimension="country", value="BE", visits=7)
    DailyDimensionFactory(day=day, dimension="country", value="", visits=2)
    DailyDimensionFactory(day=day, dimension="country", value="ZZ", visits=1)
    DailyDimensionFactory(day=day, dimension="utm_campaign", value="rentree-2026", visits=4)
    html = sales.get(URL).content.decode()
    assert "Accès direct" in html and "www.qwant.com" in html
    assert '<th scope="row">Mobile</th>' in html
    assert '<th scope="row">Belgique</th>' in html and '<th scope="row">Inconnu</th>' in html
    assert '<th scope="row">ZZ</th>' in html
    assert "rentree-2026" in html


def test_the_funnel_shows_each_step_its_count_and_its_drop(sales):
    day = _yesterday()
    DailyTotalsFactory(day=day, visits=400)
    DailyGoalFactory(day=day, name="bot_conversation", count=100)
    DailyGoalFactory(day=day, name="audit_started", count=30)
    DailyGoalFactory(day=day, name="newsletter_confirmed", count=6)
    DailyGoalFactory(day=_days_ago(35), name="bot_conversation", count=80)  # the period before
    html = sales.get(URL).content.decode()
    table = html[html.index('id="tableau-parcours"') :]
    table = table[: table.index("</table>")]
    assert (
        "Conversation avec le bot" in table
        and "75\u00a0% de moins" in table
        and "70\u00a0% de moins" in table
    )
    assert (
        table.index("Visites") < table.index("Conversation avec le bot") < table.index("Certificat délivré")
    )
    # The chart: an image with its name, its figures written in it.
    assert 'role="img" aria-labelledby="graphique-parcours-titre graphique-parcours-desc"' in html
    assert "100 (75\u00a0% de moins)" in html
    others = html[html.index('id="tableau-autres-objectifs"') :]
    assert "Inscription à la lettre confirmée" in others[: others.index("</table>")]
    assert "compte dans chacun des deux mois" in html


def _exchange(question: str, *, unanswered: bool, rating: int | None = None) -> None:
    conversation = Conversation.objects.create(session_key="s")
    Message.objects.create(conversation=conversation, role=Message.Role.USER, content=question)
    answer = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, content="…", unanswered=unanswered
    )
    if rating is not None:
        Feedback.objects.create(message=answer, rating=rating)


def test_the_bot_section_shows_to_those_who_may_read_its_messages(django_user_model):
    # Created now (today): a custom period ending today covers them.
    _exchange("Combien coûte une formation ?", unanswered=False, rating=1)
    _exchange("Combien coûte une formation ?", unanswered=False, rating=-1)
    _exchange("Quel temps fait-il à Lyon ?", unanswered=True)
    _exchange("quel temps fait-il à lyon ?", unanswered=True)
    today = timezone.localdate().isoformat()
    query = {"periode": "perso", "du": today, "au": today}
    html = _client(django_user_model, "Commercial", "Modération").get(URL, query).content.decode()
    bot = html[html.index('id="bot"') :]
    assert "Conversations commencées</dt><dd>4" in bot
    assert "50\u00a0% (2 sur 4 questions)" in bot
    assert "50\u00a0% (1 sur 2 réponses notées)" in bot
    table = bot[bot.index('id="tableau-bot-questions-sans-reponse"') :]
    assert "quel temps fait-il à lyon ?" in table.lower() and '<td class="stats-num">2</td>' in table
    assert 'href="/equipe/questions-sans-reponse/"' in bot
    html = _client(django_user_model, "Commercial", username="paul").get(URL, query).content.decode()
    assert 'id="bot"' not in html and "Quel temps fait-il" not in html


def test_nothing_a_visitor_sent_becomes_html(sales):
    day = _yesterday()
    for n, evil in enumerate((XSS_SCRIPT, XSS_SVG)):
        DailyPageFactory(day=day, path=f"/{evil}", pageviews=10 + n, entries=5, exits=5)
        DailyDimensionFactory(day=day, dimension="referrer", value=evil)
        DailyDimensionFactory(day=day, dimension="utm_campaign", value=evil)
        DailyDimensionFactory(day=day, dimension="country", value=evil[:2])
        DailyGoalFactory(day=day, entry_path=f"/{evil}")
    html = sales.get(URL).content.decode()
    assert "<script>alert" not in html and "<svg onload" not in html and '"><svg' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in html
    # In an SVG too: a chart's labels are escaped text.
    svg = str(
        bar_chart(
            chart_id="x",
            bars=[Bar(label=XSS_SVG, value=1, text=XSS_SCRIPT)],
            title=XSS_SCRIPT,
            description=XSS_SVG,
        )
    )
    assert "<script>" not in svg and "<svg onload" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<svg ") == 1


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_each_table_downloads_as_csv_for_the_same_period(sales):
    ArticleFactory(slug="prompts-efficaces", title="Écrire des prompts efficaces")
    DailyPageFactory(day=datetime.date(2026, 3, 10), path="/blog/prompts-efficaces/", pageviews=1234)
    DailyPageFactory(day=datetime.date(2026, 3, 10), path="=HYPERLINK(1)", pageviews=2)
    DailyGoalFactory(
        day=datetime.date(2026, 3, 10), name="call_booked", entry_path="/blog/prompts-efficaces/", count=3
    )
    query = {"periode": "perso", "du": "2026-03-08", "au": "2026-03-14"}
    html = sales.get(URL, query).content.decode()
    assert 'href="?periode=perso&amp;du=2026-03-08&amp;au=2026-03-14&amp;export=pages"' in html
    response = sales.get(URL, {**query, "export": "pages"})
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="statistiques-pages-du-2026-03-08-au-2026-03-14.csv"'
    )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Titre;Adresse;Pages vues;Visiteurs")
    assert lines[1].startswith("Écrire des prompts efficaces;/blog/prompts-efficaces/;1234;")
    assert lines[1].endswith("a amené 3 rendez-vous")
    assert lines[2].startswith(";'=HYPERLINK(1);2;")  # no formula in the team's spreadsheet
    for name in (
        "chiffres-cles",
        "visiteurs",
        "pages-entree",
        "pages-sortie",
        "sites-origine",
        "campagnes",
        "sources-campagne",
        "appareils",
        "pays",
        "parcours",
        "autres-objectifs",
    ):
        response = sales.get(URL, {**query, "export": name})
        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/csv; charset=utf-8"
    funnel = b"".join(sales.get(URL, {**query, "export": "parcours"}).streaming_content).decode("utf-8-sig")
    assert "Rendez-vous pris;3;;0;aucun sur la période précédente\r\n" in funnel
    assert "Rendez-vous tenu;0;100;0;stable (aucun sur la période précédente)\r\n" in funnel


def test_an_unknown_export_or_the_bots_without_its_permission_is_refused(sales):
    assert sales.get(URL, {"export": "tout"}).status_code == 400
    assert sales.get(URL, {"export": "bot-questions-sans-reponse"}).status_code == 400


# --- The weekly report switch ------------------------------------------------------------------------------------


def test_the_weekly_report_is_switched_on_and_off(django_user_model):
    client = _client(django_user_model, "Commercial")
    user = django_user_model.objects.get(username="lea")
    response = client.post(TOGGLE, {"wanted": "on", "next": URL + "?periode=7j"}, follow=True)
    assert response.redirect_chain == [(URL + "?periode=7j", 302)]
    assert "vous recevrez le rapport hebdomadaire à lea@exemple.fr" in response.content.decode()
    assert ReportRecipient.objects.filter(user=user).exists()
    assert 'name="wanted" value="on" checked' in response.content.decode()
    response = client.post(TOGGLE, {"next": "https://ailleurs.example/"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "vous ne recevrez plus le rapport hebdomadaire" in response.content.decode()
    assert not ReportRecipient.objects.exists()


def test_the_switch_needs_a_post_with_csrf_and_the_permission(django_user_model):
    user = django_user_model.objects.create_user("csrf", "c@exemple.fr", "x", is_staff=True)
    user.groups.add(staff_group("Commercial"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(TOGGLE).status_code == 405
    assert client.post(TOGGLE, {"wanted": "on"}).status_code == 403
    other = _client(django_user_model, "Formation", username="form")
    assert other.post(TOGGLE, {"wanted": "on"}).status_code == 403
    assert not ReportRecipient.objects.exists()


def test_the_switch_is_rate_limited(django_user_model, monkeypatch):
    monkeypatch.setattr("frenchbot.backoffice.views.statistics.REPORT_TOGGLES_PER_HOUR", 2)
    client = _client(django_user_model, "Commercial")
    for _ in range(2):
        client.post(TOGGLE, {"wanted": "on"})
    ReportRecipient.objects.all().delete()
    response = client.post(TOGGLE, {"wanted": "on"}, follow=True)
    assert "Trop de changements en une heure" in response.content.decode()
    assert not ReportRecipient.objects.exists()


# --- Queries ------------------------------------------------------------------------------------------------------


def _seed(days: int, paths: int) -> None:
    for offset in range(1, days + 1):
        day = _days_ago(offset)
        DailyTotalsFactory(day=day)
        for n in range(paths):
            ArticleFactory(slug=f"article-{offset}-{n}") if offset == 1 else None
            DailyPageFactory(day=day, path=f"/blog/article-1-{n}/")
            DailyGoalFactory(day=day, entry_path=f"/blog/article-1-{n}/")
            DailyDimensionFactory(day=day, value=f"site-{n}.fr")
            DailyDimensionFactory(day=day, dimension="country", value=f"C{n}")


@pytest.mark.parametrize(("days", "paths"), [(1, 1), (25, 12)])
def test_the_page_makes_as_many_queries_whatever_the_data(
    django_user_model, days, paths, django_assert_max_num_queries
):
    _seed(days, paths)
    client = _client(django_user_model, "Commercial", "Modération")
    with django_assert_max_num_queries(24):
        response = client.get(URL)
    assert response.status_code == 200


def test_the_page_says_how_fresh_its_figures_are(django_user_model):
    from frenchbot.core.models import PeriodicJob

    client = _client(django_user_model, "Commercial")
    assert "Le worker n'a pas encore calculé les chiffres" in client.get(URL).content.decode()
    PeriodicJob.objects.create(
        name="analytics_rollup",
        last_run_at=timezone.make_aware(datetime.datetime(2026, 12, 6, 15, 52)),
    )
    assert (
        "Chiffres recalculés par le worker le 6 décembre 2026 à 15 h 52" in client.get(URL).content.decode()
    )

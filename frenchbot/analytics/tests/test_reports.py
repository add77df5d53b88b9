"""The weekly e-mail report: what it says (the last 7 days against the 7 before, the top pages and what their
visits brought, the journey), sent once a week from the set hour, only to active staff who asked for it and may
still read the figures."""

import datetime
import zoneinfo
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core import mail

from frenchbot.accounts.tests.helpers import body, link_path, subject
from frenchbot.analytics.models import ReportRecipient
from frenchbot.analytics.reports import weekly_report_build, weekly_reports_send_due
from frenchbot.analytics.services import report_recipient_set

from .rollup_factories import DailyGoalFactory, DailyPageFactory, DailyTotalsFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Monday 7 December 2026: the report covers Monday 30 November to Sunday 6 December.
MONDAY = datetime.date(2026, 12, 7)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _seed_weeks() -> None:
    for offset in range(7):
        DailyTotalsFactory(
            day=datetime.date(2026, 11, 30) + datetime.timedelta(days=offset),
            visitors=30,
            visits=40,
            pageviews=90,
        )
        DailyTotalsFactory(
            day=datetime.date(2026, 11, 23) + datetime.timedelta(days=offset),
            visitors=20,
            visits=40,
            pageviews=100,
        )
    DailyTotalsFactory(day=MONDAY, visitors=5000)  # the day the report leaves: not in it
    DailyPageFactory(day=datetime.date(2026, 12, 2), path="/blog/prompts-efficaces/", pageviews=300)
    DailyPageFactory(day=datetime.date(2026, 12, 3), path="/", pageviews=200)
    DailyGoalFactory(
        day=datetime.date(2026, 12, 3), name="audit_completed", entry_path="/blog/prompts-efficaces/", count=2
    )
    DailyGoalFactory(
        day=datetime.date(2026, 12, 4), name="call_booked", entry_path="/blog/prompts-efficaces/", count=1
    )
    DailyGoalFactory(day=datetime.date(2026, 12, 4), name="bot_conversation", entry_path="/", count=12)


def _staff(django_user_model, username: str, *, permission: bool = True, **extra):
    user = django_user_model.objects.create_user(
        username, f"{username}@exemple.fr", "x", is_staff=True, **extra
    )
    if permission:
        user.user_permissions.add(Permission.objects.get(codename="view_dailytotals"))
    report_recipient_set(user=user, wanted=True)
    return user


def test_the_report_compares_the_last_7_days_with_the_7_before():
    _seed_weeks()
    report = weekly_report_build(end=datetime.date(2026, 12, 6))
    assert report.period_text == "du 30 novembre au 6 décembre 2026"
    figures = {figure.label: figure for figure in report.figures}
    assert (figures["Visiteurs"].value, figures["Visiteurs"].previous) == (210, 140)
    assert figures["Visiteurs"].change.text == "en hausse de 50\u00a0%"
    assert figures["Visites"].change.text == "stable"
    assert figures["Pages vues"].change.text == "en baisse de 10\u00a0%"
    assert [(page.path, page.goals) for page in report.pages] == [
        ("/blog/prompts-efficaces/", "a amené 2 audits et 1 rendez-vous"),
        ("/", ""),
    ]
    assert {step.name: step.count for step in report.funnel.steps}["bot_conversation"] == 12


def test_it_is_sent_once_a_week_from_the_set_hour(django_user_model, settings):
    settings.ANALYTICS_REPORT_WEEKDAY, settings.ANALYTICS_REPORT_HOUR = 0, 8
    _seed_weeks()
    _staff(django_user_model, "camille")
    assert weekly_reports_send_due(now=_at(MONDAY, 7, 59)) == 0
    assert weekly_reports_send_due(now=_at(MONDAY - datetime.timedelta(days=1), 23)) == 0  # a Sunday
    assert mail.outbox == []
    assert weekly_reports_send_due(now=_at(MONDAY, 8)) == 1
    assert weekly_reports_send_due(now=_at(MONDAY, 9)) == 0  # the next hourly run: already sent
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@exemple.fr"]
    assert message.subject == "Statistiques de la semaine, du 30 novembre au 6 décembre 2026"
    assert "- Visiteurs\u00a0: 210 (en hausse de 50\u00a0%\u00a0; 140 la semaine précédente)" in message.body
    assert (
        "1. /blog/prompts-efficaces/ — 300 vues\u00a0; a amené 2 audits et 1 rendez-vous\n2. / — 200 vues\n"
        in message.body
    )
    assert "- Conversation avec le bot\u00a0: 12\n" in message.body
    assert f"{settings.SITE_URL}/equipe/statistiques/" in message.body
    assert (
        "Pour ne plus le recevoir, décochez «\u00a0Recevoir le rapport hebdomadaire par e-mail\u00a0»"
        in message.body
    )
    html = message.alternatives[0][0]
    assert "<table" in html and "en hausse de 50\u00a0%" in html
    assert ReportRecipient.objects.get().last_sent_on == MONDAY
    # A week later, again.
    assert weekly_reports_send_due(now=_at(MONDAY + datetime.timedelta(days=7), 8, 5)) == 1


def test_only_active_staff_who_still_may_read_the_figures_get_it(django_user_model):
    _staff(django_user_model, "camille")
    _staff(django_user_model, "parti", is_active=False)
    _staff(django_user_model, "sans_droit", permission=False)
    group_member = _staff(django_user_model, "redaction", permission=False)
    import_module("frenchbot.accounts.migrations.0003_staff_groups_analytics").permissions_grant(apps, None)
    group_member.groups.add(Group.objects.get(name="Rédaction"))
    assert weekly_reports_send_due(now=_at(MONDAY, 10)) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["camille@exemple.fr", "redaction@exemple.fr"]
    # Their wish is kept: given the permission back, they get the next one.
    assert ReportRecipient.objects.count() == 4


def test_who_switched_it_off_gets_nothing(django_user_model):
    user = _staff(django_user_model, "camille")
    report_recipient_set(user=user, wanted=False)
    assert weekly_reports_send_due(now=_at(MONDAY, 10)) == 0
    assert mail.outbox == []


def test_a_failed_sending_is_tried_again_the_next_hour(django_user_model, settings):
    _staff(django_user_model, "camille")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens
    assert weekly_reports_send_due(now=_at(MONDAY, 8)) == 0
    assert ReportRecipient.objects.get().last_sent_on is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert weekly_reports_send_due(now=_at(MONDAY, 9)) == 1


def test_it_goes_through_a_real_smtp_server(django_user_model, smtp_server):
    _seed_weeks()
    _staff(django_user_model, "camille")
    assert weekly_reports_send_due(now=_at(MONDAY, 8, 30)) == 1
    [message] = smtp_server
    assert subject(message) == "Statistiques de la semaine, du 30 novembre au 6 décembre 2026"
    assert "en hausse de 50\u00a0%" in body(message)
    assert link_path(message, "/equipe/statistiques/") == "/equipe/statistiques/"

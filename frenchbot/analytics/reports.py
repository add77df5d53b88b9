"""The weekly e-mail report to the staff who asked for it on the dashboard: the last 7 days against the 7 before
(visitors, visits, page views), the five most viewed pages with what the visits entering them brought, and the
journey's steps. Sent by the worker once a week, on ANALYTICS_REPORT_WEEKDAY from ANALYTICS_REPORT_HOUR
(Europe/Paris), to active staff who still hold the permission to read the figures."""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from frenchbot.core.mail import mail_send

from . import selectors
from .models import ReportRecipient
from .wording import Change, change_of, goals_sentence, number_text

logger = logging.getLogger(__name__)

PERMISSION = "analytics.view_dailytotals"
_DASHBOARD_PATH = "/equipe/statistiques/"


@dataclasses.dataclass(frozen=True)
class ReportFigure:
    label: str
    value: int
    previous: int
    change: Change

    @property
    def value_text(self) -> str:
        return number_text(self.value)

    @property
    def previous_text(self) -> str:
        return number_text(self.previous)


@dataclasses.dataclass(frozen=True)
class ReportPage:
    path: str
    pageviews: int
    goals: str  # « a amené 2 audits », or ""

    @property
    def pageviews_text(self) -> str:
        return number_text(self.pageviews)


@dataclasses.dataclass(frozen=True)
class WeeklyReport:
    period: selectors.Period
    previous: selectors.Period
    figures: list[ReportFigure]
    pages: list[ReportPage]
    funnel: selectors.Funnel

    @property
    def period_text(self) -> str:
        return period_text(self.period)


def period_text(period: selectors.Period) -> str:
    """« du 30 novembre au 6 décembre 2026 », « le 6 décembre 2026 » (the report and the statistics page)."""
    end = formats.date_format(period.end, "j F Y")
    if period.start == period.end:
        return _("le %(date)s") % {"date": end}
    same_year = period.start.year == period.end.year
    return _("du %(start)s au %(end)s") % {
        "start": formats.date_format(period.start, "j F" if same_year else "j F Y"),
        "end": end,
    }


def weekly_report_build(*, end: datetime.date) -> WeeklyReport:
    """The report of the 7 days ending with `end` (included), compared with the 7 days before."""
    period = selectors.Period(start=end - datetime.timedelta(days=6), end=end)
    previous = period.previous()
    now = selectors.period_totals(start=period.start, end=period.end)
    before = selectors.period_totals(start=previous.start, end=previous.end)
    figures = [
        ReportFigure(
            label,
            getattr(now, name),
            getattr(before, name),
            change_of(getattr(now, name), getattr(before, name)),
        )
        for name, label in (
            ("visitors", _("Visiteurs")),
            ("visits", _("Visites")),
            ("pageviews", _("Pages vues")),
        )
    ]
    top = selectors.top_pages(start=period.start, end=period.end, limit=5)
    goals = selectors.goals_by_entry(start=period.start, end=period.end, paths=[row.path for row in top])
    pages = [
        ReportPage(path=row.path, pageviews=row.pageviews, goals=goals_sentence(goals.get(row.path, {})))
        for row in top
    ]
    return WeeklyReport(
        period=period,
        previous=previous,
        figures=figures,
        pages=pages,
        funnel=selectors.funnel(start=period.start, end=period.end, visits=now.visits),
    )


def _dashboard_url() -> str:
    try:
        path = reverse("backoffice:statistics")
    except NoReverseMatch:  # the back-office is not installed
        path = _DASHBOARD_PATH
    return f"{settings.SITE_URL}{path}"


def weekly_report_send(*, report: WeeklyReport, to: str) -> int:
    """Send `report` to the address `to`, in the site's language (plain text and HTML)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"report": report, "dashboard_url": _dashboard_url(), "site_name": settings.SITE_NAME}
        subject = _("Statistiques de la semaine, %(period)s") % {"period": report.period_text}
        return mail_send(
            to=[to],
            subject=subject,
            body=render_to_string("analytics/email/weekly_report.txt", context),
            html=render_to_string("analytics/email/weekly_report.html", context),
        )


def weekly_reports_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send this week's report to each recipient who has not had it yet; returns how many were sent.

    Runs every hour; sends nothing before ANALYTICS_REPORT_HOUR on ANALYTICS_REPORT_WEEKDAY (site time), nor on
    another day. Each recipient is claimed (last_sent_on set to today by a conditional update) before sending,
    so two workers never send the same report twice; a sending that fails gives the claim back (logged), and
    the next hour tries again. Staff who left, or lost the permission to read the figures, get nothing (their wish is
    kept, should the permission come back)."""
    local = timezone.localtime(now or timezone.now())
    if local.weekday() != settings.ANALYTICS_REPORT_WEEKDAY or local.hour < settings.ANALYTICS_REPORT_HOUR:
        return 0
    today = local.date()
    due = Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today)
    recipients = list(
        ReportRecipient.objects.filter(due, user__is_active=True, user__is_staff=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    recipients = [recipient for recipient in recipients if recipient.user.has_perm(PERMISSION)]
    if not recipients:
        return 0
    report = weekly_report_build(end=today - datetime.timedelta(days=1))
    sent = 0
    for recipient in recipients:
        if not ReportRecipient.objects.filter(due, pk=recipient.pk).update(last_sent_on=today):
            continue  # another worker took it meanwhile
        try:
            sent += weekly_report_send(report=report, to=recipient.user.email)
        except Exception:
            ReportRecipient.objects.filter(pk=recipient.pk).update(last_sent_on=recipient.last_sent_on)
            # The next hour tries again; the others still get theirs.
            logger.exception("analytics: weekly report to user %s not sent", recipient.user_id)
    return sent

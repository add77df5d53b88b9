"""« Lettre d'information »: the subscribers' totals, subscribers per list over a chosen period (a chart and its
table), what became of each letter, and the CSV exports."""

import datetime

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from frenchbot.core.csvexport import csv_response
from frenchbot.newsletter import stats

from ..charts import Line, line_chart
from ..permissions import staff_permission_required

# Under the chart's axis: « 2 déc. », « déc. 2026 ».
_SHORT = {"day": "j N", "week": "j N", "month": "N Y"}


def _label(bucket: datetime.date, unit: str) -> str:
    """The bucket as the data table says it: « 6 décembre 2026 », « semaine du 30 novembre 2026 »,
    « décembre 2026 »."""
    if unit == "month":
        return formats.date_format(bucket, "F Y")
    text = formats.date_format(bucket, "j F Y")
    return _("semaine du %(date)s") % {"date": text} if unit == "week" else text


def _issue_admin_url(issue_id: int) -> str | None:
    try:
        return reverse("admin:newsletter_issue_change", args=[issue_id])
    except NoReverseMatch:  # the letters' admin is not registered
        return None


@staff_permission_required("newsletter.view_issue")
@require_safe
def newsletter_stats(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("periode", stats.DEFAULT_PERIOD)
    period = stats.PERIODS.get(key)
    if period is None:
        return render(
            request,
            "core/error.html",
            {
                "title": _("Période inconnue"),
                "message": _(
                    "Choisissez une des périodes proposées : 30 derniers jours, 12 dernières semaines ou "
                    "12 derniers mois."
                ),
            },
            status=400,
        )
    series = stats.subscribers_per_list(period=period)
    movements = stats.subscriber_movements(period=period)
    issues = stats.issues_with_figures()
    for issue in issues:
        issue.admin_url = _issue_admin_url(issue.pk)
    chart = line_chart(
        chart_id="abonnes-par-liste",
        lines=[Line(label=s.mailing_list.name, values=s.values) for s in series.lists],
        x_labels=[formats.date_format(bucket, _SHORT[period.unit]) for bucket in series.buckets],
        title=_("Abonnés par liste, %(period)s") % {"period": period.label},
        description=_("Les chiffres de chaque liste sont dans le tableau qui suit le graphique."),
    )
    rows = [
        {"label": _label(bucket, period.unit), "values": values, "movement": movement}
        for (bucket, values), movement in zip(series.rows, movements, strict=True)
    ]
    return render(
        request,
        "backoffice/newsletter.html",
        {
            "totals": stats.subscriber_totals(),
            "periods": stats.PERIODS.values(),
            "period": period,
            "series": series,
            "chart": chart,
            "rows": rows,
            "issues": issues,
        },
    )


@staff_permission_required("newsletter.view_subscriber")
@require_safe
def newsletter_subscribers_export(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response(
        rows=stats.subscriber_csv_rows(), filename=f"abonnes-{timezone.localdate():%Y-%m-%d}.csv"
    )


@staff_permission_required("newsletter.view_issue")
@require_safe
def newsletter_issues_export(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response(rows=stats.issue_csv_rows(), filename=f"lettres-{timezone.localdate():%Y-%m-%d}.csv")

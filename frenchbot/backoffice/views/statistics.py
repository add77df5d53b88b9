"""« Statistiques »: the site's audience over a chosen period against the one before (key figures, visitors
over time, pages, sources, the visitors' journey, the bot), each table downloadable as CSV, and the weekly
e-mail report switched on or off."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from frenchbot.analytics.selectors import Period, period_preset, rollups_updated_at
from frenchbot.analytics.services import report_recipient_is, report_recipient_set
from frenchbot.core.csvexport import csv_response
from frenchbot.core.ratelimit import rate_limit_hit

from ..permissions import staff_permission_required
from ..statistics import Dashboard, period_text

PERMISSION = "analytics.view_dailytotals"
DEFAULT_PERIOD = "30j"
CUSTOM = "perso"
# The preset periods end yesterday: whole days only, so that a period compares fairly with the one before.
# The earliest day one may ask for, and the longest period: two years.
EARLIEST = datetime.date(2000, 1, 1)
MAX_DAYS = 731
# Switching the weekly report on or off, per staff member per hour.
REPORT_TOGGLES_PER_HOUR = 20

_DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_ERRORS = {"invalid": gettext_lazy("Date non valide (exemple : 27/11/2026).")}


class StatisticsPeriodForm(forms.Form):
    periode = forms.ChoiceField(
        label=gettext_lazy("Période"),
        required=False,
        choices=[
            ("aujourdhui", gettext_lazy("Aujourd'hui")),
            ("7j", gettext_lazy("7 derniers jours")),
            ("30j", gettext_lazy("30 derniers jours")),
            ("90j", gettext_lazy("90 derniers jours")),
            ("12m", gettext_lazy("12 derniers mois")),
            (CUSTOM, gettext_lazy("Personnalisée")),
        ],
        error_messages={"invalid_choice": gettext_lazy("Choisissez une des périodes proposées.")},
    )
    du = forms.DateField(
        label=gettext_lazy("Du"),
        required=False,
        widget=_DATE_WIDGET,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages=_DATE_ERRORS,
        help_text=gettext_lazy("Période personnalisée seulement."),
    )
    au = forms.DateField(
        label=gettext_lazy("Au"),
        required=False,
        widget=_DATE_WIDGET,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages=_DATE_ERRORS,
        help_text=gettext_lazy("Inclus."),
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        if (data.get("periode") or DEFAULT_PERIOD) != CUSTOM:
            return data
        start, end = data.get("du"), data.get("au")
        if start is None and "du" not in self.errors:
            self.add_error("du", _("Indiquez le premier jour de la période personnalisée."))
        if end is None and "au" not in self.errors:
            self.add_error("au", _("Indiquez le dernier jour de la période personnalisée."))
        if start is not None and start < EARLIEST:
            self.add_error("du", _("Choisissez un jour à partir du 1er janvier 2000."))
        elif end is not None and end > self.today:
            self.add_error(
                "au",
                _("Ce jour n'est pas encore passé : choisissez le %(today)s au plus tard.")
                % {"today": formats.date_format(self.today, "j F Y")},
            )
        elif start is not None and end is not None:
            if end < start:
                self.add_error("au", _("Le dernier jour doit être le premier jour ou un jour après."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("au", _("Deux ans au plus : rapprochez les deux dates."))
        return data

    def period(self) -> tuple[Period, str]:
        """The period asked for (the form is valid) and how the page names it."""
        key = self.cleaned_data.get("periode") or DEFAULT_PERIOD
        if key == CUSTOM:
            period = Period(start=self.cleaned_data["du"], end=self.cleaned_data["au"])
            return period, _("Période personnalisée")
        period = period_preset(key=key, today=self.today)
        return period, str(dict(self.fields["periode"].choices)[key])


def _report_when() -> str:
    """« Chaque lundi à partir de 8 h », from the settings the worker follows."""
    monday = datetime.date(2024, 1, 1)
    day = formats.date_format(monday + datetime.timedelta(days=settings.ANALYTICS_REPORT_WEEKDAY % 7), "l")
    return _("Chaque %(day)s à partir de %(hour)d h") % {
        "day": day,
        "hour": settings.ANALYTICS_REPORT_HOUR,
    }


def _period_form(request: HttpRequest) -> StatisticsPeriodForm:
    data = request.GET.copy()
    if not data.get("periode"):
        data["periode"] = DEFAULT_PERIOD
    return StatisticsPeriodForm(data, today=timezone.localdate())


@staff_permission_required(PERMISSION)
@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    context = {
        "form": form,
        "wants_report": report_recipient_is(user=request.user),
        "report_when": _report_when(),
    }
    if not form.is_valid():
        return render(request, "backoffice/statistics.html", context, status=400)
    period, label = form.period()
    dashboard = Dashboard(period=period, with_bot=request.user.has_perm("assistant.view_message"))
    export = request.GET.get("export")
    if export is not None:
        table = dashboard.table(export)
        if table is None:
            return render(
                request,
                "core/error.html",
                {
                    "title": _("Export inconnu"),
                    "message": _(
                        "Ce tableau n'existe pas : choisissez un des liens « Exporter en CSV » de la page."
                    ),
                },
                status=400,
            )
        return csv_response(
            rows=table.csv_rows(),
            filename=f"statistiques-{table.name}-du-{period.start:%Y-%m-%d}-au-{period.end:%Y-%m-%d}.csv",
        )
    query = request.GET.copy()
    query.pop("export", None)
    context.update(
        {
            "period": period,
            "period_label": label,
            "period_text": period_text(period),
            "updated_at": rollups_updated_at(),
            "previous_text": period_text(dashboard.previous),
            "query": query.urlencode(),
            "dashboard": dashboard,
            "key_figures": dashboard.key_figures_table(),
            "visitors_chart": dashboard.visitors_chart(),
            "visitors": dashboard.visitors_table(),
            "pages": dashboard.pages_table(),
            "entries": dashboard.entries_table(),
            "exits": dashboard.exits_table(),
            "sources": [
                dashboard.referrers_table(),
                dashboard.campaigns_table(),
                dashboard.campaign_sources_table(),
                dashboard.devices_table(),
                dashboard.countries_table(),
            ],
            "funnel_chart": dashboard.funnel_chart(),
            "funnel": dashboard.funnel_table(),
            "other_goals": dashboard.other_goals_table(),
        }
    )
    if dashboard.with_bot:
        context["bot"] = dashboard.bot_summary()
        context["unanswered"] = dashboard.unanswered_table()
    return render(request, "backoffice/statistics.html", context)


@staff_permission_required(PERMISSION)
@require_POST
def statistics_report(request: HttpRequest) -> HttpResponse:
    """Switch the weekly e-mail report on (`wanted` ticked) or off, then back to the page the form was on."""
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("backoffice:statistics")
    if rate_limit_hit(
        scope="analytics-report-toggle",
        key=str(request.user.pk),
        limit=REPORT_TOGGLES_PER_HOUR,
        window_seconds=3600,
    ):
        messages.error(
            request,
            _("Trop de changements en une heure : votre choix n'a pas été enregistré, réessayez plus tard."),
        )
        return redirect(back)
    wanted = request.POST.get("wanted") == "on"
    report_recipient_set(user=request.user, wanted=wanted)
    if wanted:
        messages.success(
            request,
            _("C'est noté : vous recevrez le rapport hebdomadaire à %(email)s.")
            % {"email": request.user.email}
            if request.user.email
            else _(
                "C'est noté, mais votre compte n'a pas d'adresse e-mail : ajoutez-en une pour recevoir le rapport."
            ),
        )
    else:
        messages.success(request, _("C'est noté : vous ne recevrez plus le rapport hebdomadaire."))
    return redirect(back)

"""The statistics dashboard's figures laid out as tables: each table is shown on the page (the text alternative of
its chart, when it has one) and downloaded as CSV (`?export=<name>`) from the same rows, so the file always says
what the page says. The figures come from `frenchbot.analytics.selectors` (daily rollups only), the bot's from
`frenchbot.assistant.selectors`, the articles' titles from `frenchbot.blog.selectors`."""

import dataclasses
import datetime
import re
from collections.abc import Callable, Iterator
from functools import cached_property

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frenchbot.analytics import selectors
from frenchbot.analytics.models import Device, Dimension
from frenchbot.analytics.reports import period_text
from frenchbot.analytics.wording import (
    change_of,
    country_name,
    goals_sentence,
    number_text,
    percent_text,
    seconds_text,
)
from frenchbot.assistant.selectors import bot_figures
from frenchbot.blog.selectors import article_list

from .charts import Bar, Line, bar_chart, line_chart

# An article's address; the blog's other pages under /blog/ (categories, tags, authors) are not articles.
_ARTICLE_PATH = re.compile(r"^/blog/(?!categorie/|etiquette/|auteurs/)([-\w]+)/$")


@dataclasses.dataclass
class Cell:
    text: str
    # What the CSV file holds (a number rather than « 1 234 », the seconds rather than « 1 min 35 s »).
    csv: object = None
    numeric: bool = False
    # A second line under the text (a page's address under its title); in the CSV, a column of its own.
    sub: str = ""
    # An arrow drawn before the text (hidden from screen readers: the text says the same in words).
    arrow: str = ""

    @property
    def csv_value(self):
        return self.text if self.csv is None else self.csv


@dataclasses.dataclass
class Column:
    label: str
    csv_label: str = ""
    # The header of the CSV column holding the cells' `sub` (none when empty).
    sub_label: str = ""
    numeric: bool = False


@dataclasses.dataclass
class Table:
    name: str  # the `export` key, and the table's id in the page
    caption: str
    columns: list[Column]
    rows: list[list[Cell]]

    def csv_rows(self) -> Iterator[list]:
        header = []
        for column in self.columns:
            header.append(column.csv_label or column.label)
            if column.sub_label:
                header.append(column.sub_label)
        yield header
        for row in self.rows:
            line = []
            for column, cell in zip(self.columns, row, strict=True):
                line.append(cell.csv_value)
                if column.sub_label:
                    line.append(cell.sub)
            yield line


def _decimal(value: float | None, decimals: int = 1) -> str:
    """A CSV number for a French spreadsheet: « 2,4 »; empty when there is nothing to divide."""
    if value is None:
        return ""
    return f"{value:.{decimals}f}".replace(".", ",")


def _count(value: int) -> Cell:
    return Cell(number_text(value), csv=value, numeric=True)


def _date_text(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


class Dashboard:
    """Every figure of the page for one period, each read once and only when a table or chart asks for it (an
    export reads only what its table needs)."""

    # export name → method building the table
    TABLES = {
        "chiffres-cles": "key_figures_table",
        "visiteurs": "visitors_table",
        "pages": "pages_table",
        "pages-entree": "entries_table",
        "pages-sortie": "exits_table",
        "sites-origine": "referrers_table",
        "campagnes": "campaigns_table",
        "sources-campagne": "campaign_sources_table",
        "appareils": "devices_table",
        "pays": "countries_table",
        "parcours": "funnel_table",
        "autres-objectifs": "other_goals_table",
        "bot-questions-sans-reponse": "unanswered_table",
    }
    BOT_TABLES = {"bot-questions-sans-reponse"}

    def __init__(self, *, period: selectors.Period, with_bot: bool):
        self.period = period
        self.previous = period.previous()
        self.with_bot = with_bot

    def table(self, name: str) -> Table | None:
        """The table exported as `name`; None when there is none by that name (or the bot's is not allowed)."""
        method = self.TABLES.get(name)
        if method is None or (name in self.BOT_TABLES and not self.with_bot):
            return None
        return getattr(self, method)()

    # --- Reads ------------------------------------------------------------------------------------------------

    @cached_property
    def totals(self) -> selectors.Totals:
        return selectors.period_totals(start=self.period.start, end=self.period.end)

    @cached_property
    def previous_totals(self) -> selectors.Totals:
        return selectors.period_totals(start=self.previous.start, end=self.previous.end)

    @cached_property
    def pages(self) -> selectors.PagesReport:
        return selectors.pages_report(start=self.period.start, end=self.period.end)

    @cached_property
    def titles(self) -> dict[str, str]:
        """The title of each article among the pages shown, by path (one query)."""
        paths = {row.path for rows in (self.pages.top, self.pages.entries, self.pages.exits) for row in rows}
        slugs = {}
        for path in paths:
            match = _ARTICLE_PATH.match(path)
            if match:
                slugs[match.group(1)] = path
        if not slugs:
            return {}
        return {
            slugs[slug]: title
            for slug, title in article_list().filter(slug__in=list(slugs)).values_list("slug", "title")
        }

    @cached_property
    def goals(self) -> selectors.GoalsReport:
        return selectors.goals_report(start=self.period.start, end=self.period.end)

    @property
    def goals_by_entry(self) -> dict[str, dict[str, int]]:
        return self.goals.by_entry

    @cached_property
    def funnel(self) -> selectors.Funnel:
        return selectors.funnel_of(counts=self.goals.counts, visits=self.totals.visits)

    @cached_property
    def bot(self):
        return bot_figures(start=self.period.start, end=self.period.end)

    @cached_property
    def dimensions(self) -> dict[str, list[selectors.DimensionRow]]:
        return selectors.dimensions_report(start=self.period.start, end=self.period.end)

    def _dimension(self, dimension: str) -> list[selectors.DimensionRow]:
        return self.dimensions.get(dimension, [])

    # --- Key figures ------------------------------------------------------------------------------------------

    def key_figures_table(self) -> Table:
        now, before = self.totals, self.previous_totals
        rows = []
        for label, current, previous, text, csv, points in (
            (_("Visiteurs"), now.visitors, before.visitors, number_text, None, False),
            (_("Visites"), now.visits, before.visits, number_text, None, False),
            (_("Pages vues"), now.pageviews, before.pageviews, number_text, None, False),
            (
                _("Pages par visite"),
                now.pages_per_visit,
                before.pages_per_visit,
                lambda v: number_text(v, decimals=1),
                _decimal,
                False,
            ),
            (_("Taux de rebond"), now.bounce_rate, before.bounce_rate, percent_text, None, True),
            (
                _("Durée moyenne d'une visite"),
                now.average_visit_seconds,
                before.average_visit_seconds,
                seconds_text,
                None,
                False,
            ),
        ):
            change = change_of(current, previous, points=points)
            rows.append(
                [
                    Cell(label),
                    Cell(text(current), csv=csv(current) if csv else None, numeric=True),
                    Cell(text(previous), csv=csv(previous) if csv else None, numeric=True),
                    Cell(change.text, arrow=change.arrow),
                ]
            )
        return Table(
            name="chiffres-cles",
            caption=_("Chiffres clés, %(period)s, comparés à la période précédente (%(previous)s)")
            % {"period": period_text(self.period), "previous": period_text(self.previous)},
            columns=[
                Column(_("Mesure")),
                Column(_("Période"), numeric=True),
                Column(_("Période précédente"), numeric=True),
                Column(_("Évolution")),
            ],
            rows=rows,
        )

    # --- Visitors over time -----------------------------------------------------------------------------------

    @cached_property
    def series(self) -> tuple[selectors.Series, selectors.Series]:
        return (
            selectors.visitors_series(start=self.period.start, end=self.period.end),
            selectors.visitors_series(start=self.previous.start, end=self.previous.end),
        )

    def _bucket_text(self, point: selectors.SeriesPoint, unit: str) -> str:
        if unit == "day":
            return _date_text(point.start)
        return _("semaine du %(date)s") % {"date": _date_text(point.start)}

    def visitors_table(self) -> Table:
        current, previous = self.series
        unit = current.unit
        rows = [
            [
                Cell(self._bucket_text(point, unit), csv=point.start.isoformat()),
                _count(point.visitors),
                Cell(self._bucket_text(before, unit), csv=before.start.isoformat()),
                _count(before.visitors),
            ]
            for point, before in zip(current.points, previous.points, strict=True)
        ]
        bucket = _("Jour") if unit == "day" else _("Semaine")
        return Table(
            name="visiteurs",
            caption=(_("Visiteurs par jour") if unit == "day" else _("Visiteurs par semaine"))
            + ", "
            + _("période et période précédente"),
            columns=[
                Column(bucket),
                Column(_("Visiteurs"), numeric=True),
                Column(_("Même rang, période précédente")),
                Column(_("Visiteurs, période précédente"), numeric=True),
            ],
            rows=rows,
        )

    def visitors_chart(self):
        current, previous = self.series
        labels = [
            formats.date_format(point.start, "j N") for point in current.points
        ]  # « 2 déc. » under the axis
        per = _("par jour") if current.unit == "day" else _("par semaine")
        return line_chart(
            chart_id="graphique-visiteurs",
            lines=[
                Line(label=_("Période choisie"), values=current.values),
                Line(label=_("Période précédente"), values=previous.values),
            ],
            x_labels=labels,
            title=_("Visiteurs %(per)s, %(period)s, et période précédente")
            % {"per": per, "period": period_text(self.period)},
            description=_(
                "Ligne continue : la période choisie ; ligne en tirets : la période précédente. Les chiffres "
                "sont dans le tableau qui suit le graphique."
            ),
        )

    # --- Pages ------------------------------------------------------------------------------------------------

    def _page_cell(self, path: str) -> Cell:
        title = self.titles.get(path)
        if title:
            return Cell(title, csv=title, sub=path)
        return Cell(path, csv="", sub=path)

    def pages_table(self) -> Table:
        rows = []
        for row in self.pages.top:
            goals = self.goals_by_entry.get(row.path, {})
            rows.append(
                [
                    self._page_cell(row.path),
                    _count(row.pageviews),
                    _count(row.visitors),
                    Cell(
                        seconds_text(row.average_seconds),
                        csv="" if row.average_seconds is None else round(row.average_seconds),
                        numeric=True,
                    ),
                    Cell(
                        percent_text(
                            None if row.average_scroll is None else row.average_scroll / 100, decimals=0
                        ),
                        csv="" if row.average_scroll is None else round(row.average_scroll),
                        numeric=True,
                    ),
                    _count(row.entries),
                    Cell(goals_sentence(goals) or "—", csv=goals_sentence(goals)),
                ]
            )
        return Table(
            name="pages",
            caption=_("Pages les plus vues, %(period)s") % {"period": period_text(self.period)},
            columns=[
                Column(_("Page"), csv_label=_("Titre"), sub_label=_("Adresse")),
                Column(_("Pages vues"), numeric=True),
                Column(_("Visiteurs"), numeric=True),
                Column(
                    _("Temps moyen sur la page"), csv_label=_("Temps moyen sur la page (s)"), numeric=True
                ),
                Column(_("Défilement moyen"), csv_label=_("Défilement moyen (%)"), numeric=True),
                Column(_("Entrées"), numeric=True),
                Column(_("Conversions des visites entrées ici")),
            ],
            rows=rows,
        )

    def _entry_exit_table(self, *, name: str, caption: str, rows_of, key: str, label: str) -> Table:
        return Table(
            name=name,
            caption=caption % {"period": period_text(self.period)},
            columns=[
                Column(_("Page"), csv_label=_("Titre"), sub_label=_("Adresse")),
                Column(label, numeric=True),
                Column(_("Pages vues"), numeric=True),
            ],
            rows=[
                [self._page_cell(row.path), _count(getattr(row, key)), _count(row.pageviews)]
                for row in rows_of
            ],
        )

    def entries_table(self) -> Table:
        return self._entry_exit_table(
            name="pages-entree",
            caption=_("Pages d'entrée, %(period)s"),
            rows_of=self.pages.entries,
            key="entries",
            label=_("Entrées"),
        )

    def exits_table(self) -> Table:
        return self._entry_exit_table(
            name="pages-sortie",
            caption=_("Pages de sortie, %(period)s"),
            rows_of=self.pages.exits,
            key="exits",
            label=_("Sorties"),
        )

    # --- Sources ----------------------------------------------------------------------------------------------

    def _dimension_table(
        self, *, name: str, caption: str, dimension: str, label: str, value_text: Callable[[str], str]
    ) -> Table:
        return Table(
            name=name,
            caption=caption % {"period": period_text(self.period)},
            columns=[Column(label), Column(_("Visites"), numeric=True), Column(_("Visiteurs"), numeric=True)],
            rows=[
                [Cell(value_text(row.value)), _count(row.visits), _count(row.visitors)]
                for row in self._dimension(dimension)
            ],
        )

    def referrers_table(self) -> Table:
        return self._dimension_table(
            name="sites-origine",
            caption=_("Sites d'origine des visites, %(period)s"),
            dimension=Dimension.REFERRER,
            label=_("Site d'origine"),
            value_text=lambda value: value or _("Accès direct"),
        )

    def campaigns_table(self) -> Table:
        return self._dimension_table(
            name="campagnes",
            caption=_("Campagnes (utm_campaign), %(period)s"),
            dimension=Dimension.UTM_CAMPAIGN,
            label=_("Campagne"),
            value_text=lambda value: value or _("Sans campagne"),
        )

    def campaign_sources_table(self) -> Table:
        return self._dimension_table(
            name="sources-campagne",
            caption=_("Sources des campagnes (utm_source), %(period)s"),
            dimension=Dimension.UTM_SOURCE,
            label=_("Source"),
            value_text=lambda value: value or _("Sans source"),
        )

    def devices_table(self) -> Table:
        labels = dict(Device.choices)
        return self._dimension_table(
            name="appareils",
            caption=_("Appareils, %(period)s"),
            dimension=Dimension.DEVICE,
            label=_("Appareil"),
            value_text=lambda value: str(labels.get(value, value or _("Inconnu"))),
        )

    def countries_table(self) -> Table:
        return self._dimension_table(
            name="pays",
            caption=_("Pays, %(period)s"),
            dimension=Dimension.COUNTRY,
            label=_("Pays"),
            value_text=country_name,
        )

    # --- Funnel -----------------------------------------------------------------------------------------------

    @staticmethod
    def _drop_text(step: selectors.FunnelStep) -> str:
        if step.drop is None:
            return "—"
        if step.drop < 0:
            return _("%(n)s de plus") % {"n": percent_text(-step.drop / 100, decimals=0)}
        return _("%(n)s de moins") % {"n": percent_text(step.drop / 100, decimals=0)}

    @cached_property
    def previous_funnel(self) -> selectors.Funnel:
        # The previous period is closed: its months come from the cache after the first view.
        goals = selectors.goals_report(start=self.previous.start, end=self.previous.end)
        return selectors.funnel_of(counts=goals.counts, visits=self.previous_totals.visits)

    def funnel_table(self) -> Table:
        rows = []
        for step, before in zip(self.funnel.steps, self.previous_funnel.steps, strict=True):
            change = change_of(step.count, before.count)
            rows.append(
                [
                    Cell(step.label),
                    _count(step.count),
                    Cell(self._drop_text(step), csv=_decimal(step.drop, 0), numeric=True),
                    _count(before.count),
                    Cell(change.text, arrow=change.arrow),
                ]
            )
        return Table(
            name="parcours",
            caption=_(
                "Parcours des visiteurs, %(period)s : chaque étape et sa perte depuis l'étape précédente"
            )
            % {"period": period_text(self.period)},
            columns=[
                Column(_("Étape")),
                Column(_("Nombre"), numeric=True),
                Column(_("Perte depuis l'étape précédente"), csv_label=_("Perte (%)"), numeric=True),
                Column(_("Période précédente"), numeric=True),
                Column(_("Évolution")),
            ],
            rows=rows,
        )

    def funnel_chart(self):
        return bar_chart(
            chart_id="graphique-parcours",
            bars=[
                Bar(
                    label=step.label,
                    value=step.count,
                    text=number_text(step.count)
                    if step.drop is None
                    else f"{number_text(step.count)} ({self._drop_text(step)})",
                )
                for step in self.funnel.steps
            ],
            title=_("Parcours des visiteurs, %(period)s") % {"period": period_text(self.period)},
            description=_(
                "Une barre par étape, des visites au certificat, avec son nombre et sa perte depuis l'étape "
                "précédente ; les mêmes chiffres sont dans le tableau qui suit."
            ),
        )

    def other_goals_table(self) -> Table:
        return Table(
            name="autres-objectifs",
            caption=_("Autres objectifs, %(period)s") % {"period": period_text(self.period)},
            columns=[Column(_("Objectif")), Column(_("Nombre"), numeric=True)],
            rows=[[Cell(step.label), _count(step.count)] for step in self.funnel.others],
        )

    # --- The bot ----------------------------------------------------------------------------------------------

    def unanswered_table(self) -> Table:
        return Table(
            name="bot-questions-sans-reponse",
            caption=_("Questions sans réponse les plus posées, %(period)s, pas encore traitées")
            % {"period": period_text(self.period)},
            columns=[Column(_("Question")), Column(_("Fois posée"), numeric=True)],
            rows=[[Cell(item.question), _count(item.count)] for item in self.bot.top_unanswered],
        )

    def bot_summary(self) -> dict:
        bot = self.bot
        return {
            "conversations": number_text(bot.conversations),
            "answered": percent_text(bot.answered_share, decimals=0),
            "answered_detail": ngettext(
                "%(answered)s sur %(total)s question",
                "%(answered)s sur %(total)s questions",
                bot.questions,
            )
            % {"answered": number_text(bot.answered), "total": number_text(bot.questions)},
            "useful": percent_text(bot.useful_share, decimals=0),
            "useful_detail": ngettext(
                "%(useful)s sur %(total)s réponse notée",
                "%(useful)s sur %(total)s réponses notées",
                bot.rated,
            )
            % {"useful": number_text(bot.rated_useful), "total": number_text(bot.rated)},
        }

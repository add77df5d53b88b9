"""Reads of the audience figures for the dashboard and the weekly report.

Only the daily rollups (`Daily*`) are read, never the raw events: they are kept after the raw rows are deleted,
and a year of them is a few hundred thousand small rows. Every selector is a fixed number of aggregate queries
(`values()` + `annotate(Sum(...))`) whatever the amount of data; Python only orders and divides the sums.

Periods are inclusive ranges of days (Europe/Paris days, as the rollups are). A period's visitors are the sum of
its days' visitors: visitor numbers change every day (no one can be followed from one day to the next), so the
same person coming back on two days counts twice."""

import dataclasses
import datetime
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import CharField, Sum
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext

from frenchbot.core.models import PeriodicJob

from .models import DailyDimension, DailyGoal, DailyPage, DailyTotals, Dimension, GoalName

# Beyond this many days, the visitors' chart draws one point per week rather than per day.
DAILY_SERIES_MAX_DAYS = 92

# The journey's steps in order (the funnel), and the goals outside it.
FUNNEL_STEPS = (
    GoalName.BOT_CONVERSATION,
    GoalName.AUDIT_STARTED,
    GoalName.AUDIT_COMPLETED,
    GoalName.REPORT_SENT,
    GoalName.CALL_BOOKED,
    GoalName.CALL_HELD,
    GoalName.ENROLLED,
    GoalName.CERTIFICATE_ISSUED,
)
OTHER_GOALS = (GoalName.NEWSLETTER_CONFIRMED, GoalName.EVENT_REGISTERED, GoalName.BOT_RATED)


@dataclasses.dataclass(frozen=True)
class Period:
    """An inclusive range of days."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one (what each figure is compared with)."""
        end = self.start - datetime.timedelta(days=1)
        return Period(start=end - datetime.timedelta(days=self.days - 1), end=end)


# The periods the dashboard offers: today so far (against yesterday), else whole days ending yesterday
# (whole days compared with whole days).
PRESETS = ("aujourdhui", "7j", "30j", "90j", "12m")
_PRESET_DAYS = {"7j": 7, "30j": 30, "90j": 90}


def period_preset(*, key: str, today: datetime.date) -> Period:
    """The preset period `key` (one of PRESETS) as seen on `today`."""
    if key == "aujourdhui":
        return Period(start=today, end=today)
    end = today - datetime.timedelta(days=1)
    if key == "12m":
        try:
            year_before = end.replace(year=end.year - 1)
        except ValueError:  # 29 February
            year_before = end.replace(year=end.year - 1, day=28)
        return Period(start=year_before + datetime.timedelta(days=1), end=end)
    return Period(start=end - datetime.timedelta(days=_PRESET_DAYS[key] - 1), end=end)


def rollups_updated_at() -> datetime.datetime | None:
    """When the worker last started recomputing the rollups (its periodic job "analytics_rollup"); None before
    its first run. What the dashboard shows is as fresh as that."""
    return PeriodicJob.objects.filter(name="analytics_rollup").values_list("last_run_at", flat=True).first()


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclasses.dataclass(frozen=True)
class Totals:
    visitors: int = 0
    visits: int = 0
    pageviews: int = 0
    bounces: int = 0
    visit_seconds: int = 0

    @property
    def pages_per_visit(self) -> float | None:
        return _ratio(self.pageviews, self.visits)

    @property
    def bounce_rate(self) -> float | None:
        """Share of visits of a single page view, 0 to 1."""
        return _ratio(self.bounces, self.visits)

    @property
    def average_visit_seconds(self) -> float | None:
        return _ratio(self.visit_seconds, self.visits)


def period_totals(*, start: datetime.date, end: datetime.date) -> Totals:
    """The period's visitors (sum of the days), visits, page views, bounces and visit time; one query."""
    sums = DailyTotals.objects.filter(day__range=(start, end)).aggregate(
        visitors=Sum("visitors"),
        visits=Sum("visits"),
        pageviews=Sum("pageviews"),
        bounces=Sum("bounces"),
        visit_seconds=Sum("visit_seconds"),
    )
    return Totals(**{name: value or 0 for name, value in sums.items()})


@dataclasses.dataclass(frozen=True)
class SeriesPoint:
    start: datetime.date  # the bucket's first day
    end: datetime.date  # its last day (the same for a day)
    visitors: int


@dataclasses.dataclass(frozen=True)
class Series:
    unit: str  # "day" or "week"
    points: list[SeriesPoint]

    @property
    def values(self) -> list[int]:
        return [point.visitors for point in self.points]


def series_unit(*, days: int) -> str:
    return "day" if days <= DAILY_SERIES_MAX_DAYS else "week"


def visitors_series(*, start: datetime.date, end: datetime.date) -> Series:
    """Visitors per day, or per week of 7 days counted from `start` beyond DAILY_SERIES_MAX_DAYS (so that a
    period and the previous one have the same buckets; the last week may be shorter). Days without a rollup
    count 0. One query: a day is one row already."""
    days = (end - start).days + 1
    unit = series_unit(days=days)
    by_day = dict(
        DailyTotals.objects.filter(day__range=(start, end)).values_list("day", "visitors").order_by("day")
    )
    width = 1 if unit == "day" else 7
    points = []
    for offset in range(0, days, width):
        first = start + datetime.timedelta(days=offset)
        last = min(first + datetime.timedelta(days=width - 1), end)
        total = sum(by_day.get(first + datetime.timedelta(days=i), 0) for i in range((last - first).days + 1))
        points.append(SeriesPoint(start=first, end=last, visitors=total))
    return Series(unit=unit, points=points)


# --- Closed months, read once -------------------------------------------------------------------------------
#
# A year of page and goal rollups is a few hundred thousand rows: summing them on every render would cost most
# of a second. But a day's rollup stops changing once the day before yesterday is over (each tick recomputes
# today's and yesterday's only), so the sums of the closed part of each calendar month are kept in the cache and
# only the open days are read live. A period is then at most one query over its open days, plus, the first time,
# one query for all its closed months (grouped by month). The rollup job calls `rollups_cache_clear()` when it
# rewrites days already closed (a rebuild).

_CLOSED_CACHE_SECONDS = 24 * 3600
_VERSION_KEY = "analytics:rollups-version"


def rollups_cache_clear() -> None:
    """Forget the cached sums of closed days (after the rollups of past days were rewritten)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, None)


def rollups_cache_warm(*, today: datetime.date | None = None) -> None:
    """Sum the closed months of every preset period and the one before it, so that the first view of the day
    reads them from the cache too (the worker calls it after each rollup; a year's sums take it a few hundred
    milliseconds once a day, not the member of staff who opens the page)."""
    today = today or timezone.localdate()
    for key in PRESETS:
        period = period_preset(key=key, today=today)
        for each in (period, period.previous()):
            pages_report(start=each.start, end=each.end)
            dimensions_report(start=each.start, end=each.end)
            goals_report(start=each.start, end=each.end)


def _closed_until() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=2)


def _month_segments(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    segments = []
    first = start
    while first <= end:
        following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        last = min(following - datetime.timedelta(days=1), end)
        segments.append((first, last))
        first = following
    return segments


def _summed(
    *,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    read: Callable[[datetime.date, datetime.date, bool], list[tuple[object, tuple, tuple[int, ...]]]],
) -> dict[tuple, list[int]]:
    """Sums by key over `start`–`end`: the closed months' from the cache (read together when missing), the open
    days' live. `read(first, last, by_month)` returns rows (month or None, key, sums) for the days first–last."""
    closed_until = _closed_until()
    closed = _month_segments(start, min(end, closed_until))
    version = cache.get(_VERSION_KEY, 1)
    keys = {segment: f"analytics:{kind}:{version}:{segment[0]}:{segment[1]}" for segment in closed}
    found = cache.get_many(list(keys.values())) if keys else {}
    totals: dict[tuple, list[int]] = {}

    def add(rows) -> None:
        for key, sums in rows:
            current = totals.get(key)
            if current is None:
                totals[key] = list(sums)
            else:
                for i, value in enumerate(sums):
                    current[i] += value

    missing = [segment for segment in closed if keys[segment] not in found]
    if missing:
        by_month: dict[str, list] = {}
        for month, key, sums in read(missing[0][0], missing[-1][1], True):
            by_month.setdefault(month, []).append((key, sums))
        fresh = {}
        for segment in missing:
            fresh[keys[segment]] = by_month.get(f"{segment[0]:%Y-%m}", [])
        cache.set_many(fresh, _CLOSED_CACHE_SECONDS)
        found.update(fresh)
    for segment in closed:
        add(found[keys[segment]])
    if end > closed_until:
        add(
            (key, sums)
            for _, key, sums in read(max(start, closed_until + datetime.timedelta(days=1)), end, False)
        )
    return totals


def _grouped(queryset, by_month: bool, *fields: str):
    """`queryset` grouped by `fields`, and first by the month of its day ("2026-11") when `by_month`. The month is
    cut from the ISO text of the date: SQLite's date functions in Django are Python callbacks, one per row."""
    if by_month:
        month = Substr(Cast("day", output_field=CharField()), 1, 7)
        return queryset.annotate(month=month).values("month", *fields)
    return queryset.values(*fields)


@dataclasses.dataclass(frozen=True)
class PageRow:
    path: str
    pageviews: int
    visitors: int
    entries: int
    exits: int
    seconds_total: int
    seconds_count: int
    scroll_total: int
    scroll_count: int

    @property
    def average_seconds(self) -> float | None:
        """Average time on the page, over the views whose engagement was measured."""
        return _ratio(self.seconds_total, self.seconds_count)

    @property
    def average_scroll(self) -> float | None:
        """Average deepest scroll, in percent."""
        return _ratio(self.scroll_total, self.scroll_count)


@dataclasses.dataclass(frozen=True)
class PagesReport:
    top: list[PageRow]  # by page views
    entries: list[PageRow]  # by entries (visits that started there)
    exits: list[PageRow]  # by exits (visits that ended there)


_PAGE_SUMS = (
    "pageviews",
    "visitors",
    "entries",
    "exits",
    "seconds_total",
    "seconds_count",
    "scroll_total",
    "scroll_count",
)


def pages_report(
    *, start: datetime.date, end: datetime.date, top: int = 20, entries: int = 10, exits: int = 10
) -> PagesReport:
    """The most viewed pages, the pages visits start on and those they end on, from one grouped query: the three
    rankings read the same rows, so one pass over the period's DailyPage rows beats three (a site has a few
    hundred to a few thousand paths; their sums are small)."""

    def read(first, last, by_month):
        return [
            (row.get("month"), (row["path"],), tuple(row[name] or 0 for name in _PAGE_SUMS))
            for row in _grouped(DailyPage.objects.filter(day__range=(first, last)), by_month, "path")
            .annotate(**{name: Sum(name) for name in _PAGE_SUMS})
            .order_by()
        ]

    sums = _summed(kind="pages", start=start, end=end, read=read)
    rows = [
        PageRow(path=key[0], **dict(zip(_PAGE_SUMS, values, strict=True))) for key, values in sums.items()
    ]

    def ranked(key: str, limit: int) -> list[PageRow]:
        chosen = sorted(rows, key=lambda row: (-getattr(row, key), row.path))[:limit]
        return [row for row in chosen if getattr(row, key)]

    return PagesReport(
        top=ranked("pageviews", top), entries=ranked("entries", entries), exits=ranked("exits", exits)
    )


def top_pages(*, start: datetime.date, end: datetime.date, limit: int = 20) -> list[PageRow]:
    return pages_report(start=start, end=end, top=limit, entries=0, exits=0).top


def entry_pages(*, start: datetime.date, end: datetime.date, limit: int = 10) -> list[PageRow]:
    return pages_report(start=start, end=end, top=0, entries=limit, exits=0).entries


def exit_pages(*, start: datetime.date, end: datetime.date, limit: int = 10) -> list[PageRow]:
    return pages_report(start=start, end=end, top=0, entries=0, exits=limit).exits


@dataclasses.dataclass(frozen=True)
class DimensionRow:
    value: str  # "" for direct visits, unknown country…
    visits: int
    visitors: int


def dimensions_report(
    *, start: datetime.date, end: datetime.date, limit: int = 10
) -> dict[str, list[DimensionRow]]:
    """For every `Dimension`, the `limit` values that brought the most visits in the period, from one grouped
    query over the open days (the closed months' sums come from the cache, as for the pages)."""

    def read(first, last, by_month):
        return [
            (row.get("month"), (row["dimension"], row["value"]), (row["visits"] or 0, row["visitors"] or 0))
            for row in _grouped(
                DailyDimension.objects.filter(day__range=(first, last)), by_month, "dimension", "value"
            )
            .annotate(visits=Sum("visits"), visitors=Sum("visitors"))
            .order_by()
        ]

    grouped: dict[str, list[DimensionRow]] = {dimension: [] for dimension in Dimension.values}
    for (dimension, value), (visits, visitors) in _summed(
        kind="dimensions", start=start, end=end, read=read
    ).items():
        grouped.setdefault(dimension, []).append(DimensionRow(value=value, visits=visits, visitors=visitors))
    return {
        dimension: sorted(rows, key=lambda row: (-row.visits, row.value))[:limit]
        for dimension, rows in grouped.items()
    }


def dimension_top(
    *, start: datetime.date, end: datetime.date, dimension: str, limit: int = 10
) -> list[DimensionRow]:
    """The values of one `Dimension` that brought the most visits in the period."""
    return dimensions_report(start=start, end=end, limit=limit).get(dimension, [])


def goals_by_entry(
    *, start: datetime.date, end: datetime.date, paths: list[str]
) -> dict[str, dict[str, int]]:
    """For each entry page of `paths`, the goals reached by the visits that entered there: {path: {name:
    count}}. One query."""
    result: dict[str, dict[str, int]] = {}
    if not paths:
        return result
    for row in (
        DailyGoal.objects.filter(day__range=(start, end), entry_path__in=paths)
        .values("entry_path", "name")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        if row["total"]:
            result.setdefault(row["entry_path"], {})[row["name"]] = row["total"]
    return result


def goal_counts(*, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Every goal's count in the period, {name: count} (0 for the goals not reached). One query."""
    counts = dict.fromkeys(GoalName.values, 0)
    for name, total in (
        DailyGoal.objects.filter(day__range=(start, end))
        .values("name")
        .annotate(total=Sum("count"))
        .order_by()
        .values_list("name", "total")
    ):
        if name in counts:
            counts[name] = total or 0
    return counts


@dataclasses.dataclass(frozen=True)
class FunnelStep:
    name: str  # "visits" or a GoalName value
    label: str
    count: int
    previous_count: int | None  # the step before's count (None for the first step)

    @property
    def drop(self) -> float | None:
        """Share lost since the previous step, in percent (negative when this step counts more: steps are
        counted over the period, not followed visitor by visitor)."""
        if self.previous_count is None or not self.previous_count:
            return None
        return 100 * (self.previous_count - self.count) / self.previous_count


@dataclasses.dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]
    others: list[FunnelStep]  # outside the journey: newsletter, events, rated answers


def funnel_of(*, counts: dict[str, int], visits: int) -> Funnel:
    """The funnel from goal counts already read ({name: count}, as `goal_counts` or `goals_report` give)."""
    steps = [FunnelStep(name="visits", label=gettext("Visites"), count=visits, previous_count=None)]
    for name in FUNNEL_STEPS:
        steps.append(
            FunnelStep(
                name=name.value,
                label=str(name.label),
                count=counts.get(name, 0),
                previous_count=steps[-1].count,
            )
        )
    others = [
        FunnelStep(name=name.value, label=str(name.label), count=counts.get(name, 0), previous_count=None)
        for name in OTHER_GOALS
    ]
    return Funnel(steps=steps, others=others)


def funnel(*, start: datetime.date, end: datetime.date, visits: int) -> Funnel:
    """The journey's steps (`visits`, then FUNNEL_STEPS) with their counts over the period, and the other goals.
    Each step is counted over the period: a visitor who read in May and booked in June counts in each month."""
    return funnel_of(counts=goal_counts(start=start, end=end), visits=visits)


@dataclasses.dataclass(frozen=True)
class GoalsReport:
    counts: dict[str, int]  # every goal's count in the period
    by_entry: dict[str, dict[str, int]]  # {entry path: {name: count}}, as goals_by_entry


def goals_report(*, start: datetime.date, end: datetime.date) -> GoalsReport:
    """`goal_counts` and `goals_by_entry` (for every entry page) from one pass over the period's DailyGoal rows:
    on a year of rollups the pass is what costs, not the few hundred groups it returns."""

    def read(first, last, by_month):
        return [
            (row.get("month"), (row["entry_path"], row["name"]), (row["total"] or 0,))
            for row in _grouped(
                DailyGoal.objects.filter(day__range=(first, last)), by_month, "entry_path", "name"
            )
            .annotate(total=Sum("count"))
            .order_by()
        ]

    counts = dict.fromkeys(GoalName.values, 0)
    by_entry: dict[str, dict[str, int]] = {}
    for (entry_path, name), (total,) in _summed(kind="goals", start=start, end=end, read=read).items():
        if name in counts and total:
            counts[name] += total
            by_entry.setdefault(entry_path, {})[name] = total
    return GoalsReport(counts=counts, by_entry=by_entry)

"""From raw events to the daily rollups the dashboard reads, the attribution of goals, and retention.

Raw events (`Hit`, `Goal`) are kept ANALYTICS_RAW_RETENTION_DAYS; the daily rows (`Daily*`) are kept for good,
so a day is rolled up from its raw events while they exist and never afterwards: recomputing a pruned day would
replace its figures by zeros. Visits are not stored: they are rebuilt from the page views of a day each time
(one visitor number lives one day, so a visit never spans two days).

The rollup streams the day's hits ordered by visitor and time and aggregates in Python: one indexed scan, the
same on SQLite and PostgreSQL, about 10,000 hits (a day at 100,000 visits a month) in well under a second."""

import dataclasses
import datetime
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from . import hashing, selectors
from .buffers import get_buffer
from .models import (
    DailyDimension,
    DailyGoal,
    DailyPage,
    DailyTotals,
    Dimension,
    Goal,
    Hit,
    Salt,
)

logger = logging.getLogger(__name__)

PAGEVIEW = Hit.Kind.PAGEVIEW.value
ENGAGEMENT = Hit.Kind.ENGAGEMENT.value

# The properties of a visit, taken from its first page view, in the order of `_HIT_FIELDS` after "path".
_DIMENSIONS = (
    Dimension.REFERRER,
    Dimension.UTM_SOURCE,
    Dimension.UTM_MEDIUM,
    Dimension.UTM_CAMPAIGN,
    Dimension.DEVICE,
    Dimension.COUNTRY,
)
_HIT_FIELDS = (
    "visitor",
    "at",
    "kind",
    "path",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "device",
    "country",
    "duration",
    "scroll",
)
_VALUE_MAX = DailyDimension._meta.get_field("value").max_length
# Values per `IN (...)` query (SQLite accepts a few thousand variables at most).
_IN_BATCH = 500
# How far the catch-up of `analytics_tick` looks back for days whose rollups are missing or out of date.
_CATCH_UP_DAYS = 7


def _today() -> datetime.date:
    return timezone.localdate()


def raw_horizon(*, today: datetime.date | None = None) -> datetime.date:
    """The first day whose raw events are still kept: days before it are pruned (or about to be), and their
    rollups are final."""
    return (today or _today()) - datetime.timedelta(days=settings.ANALYTICS_RAW_RETENTION_DAYS)


# --- Visits --------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Visit:
    """A visit rebuilt from page views: its first page view gives where it came from."""

    start: datetime.datetime
    entry_path: str
    referrer: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    device: str
    country: str
    last_view: datetime.datetime
    exit_path: str
    pageviews: int = 1
    # The last moment the visitor was measured in it: the last page view, or a later engagement beacon.
    end: datetime.datetime | None = None

    @property
    def seconds(self) -> int:
        return max(0, int(((self.end or self.last_view) - self.start).total_seconds()))

    def dimension(self, index: int) -> str:
        value = (
            self.referrer,
            self.utm_source,
            self.utm_medium,
            self.utm_campaign,
            self.device,
            self.country,
        )[index]
        return (value or "")[:_VALUE_MAX]


def _engagement_end(at: datetime.datetime) -> datetime.datetime:
    """The last moment an engagement beacon measures. The beacon is sent when the visitor leaves the page and
    its `at` is when it was sent, so `at` already closes the time it reports (`duration` counts the seconds the
    page was visible before that moment; adding it to `at` would count them twice)."""
    return at


def _visits_of(rows: list[tuple], gap: datetime.timedelta) -> list[Visit]:
    """The visits of one visitor's hits of one day (ordered by time): a page view opens a visit or continues
    it; an engagement beacon belongs to the visit spanning its time (the last one started before it; none
    before the first page view of the day) and may push its end."""
    visits: list[Visit] = []
    current: Visit | None = None
    for row in rows:
        at, kind, path = row[1], row[2], row[3]
        if kind == PAGEVIEW:
            if current is None or at - current.last_view > gap:
                current = Visit(
                    start=at,
                    entry_path=path,
                    referrer=row[4],
                    utm_source=row[5],
                    utm_medium=row[6],
                    utm_campaign=row[7],
                    device=row[8],
                    country=row[9],
                    last_view=at,
                    exit_path=path,
                )
                visits.append(current)
            else:
                current.pageviews += 1
                current.last_view = at
                current.exit_path = path
            if current.end is None or at > current.end:
                current.end = at
        elif current is not None:
            end = _engagement_end(at)
            if current.end is None or end > current.end:
                current.end = end
    return visits


def visits_for(*, day: datetime.date, visitors: list[int]) -> dict[int, list[Visit]]:
    """The visits of each of `visitors` (visitor numbers) on `day` (goal attribution), in a few queries."""
    gap = _gap()
    hits: dict[int, list[tuple]] = defaultdict(list)
    for start in range(0, len(visitors), _IN_BATCH):
        chunk = visitors[start : start + _IN_BATCH]
        queryset = Hit.objects.filter(day=day, visitor__in=chunk).order_by("visitor", "at", "id")
        for row in queryset.values_list(*_HIT_FIELDS):
            hits[row[0]].append(row)
    return {visitor: _visits_of(hits.get(visitor, []), gap) for visitor in visitors}


def _gap() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.ANALYTICS_VISIT_GAP_MINUTES)


# --- Daily rollups -------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _PageAgg:
    pageviews: int = 0
    visitors: int = 0
    entries: int = 0
    exits: int = 0
    seconds_total: int = 0
    seconds_count: int = 0
    scroll_total: int = 0
    scroll_count: int = 0


def _rollup_compute(*, day: datetime.date) -> dict:
    """Recompute every rollup of `day` from its raw events, whatever its age (callers decide whether it may be
    recomputed). Reading happens before the write transaction so that beacons are not held up meanwhile."""
    gap = _gap()
    totals = {"pageviews": 0, "visitors": 0, "visits": 0, "bounces": 0, "visit_seconds": 0}
    pages: dict[str, _PageAgg] = defaultdict(_PageAgg)
    # (dimension index, value) -> [visits, visitors]
    dimensions: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])

    def visitor_done(rows: list[tuple]) -> None:
        visits = _visits_of(rows, gap)
        paths_seen = set()
        for row in rows:
            if row[2] == PAGEVIEW:
                pages[row[3]].pageviews += 1
                paths_seen.add(row[3])
            else:
                page = pages[row[3]]
                if row[10] is not None:
                    page.seconds_total += row[10]
                    page.seconds_count += 1
                if row[11] is not None:
                    page.scroll_total += row[11]
                    page.scroll_count += 1
        for path in paths_seen:
            pages[path].visitors += 1
        if not visits:
            return
        totals["visitors"] += 1
        totals["visits"] += len(visits)
        values_seen = set()
        for visit in visits:
            totals["pageviews"] += visit.pageviews
            totals["visit_seconds"] += visit.seconds
            if visit.pageviews == 1:
                totals["bounces"] += 1
            pages[visit.entry_path].entries += 1
            pages[visit.exit_path].exits += 1
            for index in range(len(_DIMENSIONS)):
                key = (index, visit.dimension(index))
                dimensions[key][0] += 1
                values_seen.add(key)
        for key in values_seen:
            dimensions[key][1] += 1

    rows: list[tuple] = []
    visitor = None
    queryset = Hit.objects.filter(day=day).order_by("visitor", "at", "id").values_list(*_HIT_FIELDS)
    for row in queryset.iterator(chunk_size=5000):
        if row[0] != visitor:
            if rows:
                visitor_done(rows)
            rows = []
            visitor = row[0]
        rows.append(row)
    if rows:
        visitor_done(rows)

    goals = Counter(
        Goal.objects.filter(day=day).values_list("name", "entry_path", "referrer", "utm_campaign").iterator()
    )

    with transaction.atomic():
        for model in (DailyTotals, DailyPage, DailyDimension, DailyGoal):
            model.objects.filter(day=day).delete()
        DailyTotals.objects.create(day=day, **totals)
        DailyPage.objects.bulk_create(
            (DailyPage(day=day, path=path, **dataclasses.asdict(agg)) for path, agg in pages.items()),
            batch_size=500,
        )
        DailyDimension.objects.bulk_create(
            (
                DailyDimension(
                    day=day,
                    dimension=_DIMENSIONS[index].value,
                    value=value,
                    visits=counts[0],
                    visitors=counts[1],
                )
                for (index, value), counts in dimensions.items()
            ),
            batch_size=500,
        )
        DailyGoal.objects.bulk_create(
            (
                DailyGoal(
                    day=day,
                    name=name,
                    entry_path=entry_path,
                    referrer=referrer,
                    utm_campaign=utm_campaign,
                    count=count,
                )
                for (name, entry_path, referrer, utm_campaign), count in goals.items()
            ),
            batch_size=500,
        )
    return totals


def rollup_day(*, day: datetime.date, today: datetime.date | None = None) -> dict | None:
    """Recompute the rollups of `day` (totals, pages, dimensions, goals) from its raw events, in one
    transaction; running it twice gives the same rows. Returns the day's totals, or None when the day is not
    recomputed: its raw events are past the retention horizon (pruned, or about to be), or there are none left
    while rollups exist (rolling it up would replace real figures by zeros)."""
    if day < raw_horizon(today=today):
        return None
    if (
        DailyTotals.objects.filter(day=day).exists()
        and not Hit.objects.filter(day=day).exists()
        and not Goal.objects.filter(day=day).exists()
    ):
        return None
    return _rollup_compute(day=day)


def days_out_of_date(*, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Days from `start` to `end` (inclusive) whose raw events are not reflected in their rollups: no totals row
    at all, or fewer or more page views than the raw ones (rolled up before the day was over, when the worker
    then stopped for a while). A few grouped queries over the `day` index."""
    raw = dict(
        Hit.objects.filter(day__gte=start, day__lte=end, kind=PAGEVIEW)
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    goal_days = set(
        Goal.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True).distinct()
    )
    rolled = dict(DailyTotals.objects.filter(day__gte=start, day__lte=end).values_list("day", "pageviews"))
    stale = {day for day, count in raw.items() if rolled.get(day) != count}
    # Days with goals or engagement beacons only still get their rows.
    hit_days = Hit.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True).distinct()
    stale |= {day for day in (*goal_days, *hit_days) if day not in rolled}
    return sorted(stale)


# --- Goals ---------------------------------------------------------------------------------------------------


Attribution = tuple[str, str, str, str]  # entry_path, referrer, utm_source, utm_campaign
_ATTRIBUTION_FIELDS = ("entry_path", "referrer", "utm_source", "utm_campaign")


def _chains_of(goals: list[Goal]) -> dict[str, list[tuple]]:
    """The goals about each subject the pending `goals` follow or share, oldest first, in a few queries."""
    keys = sorted({key for goal in goals for key in (goal.follows, goal.subject) if key})
    chains: dict[str, list[tuple]] = defaultdict(list)
    for start in range(0, len(keys), _IN_BATCH):
        queryset = Goal.objects.filter(subject__in=keys[start : start + _IN_BATCH]).order_by("at", "pk")
        for row in queryset.values_list("subject", "pk", "at", "attributed", *_ATTRIBUTION_FIELDS):
            chains[row[0]].append(row[1:])
    return chains


def _chain_source(
    goal: Goal, chains: dict[str, list[tuple]], resolved: dict[int, Attribution]
) -> tuple[Attribution | None, bool]:
    """The attribution `goal` inherits (first touch): the earliest attributed goal about the object it follows,
    else about its own subject (`resolved` holds the goals attributed earlier in this run). Also says whether
    such earlier goals exist but none is attributed yet (the goal then waits for them)."""
    waiting = False
    for key in (goal.follows, goal.subject):
        if not key:
            continue
        for pk, at, attributed, *attribution in chains.get(key, ()):
            if at > goal.at:
                break
            if pk == goal.pk:
                continue
            if pk in resolved:
                return resolved[pk], False
            if attributed:
                return tuple(attribution), False
            waiting = True
    return None, waiting


def _visit_at(visits: list[Visit], at: datetime.datetime, gap: datetime.timedelta) -> Visit | None:
    """The visit a goal reached at `at` happened in: the one spanning `at`, else the last one started before it;
    when `at` falls after that visit ended, the one that starts within the gap after it (the first page view of
    a visit is measured a moment after the request that reached the goal, e.g. a link opened from an e-mail)."""
    before = [visit for visit in visits if visit.start <= at]
    after = [visit for visit in visits if visit.start > at and visit.start - at <= gap]
    if before and (at - (before[-1].end or before[-1].last_view) <= gap or not after):
        return before[-1]
    return after[0] if after else None


def goals_attribute(*, now: datetime.datetime | None = None) -> set[datetime.date]:
    """Give the goals not attributed yet the entry page, referrer and campaign that brought them, oldest first
    so that a chain (audit completed → report sent → call held) resolves in one run:

    1. a goal that follows another object, or shares its subject with an earlier goal, takes the attribution of
       the earliest attributed such goal when it has an entry page (the article that brought the audit also
       brought the call);
    2. else a goal with a visitor number takes the visit it happened in;
    3. a goal that cannot be resolved waits (its visit's page views may still be in a buffer, its chain may not
       be attributed yet), unless it has no visitor and nothing to wait for, or it is more than a day old: it
       then stays "direct / unknown".

    Returns the days whose goals changed (their rollups need recomputing)."""
    now = now or timezone.now()
    gap = _gap()
    stale_before = now - datetime.timedelta(days=1)
    resolved: dict[int, Attribution] = {}
    pending = list(Goal.objects.filter(attributed=False).order_by("at", "pk"))
    # Everything is read first (a few queries whatever the number of goals) and written at the end in one
    # short transaction: on SQLite a write transaction holds up the beacons' writes for as long as it lasts.
    chains = _chains_of(pending)
    by_day: dict[datetime.date, set[int]] = defaultdict(set)
    for goal in pending:
        if goal.visitor is not None:
            by_day[goal.day].add(goal.visitor)
    visits = {
        (day, visitor): found
        for day, visitors in by_day.items()
        for visitor, found in visits_for(day=day, visitors=sorted(visitors)).items()
    }
    for goal in pending:
        source, chain_waiting = _chain_source(goal, chains, resolved)
        attribution = None
        if source is not None and source[0]:
            attribution = source
        elif goal.visitor is not None:
            visit = _visit_at(visits[(goal.day, goal.visitor)], goal.at, gap)
            if visit is not None:
                attribution = (visit.entry_path, visit.referrer, visit.utm_source, visit.utm_campaign)
        if attribution is None:
            nothing_to_wait_for = goal.visitor is None and not chain_waiting
            if not (nothing_to_wait_for or goal.at < stale_before):
                continue
            attribution = ("", "", "", "")
        resolved[goal.pk] = attribution
    # One UPDATE per distinct attribution (goals from the same entry page share one), not Django's
    # bulk_update, whose CASE WHEN per row costs more than the whole attribution.
    by_attribution: dict[Attribution, list[int]] = defaultdict(list)
    for pk, attribution in resolved.items():
        by_attribution[attribution].append(pk)
    with transaction.atomic():
        for attribution, pks in by_attribution.items():
            values = dict(zip(_ATTRIBUTION_FIELDS, attribution, strict=True))
            for start in range(0, len(pks), _IN_BATCH):
                Goal.objects.filter(pk__in=pks[start : start + _IN_BATCH]).update(attributed=True, **values)
    return {goal.day for goal in pending if goal.pk in resolved}


# --- Periodic jobs -------------------------------------------------------------------------------------------


def analytics_tick(*, today: datetime.date | None = None) -> dict:
    """Every few minutes (worker): write the buffered beacons, attribute the new goals, recompute yesterday's
    and today's rollups, the days whose goals just changed, and any day of the last week left out of date (the
    worker stopped for a while). Returns counts for the worker's log."""
    today = today or _today()
    try:
        flushed = get_buffer().flush()
    except Exception:
        # The shared buffer cannot be read (Redis down): its events wait there; goals and rollups go on.
        logger.exception("analytics: buffer not flushed")
        flushed = 0
    goal_days = goals_attribute()
    yesterday = today - datetime.timedelta(days=1)
    days = {yesterday, today} | goal_days
    days |= set(
        days_out_of_date(
            start=today - datetime.timedelta(days=_CATCH_UP_DAYS), end=today - datetime.timedelta(2)
        )
    )
    rolled = []
    for day in sorted(days):
        if day <= today and rollup_day(day=day, today=today) is not None:
            rolled.append(day)
    if any(day < yesterday for day in rolled):
        # Days the dashboard's cache holds as closed were rewritten.
        selectors.rollups_cache_clear()
    selectors.rollups_cache_warm(today=today)
    return {"flushed": flushed, "goals_attributed_days": len(goal_days), "days_rolled_up": len(rolled)}


def salts_rotate(*, today: datetime.date | None = None) -> int:
    """Delete the salts of the days that are over, then this process's copy of them: from then on nobody can
    tell which browser made yesterday's visitor numbers. Makes tomorrow's. Returns how many were deleted."""
    today = today or _today()
    deleted, _ = Salt.objects.filter(day__lt=today).delete()
    hashing.salts_forget()
    # Tomorrow's salt made now: the first beacon after midnight then reads it instead of writing it (on SQLite
    # a write may wait behind a long one, and the beacon with it).
    hashing.salt_for(today + datetime.timedelta(days=1))
    return deleted


def raw_events_prune(*, today: datetime.date | None = None) -> int:
    """Delete page views and goals older than ANALYTICS_RAW_RETENTION_DAYS (CNIL: 13 months at most). Each day
    about to go whose rollups are missing or out of date is rolled up first, from its complete raw events: once
    deleted, they can never be recomputed. Returns how many raw rows were deleted."""
    horizon = raw_horizon(today=today)
    oldest = min(
        filter(
            None,
            (
                Hit.objects.filter(day__lt=horizon).order_by("day").values_list("day", flat=True).first(),
                Goal.objects.filter(day__lt=horizon).order_by("day").values_list("day", flat=True).first(),
            ),
        ),
        default=None,
    )
    if oldest is None:
        return 0
    late = days_out_of_date(start=oldest, end=horizon - datetime.timedelta(days=1))
    for day in late:
        _rollup_compute(day=day)
    if late:
        selectors.rollups_cache_clear()
    with transaction.atomic():
        hits, _ = Hit.objects.filter(day__lt=horizon).delete()
        goals, _ = Goal.objects.filter(day__lt=horizon).delete()
    logger.info("analytics: %s raw hits and %s goals before %s deleted", hits, goals, horizon)
    return hits + goals

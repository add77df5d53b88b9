"""A year of audience for the analytics dashboard and its benchmarks: daily rollups written directly for every
day, and realistic raw page views, engagement beacons and goals for the last days (which the rollup job then
turns into rollups, as it would on a live site).

The figures follow a small site at `visits_per_month` (100,000 by default): about 300 paths (the blog's
articles, the home page, the audit, the trainings…), 2 to 3 page views a visit, about 35 % bounces, visitors
from Google, LinkedIn, Bing, ChatGPT or direct, a few campaigns, France first then Belgium, Switzerland,
Canada…, weekdays busier than week-ends, and goals reached mostly by readers of the articles that speak of
them.

    python -m bench.analytics_data [--visits-per-month 100000] [--days 365] [--raw-days 2] [--seed 1]

fills the site's database (DATABASE_URL, else the SQLite file under var/), after `migrate`. Only analytics rows
of the generated days are replaced; nothing else is touched. From code (another benchmark, a test, a shell),
`year_generate(...)` fills whatever database Django is connected to.
"""

import argparse
import datetime
import math
import os
import random
import sys
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ARTICLES = 280
STATIC_PATHS = [
    ("/", 14.0),
    ("/audit/", 5.0),
    ("/formations/", 4.0),
    ("/formations/chatgpt-au-travail/", 2.0),
    ("/formations/automatiser-avec-l-ia/", 1.5),
    ("/formations/prompts-avances/", 1.2),
    ("/rendez-vous/", 1.5),
    ("/assistant/", 2.0),
    ("/ressources/", 1.2),
    ("/ressources/prompts/", 1.0),
    ("/ressources/glossaire/", 0.8),
    ("/lettre/", 0.8),
    ("/evenements/", 0.7),
    ("/faq/", 0.6),
    ("/contact/", 0.5),
    ("/blog/", 3.0),
    ("/recherche/", 0.6),
]
# (referrer, utm_source, utm_medium, utm_campaign, weight): where visits come from.
SOURCES = [
    ("google.com", "", "", "", 46.0),
    ("", "", "", "", 24.0),
    ("linkedin.com", "", "", "", 8.0),
    ("linkedin.com", "linkedin", "social", "lancement-formation", 3.0),
    ("bing.com", "", "", "", 5.0),
    ("chatgpt.com", "chatgpt.com", "", "", 4.0),
    ("", "lettre", "email", "lettre-hebdo", 5.0),
    ("duckduckgo.com", "", "", "", 2.0),
    ("google.com", "google", "cpc", "audit-offert", 3.0),
]
DEVICES = [("desktop", 55.0), ("mobile", 40.0), ("tablet", 5.0)]
COUNTRIES = [
    ("FR", 78.0),
    ("BE", 6.0),
    ("CH", 4.0),
    ("CA", 4.0),
    ("", 2.0),
    ("LU", 1.0),
    ("MA", 1.5),
    ("SN", 1.0),
    ("US", 1.5),
    ("TN", 1.0),
]
BOUNCE_RATE = 0.35
# Share of visitors who come back a second time the same day.
RETURNING = 0.12
# Goals per visit by kind of entry page: (name, rate for an article, rate for the audit page, elsewhere).
GOAL_RATES = [
    ("bot_conversation", 0.030, 0.010, 0.020),
    ("bot_rated", 0.006, 0.002, 0.004),
    ("audit_started", 0.012, 0.20, 0.006),
    ("newsletter_confirmed", 0.006, 0.002, 0.004),
    ("event_registered", 0.002, 0.001, 0.002),
    ("enrolled", 0.001, 0.002, 0.003),
]
# What follows a started audit: (name, share of the previous step).
AUDIT_CHAIN = [("audit_completed", 0.6), ("report_sent", 0.97), ("call_booked", 0.2), ("call_held", 0.8)]


def _weighted(items):
    values = [item[:-1] if len(item) > 2 else item[0] for item in items]
    weights = [item[-1] for item in items]
    return values, weights


def paths_list(*, articles: int = ARTICLES) -> tuple[list[str], list[float]]:
    """About 300 paths and their weights as entry pages: the blog's real articles first (a few of them read far
    more than the others), completed with generated ones, then the site's pages."""
    from frenchbot.blog.models import Article

    slugs = list(
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .order_by("-published_at")
        .values_list("slug", flat=True)[:articles]
    )
    slugs += [f"article-{n}" for n in range(1, articles - len(slugs) + 1)]
    paths = [f"/blog/{slug}/" for slug in slugs]
    # Zipf-like: the tenth article is read a third as much as the first.
    weights = [60.0 / (rank + 1) ** 0.5 for rank in range(len(paths))]
    total = sum(weights)
    weights = [70.0 * weight / total for weight in weights]
    for path, weight in STATIC_PATHS:
        paths.append(path)
        weights.append(weight)
    return paths, weights


def _day_visits(day: datetime.date, visits_per_month: int, start: datetime.date, days: int, rng) -> int:
    """Visits of `day`: the monthly figure spread over the days, busier on weekdays, growing over the year."""
    weekday_factor = [1.12, 1.15, 1.12, 1.08, 1.0, 0.72, 0.71][day.weekday()]
    growth = 0.85 + 0.3 * ((day - start).days / max(days - 1, 1))
    mean = visits_per_month * 12 / 365 * weekday_factor * growth
    return max(0, int(rng.gauss(mean, math.sqrt(mean))))


def _split(total: int, weights: list[float], rng) -> list[int]:
    """`total` shared out by `weights` (a multinomial draw, fast enough for thousands)."""
    if total <= 0:
        return [0] * len(weights)
    counts = [0] * len(weights)
    for index in rng.choices(range(len(weights)), weights=weights, k=total):
        counts[index] += 1
    return counts


def _is_article(path: str) -> bool:
    return path.startswith("/blog/") and path != "/blog/"


def _goal_rates(path: str) -> list[tuple[str, float]]:
    column = 1 if _is_article(path) else 2 if path == "/audit/" else 3
    return [(row[0], row[column]) for row in GOAL_RATES]


def _rollups_for_day(day, n_visits, paths, weights, rng) -> dict:
    """The rollup rows of a day made from aggregate draws, consistent with each other (entries = visits =
    exits, dimensions summing to visits, visitors never above page views)."""
    from frenchbot.analytics.models import DailyDimension, DailyGoal, DailyPage, DailyTotals

    entries = _split(n_visits, weights, rng)
    bounces = sum(1 for _ in range(n_visits) if rng.random() < BOUNCE_RATE)
    longer = n_visits - bounces
    # A visit that does not bounce sees 2 + Poisson(1.3) pages (about 3.3 on average).
    extra_views = sum(_poisson(1.3, rng) + 1 for _ in range(longer))
    # Pages seen after the entry: articles and the conversion pages, the home page less.
    views_after = _split(
        extra_views, [w * (0.4 if p == "/" else 1.0) for p, w in zip(paths, weights, strict=True)], rng
    )
    # Bounces leave where they entered; the others from any page they saw after the entry.
    bounce_exits = _split(bounces, weights, rng)
    longer_exits = _split(longer, views_after, rng) if extra_views else [0] * len(paths)
    exits = [bounced + left for bounced, left in zip(bounce_exits, longer_exits, strict=True)]
    visitors_total = max(1, round(n_visits / (1 + RETURNING))) if n_visits else 0
    pages = []
    pageviews_total = 0
    for index, path in enumerate(paths):
        views = entries[index] + views_after[index]
        if not views and not exits[index]:
            continue
        views = max(views, exits[index])
        pageviews_total += views
        measured = round(views * rng.uniform(0.65, 0.8))
        mean_seconds = 95 if _is_article(path) else 40
        pages.append(
            DailyPage(
                day=day,
                path=path,
                pageviews=views,
                visitors=max(1, round(views / rng.uniform(1.05, 1.25))),
                entries=entries[index],
                exits=exits[index],
                seconds_total=int(measured * mean_seconds * rng.uniform(0.8, 1.2)),
                seconds_count=measured,
                scroll_total=int(measured * (62 if _is_article(path) else 48) * rng.uniform(0.9, 1.1)),
                scroll_count=measured,
            )
        )
    totals = DailyTotals(
        day=day,
        pageviews=pageviews_total,
        visitors=visitors_total,
        visits=n_visits,
        bounces=bounces,
        visit_seconds=int(bounces * rng.uniform(15, 30) + longer * rng.uniform(150, 240)),
    )

    source_values, source_weights = _weighted(SOURCES)
    source_counts = _split(n_visits, source_weights, rng)
    dimensions: dict[tuple[str, str], int] = {}
    for (referrer, utm_source, utm_medium, utm_campaign), count in zip(
        source_values, source_counts, strict=True
    ):
        for name, value in (
            ("referrer", referrer),
            ("utm_source", utm_source),
            ("utm_medium", utm_medium),
            ("utm_campaign", utm_campaign),
        ):
            dimensions[(name, value)] = dimensions.get((name, value), 0) + count
    for name, table in (("device", DEVICES), ("country", COUNTRIES)):
        values, value_weights = _weighted(table)
        for value, count in zip(values, _split(n_visits, value_weights, rng), strict=True):
            dimensions[(name, value)] = dimensions.get((name, value), 0) + count
    dimension_rows = [
        DailyDimension(
            day=day,
            dimension=name,
            value=value,
            visits=count,
            visitors=max(1, round(count / (1 + RETURNING))),
        )
        for (name, value), count in dimensions.items()
        if count
    ]

    goals: dict[tuple[str, str, str, str], int] = {}
    for index, path in enumerate(paths):
        if not entries[index]:
            continue
        for name, rate in _goal_rates(path):
            reached = _binomial(entries[index], rate, rng)
            chain = [(name, reached)]
            if name == "audit_started":
                for next_name, share in AUDIT_CHAIN:
                    reached = _binomial(reached, share, rng)
                    chain.append((next_name, reached))
            for goal_name, count in chain:
                for _ in range(count):
                    referrer, _source, _medium, campaign = rng.choices(source_values, weights=source_weights)[
                        0
                    ]
                    key = (goal_name, path, referrer, campaign)
                    goals[key] = goals.get(key, 0) + 1
    goal_rows = [
        DailyGoal(day=day, name=name, entry_path=path, referrer=referrer, utm_campaign=campaign, count=count)
        for (name, path, referrer, campaign), count in goals.items()
    ]
    return {"totals": totals, "pages": pages, "dimensions": dimension_rows, "goals": goal_rows}


def _poisson(mean: float, rng) -> int:
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def _binomial(n: int, p: float, rng) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def _at(day: datetime.date, rng) -> datetime.datetime:
    """A moment of `day` following the site's daily curve (quiet at night, busy from 9:00 to 22:00)."""
    hour = rng.choices(
        range(24),
        weights=[1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 3, 5, 7, 8, 8, 7, 7, 8, 8, 7, 6, 6, 6, 7, 7, 5, 3],
    )[0]
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)
    return moment + datetime.timedelta(seconds=rng.randrange(3600))


def raw_day_generate(*, day: datetime.date, n_visits: int, paths, weights, rng) -> dict:
    """Raw rows of one day as the beacons and the apps would write them: each visit's page views (the first
    one carrying the referrer and campaign), the engagement beacon sent on leaving most pages, and the goals
    reached during the visit (with the report sent by the worker and the call held by staff, without visitor,
    linked by subject)."""
    from frenchbot.analytics.models import Goal, Hit

    source_values, source_weights = _weighted(SOURCES)
    device_values, device_weights = _weighted(DEVICES)
    country_values, country_weights = _weighted(COUNTRIES)
    view_weights = [w * (0.4 if p == "/" else 1.0) for p, w in zip(paths, weights, strict=True)]
    hits: list = []
    goals: list = []
    visitors: list[int] = []
    subject = 0
    for _ in range(n_visits):
        if visitors and rng.random() < RETURNING:
            visitor = rng.choice(visitors)
        else:
            visitor = rng.getrandbits(64) - 2**63
            visitors.append(visitor)
        referrer, utm_source, utm_medium, utm_campaign = rng.choices(source_values, weights=source_weights)[0]
        device = rng.choices(device_values, weights=device_weights)[0]
        country = rng.choices(country_values, weights=country_weights)[0]
        entry = rng.choices(paths, weights=weights)[0]
        count = 1 if rng.random() < BOUNCE_RATE else 2 + _poisson(1.3, rng)
        visit_paths = [entry] + rng.choices(paths, weights=view_weights, k=count - 1)
        at = _at(day, rng)
        visit_start = at
        for number, path in enumerate(visit_paths):
            first = number == 0
            hits.append(
                Hit(
                    at=at,
                    day=day,
                    visitor=visitor,
                    kind=Hit.Kind.PAGEVIEW,
                    path=path,
                    referrer=referrer if first else "",
                    utm_source=utm_source if first else "",
                    utm_medium=utm_medium if first else "",
                    utm_campaign=utm_campaign if first else "",
                    device=device,
                    country=country,
                )
            )
            seconds = int(rng.expovariate(1 / (95 if _is_article(path) else 40))) + 3
            if rng.random() < 0.75:
                hits.append(
                    Hit(
                        at=at + datetime.timedelta(seconds=seconds),
                        day=day,
                        visitor=visitor,
                        kind=Hit.Kind.ENGAGEMENT,
                        path=path,
                        device=device,
                        country=country,
                        duration=seconds,
                        scroll=min(100, int(rng.uniform(10, 110))),
                    )
                )
            at += datetime.timedelta(seconds=seconds + rng.randint(1, 20))
        # Goals reached during the visit; one visitor in a hundred asks not to be tracked (no number).
        for name, rate in _goal_rates(entry):
            if rng.random() >= rate:
                continue
            moment = visit_start + (at - visit_start) * rng.random()
            number = None if rng.random() < 0.01 else visitor
            subject += 1
            key = f"{day:%Y%m%d}{subject:024x}"
            goals.append(Goal(at=moment, day=day, name=name, visitor=number, subject=key))
            if name != "audit_started":
                continue
            for next_name, share in AUDIT_CHAIN:
                if rng.random() >= share:
                    break
                moment += datetime.timedelta(minutes=rng.randint(2, 9))
                if next_name == "report_sent":
                    goals.append(Goal(at=moment, day=day, name=next_name, subject=key))
                elif next_name == "call_booked":
                    booking = f"{key[:-1]}b"
                    goals.append(
                        Goal(at=moment, day=day, name=next_name, visitor=number, subject=booking, follows=key)
                    )
                else:
                    # Held a few days later in reality; kept on the same day so that the raw days hold it.
                    goals.append(
                        Goal(at=moment, day=day, name=next_name, subject=f"{key[:-1]}c", follows=key)
                    )
    return {"hits": hits, "goals": goals}


def year_generate(
    *,
    visits_per_month: int = 100_000,
    days: int = 365,
    raw_days: int = 2,
    seed: int = 1,
    end: datetime.date | None = None,
) -> dict:
    """Fill the current database with `days` days of audience ending on `end` (default: today, Europe/Paris):
    rollup rows written directly for the older days, raw hits and goals for the last `raw_days` (left pending,
    as beacons are: `analytics_tick` or `rollup_day` turns them into rollups). The analytics rows of those days
    are replaced. Returns what was written."""
    from django.db import transaction
    from django.utils import timezone

    from frenchbot.analytics.models import DailyDimension, DailyGoal, DailyPage, DailyTotals, Goal, Hit

    rng = random.Random(seed)
    end = end or timezone.localdate()
    start = end - datetime.timedelta(days=days - 1)
    raw_start = end - datetime.timedelta(days=raw_days - 1)
    paths, weights = paths_list()
    written = {"days": days, "paths": len(paths), "rollup_rows": 0, "hits": 0, "goals": 0, "visits": 0}
    with transaction.atomic():
        for model in (DailyTotals, DailyPage, DailyDimension, DailyGoal, Hit, Goal):
            model.objects.filter(day__gte=start, day__lte=end).delete()
        batch: dict[str, list] = {"totals": [], "pages": [], "dimensions": [], "goals": []}
        models = {"totals": DailyTotals, "pages": DailyPage, "dimensions": DailyDimension, "goals": DailyGoal}
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            n_visits = _day_visits(day, visits_per_month, start, days, rng)
            written["visits"] += n_visits
            if day >= raw_start:
                raw = raw_day_generate(day=day, n_visits=n_visits, paths=paths, weights=weights, rng=rng)
                Hit.objects.bulk_create(raw["hits"], batch_size=2000)
                Goal.objects.bulk_create(raw["goals"], batch_size=2000)
                written["hits"] += len(raw["hits"])
                written["goals"] += len(raw["goals"])
                continue
            rows = _rollups_for_day(day, n_visits, paths, weights, rng)
            batch["totals"].append(rows["totals"])
            for name in ("pages", "dimensions", "goals"):
                batch[name].extend(rows[name])
            if (
                len(batch["pages"]) > 20_000
                or offset == days - 1
                or day + datetime.timedelta(days=1) >= raw_start
            ):
                for name, objects in batch.items():
                    models[name].objects.bulk_create(objects, batch_size=2000)
                    written["rollup_rows"] += len(objects)
                    objects.clear()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits-per-month", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--raw-days", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-rollup",
        action="store_true",
        help="leave the raw days pending (the worker's tick rolls them up)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("ANALYTICS_BUFFER", "database")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    written = year_generate(
        visits_per_month=args.visits_per_month, days=args.days, raw_days=args.raw_days, seed=args.seed
    )
    elapsed = time.perf_counter() - began
    print(
        f"{connection.vendor}: {written['days']} days, {written['visits']:,} visits over {written['paths']} paths; "
        f"{written['rollup_rows']:,} rollup rows, {written['hits']:,} raw hits and {written['goals']:,} goals "
        f"written in {elapsed:.1f} s"
    )
    if not args.no_rollup:
        from django.utils import timezone

        from frenchbot.analytics.rollups import goals_attribute, rollup_day

        goals_attribute()
        today = timezone.localdate()
        for offset in range(args.raw_days):
            rollup_day(day=today - datetime.timedelta(days=offset))
        print(f"the last {args.raw_days} days rolled up from their raw events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

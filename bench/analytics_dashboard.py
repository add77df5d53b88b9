"""How long the statistics dashboard (/equipe/statistiques/) takes to render over a year of daily rollups at
100,000 visits a month, for each period of its selector (issue 16 asks for under 300 ms).

A compact generator fills a scratch database with 365 days of rollups (DailyTotals, DailyPage, DailyDimension,
DailyGoal) shaped like a content site: ~3,300 visits a day, a few hundred pages whose views follow a Zipf law,
referrers, campaigns, devices, countries, goals attributed to entry pages; plus a year of the bot's conversations
(the page's bot section reads them). Then Django's test client, logged in as a superuser (every section shown),
renders the page 20 times per period with the cache emptied before each render (cold: every sum read from the
database) and 20 times as it is then (warm: the sums of closed months from the cache, the open days live):
median and p95, and the number of queries of a warm render.

SQLite: a temporary file. PostgreSQL, when DATABASE_URL is set: a scratch database created next to it
(`<name>_bench_dashboard`) and dropped afterwards; the database DATABASE_URL names is never written to.

    .venv/bin/python bench/analytics_dashboard.py [--renders 20] [--visits-per-month 100000] [--json]
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIODS = [
    ("7 derniers jours", {"periode": "7j"}),
    ("30 derniers jours", {"periode": "30j"}),
    ("90 derniers jours", {"periode": "90j"}),
    ("12 derniers mois", {"periode": "12m"}),
    ("2 ans (personnalisée)", None),  # filled with dates once today is known
]
REFERRERS = [
    "",
    "www.google.com",
    "www.bing.com",
    "www.qwant.com",
    "duckduckgo.com",
    "www.linkedin.com",
    "t.co",
    "www.facebook.com",
    "news.ycombinator.com",
    "chatgpt.com",
] + [f"blog{n}.exemple.fr" for n in range(40)]
CAMPAIGNS = ["", "lettre-hebdo", "rentree-2026", "webinaire-prompts", "linkedin-ads", "salon-ia"]
SOURCES = ["", "newsletter", "linkedin", "google", "partenaire"]
MEDIUMS = ["", "email", "cpc", "social"]
COUNTRIES = (
    ["FR"] * 40
    + ["BE", "CH", "CA", "LU", "MA", "SN", "US", "DE", "ES", "GB", "TN", "DZ", "CI", ""]
    + [f"X{n}" for n in range(15)]
)
FUNNEL = [
    ("bot_conversation", 0.06),
    ("audit_started", 0.012),
    ("audit_completed", 0.008),
    ("report_sent", 0.007),
    ("call_booked", 0.003),
    ("call_held", 0.0025),
    ("enrolled", 0.001),
    ("certificate_issued", 0.0008),
    ("newsletter_confirmed", 0.004),
    ("event_registered", 0.002),
    ("bot_rated", 0.01),
]


def _split(total: int, weights: list[float]) -> list[int]:
    whole = sum(weights)
    return [int(total * weight / whole) for weight in weights]


def generate(*, visits_per_month: int, days: int = 365) -> dict:
    """A year of rollups written with bulk_create; returns the row counts."""
    import datetime

    from django.utils import timezone

    from frenchbot.analytics.models import DailyDimension, DailyGoal, DailyPage, DailyTotals
    from frenchbot.assistant.models import Conversation, Message

    rng = random.Random(16)
    today = timezone.localdate()
    paths = (
        ["/", "/blog/", "/audit/", "/formations/", "/assistant/", "/contact/", "/rendez-vous/", "/faq/"]
        + [f"/blog/article-{n}/" for n in range(300)]
        + [f"/formations/formation-{n}/" for n in range(20)]
    )
    zipf = [1 / (rank + 1) ** 1.1 for rank in range(len(paths))]
    per_day = visits_per_month * 12 / 365
    counts = {"DailyTotals": 0, "DailyPage": 0, "DailyDimension": 0, "DailyGoal": 0, "Message": 0}
    for offset in range(days, 0, -1):
        day = today - datetime.timedelta(days=offset)
        visits = int(per_day * rng.uniform(0.7, 1.3) * (0.75 if day.weekday() >= 5 else 1.0))
        pageviews = int(visits * rng.uniform(2.2, 2.8))
        DailyTotals.objects.create(
            day=day,
            visits=visits,
            visitors=int(visits * 0.8),
            pageviews=pageviews,
            bounces=int(visits * 0.45),
            visit_seconds=visits * rng.randint(60, 120),
        )
        page_rows, views = [], _split(pageviews, [w * rng.uniform(0.5, 1.5) for w in zipf])
        entries = _split(visits, [w * rng.uniform(0.5, 1.5) for w in zipf])
        exits = _split(visits, [w * rng.uniform(0.5, 1.5) for w in zipf])
        for path, viewed, entered, left in zip(paths, views, entries, exits, strict=True):
            if viewed:
                page_rows.append(
                    DailyPage(
                        day=day,
                        path=path,
                        pageviews=viewed,
                        visitors=int(viewed * 0.85),
                        entries=min(entered, viewed),
                        exits=min(left, viewed),
                        seconds_total=viewed * rng.randint(20, 200),
                        seconds_count=viewed,
                        scroll_total=viewed * rng.randint(30, 95),
                        scroll_count=viewed,
                    )
                )
        DailyPage.objects.bulk_create(page_rows, batch_size=500)
        dims = []
        for dimension, values in (
            ("referrer", REFERRERS),
            ("utm_campaign", CAMPAIGNS),
            ("utm_source", SOURCES),
            ("utm_medium", MEDIUMS),
            ("device", ["desktop", "mobile", "tablet"]),
            ("country", sorted(set(COUNTRIES))),
        ):
            for value, count in zip(
                values, _split(visits, [1 / (i + 1) for i in range(len(values))]), strict=True
            ):
                if count:
                    dims.append(
                        DailyDimension(
                            day=day, dimension=dimension, value=value, visits=count, visitors=int(count * 0.9)
                        )
                    )
        DailyDimension.objects.bulk_create(dims, batch_size=500)
        goals = {}
        for name, rate in FUNNEL:
            for _ in range(
                rng.binomialvariate(visits, rate) if hasattr(rng, "binomialvariate") else int(visits * rate)
            ):
                key = (
                    name,
                    rng.choices(paths[:60], zipf[:60])[0],
                    rng.choice(REFERRERS[:10]),
                    rng.choice(CAMPAIGNS),
                )
                goals[key] = goals.get(key, 0) + 1
        DailyGoal.objects.bulk_create(
            [
                DailyGoal(day=day, name=n, entry_path=p, referrer=r, utm_campaign=c, count=k)
                for (n, p, r, c), k in goals.items()
            ],
            batch_size=500,
        )
        # The bot: ~3 % of visits talk to it, one question each.
        conversations = Conversation.objects.bulk_create(
            [Conversation(session_key=f"bench-{offset}-{n}") for n in range(int(visits * 0.03))]
        )
        messages = []
        for n, conversation in enumerate(conversations):
            messages.append(Message(conversation=conversation, role="user", content=f"Question {n % 40} ?"))
            messages.append(
                Message(conversation=conversation, role="assistant", content="…", unanswered=n % 9 == 0)
            )
        Message.objects.bulk_create(messages, batch_size=500)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        Conversation.objects.filter(session_key__startswith=f"bench-{offset}-").update(created_at=moment)
        Message.objects.filter(conversation__in=conversations).update(created_at=moment)
        counts["DailyTotals"] += 1
        counts["DailyPage"] += len(page_rows)
        counts["DailyDimension"] += len(dims)
        counts["DailyGoal"] += len(goals)
        counts["Message"] += len(messages)
    return counts


def measure(*, renders: int, visits_per_month: int) -> dict:
    """In this process: migrate the configured database, fill it, time the page. Returns the figures."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ACCESS_LOG", "false")
    import django

    django.setup()
    import datetime

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    counts = generate(visits_per_month=visits_per_month)
    setup_s = time.perf_counter() - started
    user = get_user_model().objects.create_superuser("bench-dashboard", "bench@exemple.fr", "x")
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    rows = []
    for label, query in PERIODS:
        if query is None:
            query = {
                "periode": "perso",
                "du": (today - datetime.timedelta(days=730)).isoformat(),
                "au": (today - datetime.timedelta(days=1)).isoformat(),
            }
        for _ in range(2):
            assert client.get("/equipe/statistiques/", query).status_code == 200
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get("/equipe/statistiques/", query)
        measured = {}
        for state in ("cold", "warm"):
            timings = []
            for _ in range(renders):
                if state == "cold":
                    cache.clear()  # no month read before: every sum from the database
                begin = time.perf_counter()
                response = client.get("/equipe/statistiques/", query)
                timings.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, response.status_code
            timings.sort()
            measured[state] = (
                round(statistics.median(timings), 1),
                round(timings[int(0.95 * (len(timings) - 1))], 1),
            )
        rows.append({"period": label, **measured, "queries": len(executed)})
    return {"database": connection.vendor, "rows": rows, "counts": counts, "setup_s": round(setup_s, 1)}


def _child(env_changes: dict, args) -> dict:
    env = {**os.environ, **env_changes}
    env = {key: value for key, value in env.items() if value is not None}
    out = subprocess.run(  # noqa: S603 - this very script, with our own arguments
        [
            sys.executable,
            __file__,
            "--child",
            "--renders",
            str(args.renders),
            "--visits-per-month",
            str(args.visits_per_month),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"the measure failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _postgres_scratch(url: str):
    """Create `<name>_bench_dashboard` on DATABASE_URL's server; returns its URL and a function dropping it."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_dashboard"
    admin = urlunsplit(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), lambda: run(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--visits-per-month", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(renders=args.renders, visits_per_month=args.visits_per_month)))
        return 0

    results = []
    with tempfile.TemporaryDirectory(prefix="frenchbot-dashboard-bench-") as folder:
        results.append(_child({"FRENCHBOT_VAR_DIR": folder, "DATABASE_URL": None}, args))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        scratch, drop = _postgres_scratch(url)
        try:
            with tempfile.TemporaryDirectory(prefix="frenchbot-dashboard-bench-") as folder:
                results.append(_child({"FRENCHBOT_VAR_DIR": folder, "DATABASE_URL": scratch}, args))
        finally:
            drop()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    counts = results[0]["counts"]
    print(
        f"One year of rollups at {args.visits_per_month:,} visits a month: "
        + ", ".join(f"{n:,} {model}" for model, n in counts.items())
        + f"; {args.renders} renders per period.\n"
    )
    print(
        "| database | period | cold median (ms) | cold p95 (ms) | warm median (ms) | warm p95 (ms) | queries |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    missed = False
    for result in results:
        for row in result["rows"]:
            missed |= row["warm"][1] >= 300
            print(
                f"| {result['database']} | {row['period']} | {row['cold'][0]} | {row['cold'][1]} "
                f"| {row['warm'][0]} | {row['warm'][1]} | {row['queries']} |"
            )
    print(
        "\nCold: the cache emptied before each render (every month summed from the database, as the first view of"
        " a period each day). Warm: the closed months' sums in the cache, the open days read live (every later"
        " view). Queries: of a warm render. Target: under 300 ms; "
        + ("missed at warm p95 somewhere." if missed else "met at warm p95 for every period.")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Analytics: how long the rollup job takes on a day of raw events at 100,000 visits a month.

Each database gets a year of audience from `bench/analytics_data.py` (rollups for the older days, raw page
views, engagement beacons and goals for the last two), then the script times:

- `rollup_day` on the raw events of a Thursday (busier than the average day: about 4,000 visits and 18,000
  hits at the end of the generated year), `--runs` times;
- `goals_attribute` with every raw goal of the two days waiting (the first tick after a quiet spell);
- `analytics_tick` as the worker runs it every five minutes (flush, attribution, today's and yesterday's
  rollups, the catch-up check of the last week), `--runs` times, on the Friday;
- `raw_events_prune` with nothing to prune (the daily check).

SQLite always (a temporary file); PostgreSQL too when DATABASE_URL is set (use a database of its own: the
analytics rows of the generated days are replaced). Each database runs in a child process of its own.

    .venv/bin/python bench/analytics_rollup.py [--runs 7] [--visits-per-month 100000] [--json]
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(function, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        timings.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(timings), 1), round(max(timings), 1)


def child(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ["ANALYTICS_BUFFER"] = "database"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.analytics_data import year_generate
    from frenchbot.analytics import rollups
    from frenchbot.analytics.models import Goal, Hit

    call_command("migrate", verbosity=0)
    # The raw days are a Thursday and a Friday (an ordinary working day is timed, not a quiet Sunday): the
    # jobs are run as on that Friday.
    today = timezone.localdate()
    today -= datetime.timedelta(days=(today.weekday() - 4) % 7)
    yesterday = today - datetime.timedelta(days=1)
    began = time.perf_counter()
    written = year_generate(visits_per_month=args.visits_per_month, days=365, raw_days=2, seed=1, end=today)
    generate_s = round(time.perf_counter() - began, 1)

    # Attribution first, with all the goals of the two raw days waiting, as after a quiet spell of the worker.
    pending = Goal.objects.filter(attributed=False).count()
    began = time.perf_counter()
    rollups.goals_attribute()
    attribute_ms = round((time.perf_counter() - began) * 1000, 1)

    totals = rollups.rollup_day(day=yesterday, today=today)
    rollup_p50, rollup_max = _timed(lambda: rollups.rollup_day(day=yesterday, today=today), args.runs)
    tick_p50, tick_max = _timed(lambda: rollups.analytics_tick(today=today), args.runs)
    prune_p50, _ = _timed(lambda: rollups.raw_events_prune(today=today), 3)
    return {
        "database": connection.vendor,
        "generate_s": generate_s,
        "rollup_rows": written["rollup_rows"],
        "day_hits": Hit.objects.filter(day=yesterday).count(),
        "day_visits": totals["visits"],
        "day_pageviews": totals["pageviews"],
        "goals_pending": pending,
        "attribute_ms": attribute_ms,
        "rollup_day_p50_ms": rollup_p50,
        "rollup_day_max_ms": rollup_max,
        "tick_p50_ms": tick_p50,
        "tick_max_ms": tick_max,
        "prune_p50_ms": prune_p50,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--visits-per-month", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args)))
        return 0

    targets = [("sqlite", {k: v for k, v in os.environ.items() if k != "DATABASE_URL"})]
    if os.environ.get("DATABASE_URL"):
        targets.append(("postgresql", dict(os.environ)))
    results = []
    for name, env in targets:
        with tempfile.TemporaryDirectory(prefix="frenchbot-analytics-bench-") as folder:
            env = {**env, "FRENCHBOT_VAR_DIR": folder}
            command = [sys.executable, __file__, "--child", "--runs", str(args.runs)]
            command += ["--visits-per-month", str(args.visits_per_month)]
            done = subprocess.run(  # noqa: S603 - this script itself, with our own arguments
                command, env=env, capture_output=True, text=True, timeout=1800, check=False
            )
            if done.returncode != 0:
                print(f"{name}: failed\n{done.stderr[-3000:]}", file=sys.stderr)
                return 2
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(results))
        return 0
    print(
        f"Analytics rollups at {args.visits_per_month:,} visits a month "
        f"(365 days of rollups, 2 days of raw events; {args.runs} runs, median and max)\n"
    )
    print(
        "| database | hits in the day | visits | rollup_day p50 / max | goals_attribute "
        "(goals waiting) | analytics_tick p50 / max | raw_events_prune (nothing due) | year generated |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['database']} | {r['day_hits']:,} | {r['day_visits']:,} | "
            f"{r['rollup_day_p50_ms']} / {r['rollup_day_max_ms']} ms | "
            f"{r['attribute_ms']} ms ({r['goals_pending']}) | {r['tick_p50_ms']} / {r['tick_max_ms']} ms | "
            f"{r['prune_p50_ms']} ms | {r['rollup_rows']:,} rows in {r['generate_s']} s |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Load benchmark of the audience beacons (issue 16): what 1,000 beacons a second cost the article page.

In a throw-away data folder it migrates and loads the demo, then starts the site the way `make run` does
(production settings, uvicorn with 2 workers, the page cache at its default, the memory buffer) with
TRUSTED_PROXY_COUNT=1, and measures on 127.0.0.1:

  (a) the article page's capacity: wrk as fast as it can (2 threads, 50 connections, --duration seconds),
      alone, then (b) while wrk POSTs 1,000 beacons a second to /mesure/ from rotating X-Forwarded-For
      addresses (bench/wrk/beacons.lua, paced on a clock) — what the beacons take from a saturated machine,
      and how many of them it still answers;
  (c) the article page at a steady --page-rate (bench/wrk/paced_page.lua: a busy day, not a saturated
      server), alone, then (d) with the same 1,000 beacons a second — the page's p99 that visitors feel;
  (e) the `Hit` rows written per second over the runs with beacons, counted once the buffers' last flush is
      done.

    .venv/bin/python bench/analytics_ingest.py
    .venv/bin/python bench/analytics_ingest.py --duration 5 --rate 500

Prints a markdown table. Exit status: 0 done, 1 some answers were errors, 2 the benchmark could not run.
Needs `wrk` on PATH (apt-get install wrk) and the project's virtualenv.
"""

# ruff: noqa: S603, S607, S311 - a benchmark runs its own fixed commands; its random numbers make test data
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

from blog_load import (  # noqa: E402
    ARTICLE_PATH,
    Server,
    _interrupt,
    http_get,
    log,
    machine_info,
    run_wrk,
    server_env,
    venv_bin,
)

CONNECTIONS = 50
# The beacons' connections (one wrk thread). beacons.lua keeps the rate on a clock, but a connection waits for
# its answer: with 20, a saturated server (run b, answers in ~30 ms) was offered only ~400 beacons a second.
# 100 keep ~1,000 a second offered up to answers of ~100 ms.
BEACON_CONNECTIONS = 100
# The paced page's connections.
PACED_CONNECTIONS = 10


SALT_CODE = "from frenchbot.analytics.hashing import salt_for, today\nsalt_for(today())\n"
PENDING_CODE = (
    "from django_tasks_db.models import DBTaskResult\n"
    "print('PENDING', DBTaskResult.objects.filter(status__in=['READY', 'RUNNING']).count())\n"
)


def wait_for_idle_worker(server: Server, timeout: float = 600) -> None:
    """The worker indexes the demo after the start (search vectors, the bot's intents): the runs measure the
    site, not the site beside that job."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = server.manage("shell", "-v", "0", "-c", PENDING_CODE, timeout=120)
        match = re.search(r"^PENDING (\d+)$", out, re.M)
        if match and match.group(1) == "0":
            return
        log(f"waiting for the worker's {match.group(1) if match else '?'} pending tasks")
        time.sleep(5)
    log("the worker is still busy: measuring anyway")


def hit_counts(server: Server) -> dict:
    code = (
        "import json\n"
        "from django.db.models import Count\n"
        "from frenchbot.analytics.models import Hit\n"
        "print('COUNTS', json.dumps(dict(Hit.objects.values_list('kind').annotate(n=Count('pk')).order_by())))\n"
    )
    out = server.manage("shell", "-v", "0", "-c", code, timeout=120)
    match = re.search(r"^COUNTS (.*)$", out, re.M)
    return {int(k): v for k, v in json.loads(match.group(1)).items()} if match else {}


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of each wrk run (default 15)")
    parser.add_argument("--rate", type=int, default=1000, help="beacons per second (default 1000)")
    parser.add_argument(
        "--page-rate", type=int, default=200, help="the paced page's requests per second (default 200)"
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, as `make run` (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder and logs")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk)")
        return 2
    if not (venv_bin() / "uvicorn").exists():
        log("no uvicorn in the virtualenv: run `make install` first")
        return 2
    signal.signal(signal.SIGTERM, _interrupt)

    var_dir = Path(tempfile.mkdtemp(prefix="frenchbot-bench-analytics-"))
    env = server_env(var_dir, page_cache=int(os.environ.get("PAGE_CACHE_SECONDS", "300")), min_fill=3)
    env.update({"TRUSTED_PROXY_COUNT": "1", "ANALYTICS_BUFFER": "memory", "ANALYTICS_ENABLED": "true"})
    # This checkout's code, even when the virtualenv's editable install points at another one.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    server = Server("server[analytics]", var_dir=var_dir, env=env, workers=args.workers)
    rows: list[tuple] = []
    failed = False
    try:
        server.prepare()
        # The day's salt exists in the steady state (the first beacon of a day makes it, once): made now, it
        # is not measured waiting behind the demo's indexing, which holds SQLite's write lock for long.
        server.manage("shell", "-v", "0", "-c", SALT_CODE)
        server.start()
        wait_for_idle_worker(server)
        url = server.base + ARTICLE_PATH
        status, _, body = http_get(url)
        if status != 200 or b'data-endpoint="/mesure/"' not in body:
            raise RuntimeError(f"GET {ARTICLE_PATH} answered {status} without the measuring script")
        log("warm-up 3 s")
        run_wrk(url, script="page.lua", connections=CONNECTIONS, duration=3)

        beacon_url = server.base + "/mesure/"
        beacon_args = (str(args.rate), str(BEACON_CONNECTIONS), ARTICLE_PATH)
        page_args = (str(args.page_rate), str(PACED_CONNECTIONS))

        def with_beacons(script: str, connections: int, script_args=()) -> tuple[dict, dict]:
            """The page's wrk run while a second wrk sends the beacons; both results."""
            results: dict = {}

            def beacons() -> None:
                results["beacons"], _ = run_wrk(
                    beacon_url,
                    script="beacons.lua",
                    connections=BEACON_CONNECTIONS,
                    duration=args.duration,
                    script_args=beacon_args,
                    threads=1,
                )

            thread = threading.Thread(target=beacons)
            thread.start()
            # A paced script keeps one schedule per wrk thread: one thread, or the rate would be doubled.
            page, _ = run_wrk(
                url,
                script=script,
                connections=connections,
                duration=args.duration,
                script_args=script_args,
                threads=1 if script_args else None,
            )
            thread.join()
            return page, results["beacons"]

        log(f"(a) the page alone, wrk -c{CONNECTIONS} -d{args.duration}s")
        alone, _ = run_wrk(url, script="page.lua", connections=CONNECTIONS, duration=args.duration)
        before = sum(hit_counts(server).values())
        log(f"(b) the same with {args.rate} beacons/s")
        loaded, beacons_b = with_beacons("page.lua", CONNECTIONS)
        log(f"(c) the page at {args.page_rate} req/s alone")
        paced_alone, _ = run_wrk(
            url,
            script="paced_page.lua",
            connections=PACED_CONNECTIONS,
            duration=args.duration,
            script_args=page_args,
            threads=1,
        )
        log(f"(d) the page at {args.page_rate} req/s with {args.rate} beacons/s")
        paced_loaded, beacons_d = with_beacons("paced_page.lua", PACED_CONNECTIONS, page_args)
        # The memory buffers write every ANALYTICS_FLUSH_SECONDS (2 s): wait for their last flush.
        time.sleep(6)
        counts = hit_counts(server)
        written = sum(counts.values()) - before

        def row(name: str, parsed: dict, unit: str = "req/s") -> tuple:
            nonlocal failed
            errors = parsed["non_2xx_3xx"] + sum(parsed["socket_errors"].values())
            failed |= errors > 0
            return (
                name,
                f"{parsed.get('rps', 0):,.0f} {unit}",
                f"{parsed['percentiles_ms'].get(50, 0):.1f} ms",
                f"{parsed['percentiles_ms'].get(99, 0):.1f} ms",
                str(errors),
            )

        rows += [
            row("(a) article page, as fast as wrk can, alone", alone),
            row("(b) article page, as fast as wrk can, with the beacons", loaded),
            row("(b) beacons meanwhile", beacons_b, "beacons/s"),
            row(f"(c) article page at {args.page_rate} req/s, alone", paced_alone),
            row(f"(d) article page at {args.page_rate} req/s, with the beacons", paced_loaded),
            row("(d) beacons meanwhile", beacons_d, "beacons/s"),
        ]
        sent = beacons_b.get("requests", 0) + beacons_d.get("requests", 0)
        rows.append(
            (
                "(e) Hit rows written (runs b and d)",
                f"{written / (2 * args.duration):,.0f} rows/s",
                f"{written:,} rows",
                f"page views {counts.get(1, 0):,}, engagements {counts.get(2, 0):,}",
                f"lost: {max(0, sent - written):,}",
            )
        )
        # wrk counts a request once answered: those in flight when a run stops (one per connection at most) are
        # written but not counted.
        failed |= not sent <= written <= sent + 2 * BEACON_CONNECTIONS
    except (RuntimeError, OSError, KeyboardInterrupt) as error:
        log(f"the benchmark could not run: {error}")
        return 2
    finally:
        server.stop()
        if args.keep:
            log(f"data and logs kept in {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)

    machine = ", ".join(f"{k} {v}" for k, v in machine_info().items())
    print(f"\n## Audience beacons — {time.strftime('%Y-%m-%d %H:%M')} — {machine}\n")
    database = re.sub(r"//[^@/]*@", "//***@", os.environ.get("DATABASE_URL", "")) or "SQLite (temporary file)"
    print(f"uvicorn {args.workers} workers, production settings, {database}, memory buffer, page cache on.\n")
    print("| run | throughput | p50 | p99 | errors |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

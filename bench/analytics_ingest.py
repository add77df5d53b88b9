#!/usr/bin/env python3
"""Load benchmark of the audience beacons (issue 16): what 1,000 beacons a second cost the article page.

In a throw-away data folder it migrates and loads the demo, then starts the site the way `make run` does
(production settings, uvicorn with 2 workers, the page cache at its default, the memory buffer) with
TRUSTED_PROXY_COUNT=1, and measures on 127.0.0.1:

  (a) the article page with wrk alone (2 threads, 50 connections, --duration seconds);
  (b) the same while a throttled asyncio sender POSTs 1,000 beacons a second to /mesure/, each from a
      rotating X-Forwarded-For address (a few keep-alive connections, paced: it does not eat a core);
  (c) the `Hit` rows written per second over run (b), counted once the buffers' last flush is done.

    .venv/bin/python bench/analytics_ingest.py
    .venv/bin/python bench/analytics_ingest.py --duration 5 --rate 500

Prints a markdown table. Exit status: 0 done, 1 some answers were errors, 2 the benchmark could not run.
Needs `wrk` on PATH (apt-get install wrk) and the project's virtualenv.
"""

# ruff: noqa: S603, S607, S311 - a benchmark runs its own fixed commands; its random numbers make test data
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
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
    HOST,
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
SENDER_CONNECTIONS = 64
DESKTOP_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
# Public ranges of a few European access providers: the country lookup does real work.
PREFIXES = ("90.84", "2.3", "86.245", "78.192", "92.184", "176.128", "5.51", "212.27")


class BeaconSender:
    """Paced beacons on keep-alive connections: connection i sends at t0 + (n * K + i) / rate, so the total
    is `rate` a second whatever the answers' latency (a late connection catches up, never runs ahead)."""

    def __init__(self, *, port: int, rate: int, connections: int):
        self.port, self.rate, self.connections = port, rate, connections
        self.statuses: dict[int, int] = {}
        self.latencies: list[float] = []
        self.errors = 0
        self.sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.elapsed = 0.0

    def _request(self, n: int) -> bytes:
        prefix = PREFIXES[n % len(PREFIXES)]
        address = f"{prefix}.{(n // len(PREFIXES)) % 250 + 1}.{(n // 2000) % 250 + 1}"
        kind = {"k": "v"} if n % 2 else {"k": "e", "d": 30 + n % 90, "s": n % 101}
        body = json.dumps(
            {**kind, "u": ARTICLE_PATH + "?utm_source=bench", "r": "https://www.google.fr/", "w": 1280}
        ).encode()
        return (
            f"POST /mesure/ HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nOrigin: http://{HOST}:{self.port}\r\n"
            f"User-Agent: {DESKTOP_CHROME}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
            f"X-Forwarded-For: {address}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def _connection(self, index: int, started: float) -> None:
        reader, writer = await asyncio.open_connection(HOST, self.port)
        n = index
        try:
            while not self._stop.is_set():
                due = started + n / self.rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent_at = time.monotonic()
                writer.write(self._request(n))
                self.sent += 1
                head = await reader.readuntil(b"\r\n\r\n")
                self.latencies.append(time.monotonic() - sent_at)
                status = int(head.split(b" ", 2)[1])
                self.statuses[status] = self.statuses.get(status, 0) + 1
                length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                if length and int(length.group(1)):
                    await reader.readexactly(int(length.group(1)))
                n += self.connections
        except (OSError, asyncio.IncompleteReadError, ValueError):
            self.errors += 1
        finally:
            writer.close()

    async def _main(self) -> None:
        started = time.monotonic()
        await asyncio.gather(*(self._connection(i, started) for i in range(self.connections)))
        self.elapsed = time.monotonic() - started

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)


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
    parser.add_argument("--rate", type=int, default=1000, help="beacons per second in run (b) (default 1000)")
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

        log(f"(a) wrk alone -c{CONNECTIONS} -d{args.duration}s")
        alone, _ = run_wrk(url, script="page.lua", connections=CONNECTIONS, duration=args.duration)

        before = sum(hit_counts(server).values())
        log(f"(b) wrk with {args.rate} beacons/s")
        sender = BeaconSender(port=server.port, rate=args.rate, connections=SENDER_CONNECTIONS)
        sender.start()
        started = time.monotonic()
        try:
            loaded, _ = run_wrk(url, script="page.lua", connections=CONNECTIONS, duration=args.duration)
        finally:
            sender.stop()
        window = time.monotonic() - started
        # The memory buffers write every ANALYTICS_FLUSH_SECONDS (2 s): wait for their last flush.
        time.sleep(6)
        counts = hit_counts(server)
        written = sum(counts.values()) - before
        accepted = sender.statuses.get(202, 0)

        for name, parsed in (("(a) article page, wrk alone", alone), ("(b) article page + beacons", loaded)):
            errors = parsed["non_2xx_3xx"] + sum(parsed["socket_errors"].values())
            failed |= errors > 0
            rows.append(
                (
                    name,
                    f"{parsed.get('rps', 0):,.0f} req/s",
                    f"{parsed['percentiles_ms'].get(50, 0):.1f} ms",
                    f"{parsed['percentiles_ms'].get(99, 0):.1f} ms",
                    str(errors),
                )
            )
        other = {k: v for k, v in sender.statuses.items() if k != 202}
        failed |= bool(other) or sender.errors > 0
        rows.append(
            (
                f"(b) beacons sent by the generator ({SENDER_CONNECTIONS} connections)",
                f"{sender.sent / window:,.0f} /s",
                f"{pct(sender.latencies, 0.5) or 0:.1f} ms",
                f"{pct(sender.latencies, 0.99) or 0:.1f} ms",
                f"{sum(other.values()) + sender.errors} (202: {accepted:,}; other: {other or 'none'})",
            )
        )
        rows.append(
            (
                "(c) Hit rows written",
                f"{written / window:,.0f} rows/s",
                f"{written:,} rows in {window:.1f} s",
                f"page views {counts.get(1, 0):,}, engagements {counts.get(2, 0):,}",
                "lost: " + str(accepted - written),
            )
        )
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
    if sender.latencies:
        print(f"\nBeacon latency mean {statistics.mean(sender.latencies) * 1000:.2f} ms.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

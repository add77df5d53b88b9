#!/usr/bin/env python3
"""Side by side with WordPress: our site and a stock WordPress measured in one run on this machine (issue 17).

It starts our site the way `make run` does (production settings, `frenchbot prepare`, uvicorn with the
Makefile's worker count, `frenchbot worker` beside it) in a throw-away data folder, sets up the WordPress peer
(`../shared/tools/wordpress-peer`, run as root), and measures each pair of pages with the same wrk settings, ours
then WordPress's, one after the other: article, home, blog list, training, resource, search, with the page
cache off. Then the cached article page against nginx serving the same HTML as a static file, and each web
worker's resident memory after a mixed load. It prints the ratios, the issue's target and PASS/FAIL.

    .venv/bin/python bench/side_by_side.py                         # ~10 min of mixed load at the end
    .venv/bin/python bench/side_by_side.py --mixed-minutes 1 --duration 5
    .venv/bin/python bench/side_by_side.py --only article --only cached --json out.json

Exit status: 0 all targets met, 1 at least one target missed, 2 the benchmark could not run.
Plain Python 3 standard library; needs `wrk` on PATH, nginx for the static-file comparison.
"""

# ruff: noqa: S603, S607 - a benchmark runs its own fixed commands (wrk, nginx, the peer's scripts, the venv's)
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote_plus

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

# The server, wrk, the CPU watch and the machine facts come from the blog's benchmark, unchanged.
from blog_load import (  # noqa: E402
    ARTICLE_PATH,
    HOST,
    WRK_TIMEOUT_S,
    CpuWatch,
    Result,
    Server,
    _interrupt,
    _python_shown,
    fill_result,
    fmt,
    free_port,
    git_state,
    http_get,
    log,
    machine_info,
    page_scenario,
    run_wrk,
    server_env,
    venv_bin,
)

# The peer's folder, relative to the project root (the layout of the machine the issue was measured on).
DEFAULT_PEER = "../shared/tools/wordpress-peer"
PEER_SETUP_TIMEOUT_S = 1200
TASKS_IDLE_TIMEOUT_S = 900
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# Issue 17's targets.
MIN_RATIO = 5.0
CACHED_MIN_RPS = 2000.0
CACHED_MAX_P99_MS = 50.0

# The pages measured in pairs: (key for --only, label, our path, the WordPress page it is compared with).
PAGES = (
    ("article", "article", ARTICLE_PATH, "article"),
    ("home", "home", "/", "home"),
    ("blog", "blog list", "/blog/", "archive"),
    ("training", "training page", "/formations/{training}/", "article"),
    ("resource", "resource page", "/ressources/guides/{resource}/", "article"),
    ("search", "search", "/recherche/?q={query}", "search"),
)
PAGE_KEYS = tuple(key for key, *_ in PAGES)
ONLY_CHOICES = (*PAGE_KEYS, "cached", "mixed")

# What a visitor asks the bot during the mixed load (the demo's topics: the extractive answer finds passages).
BOT_QUESTIONS = (
    "Comment écrire un bon prompt pour ChatGPT ?",
    "Quelles formations proposez-vous pour une PME ?",
    "Que dit l'AI Act pour une petite entreprise ?",
    "Comment automatiser des tâches répétitives avec l'IA ?",
    "Est-ce que je peux mettre des données clients dans ChatGPT ?",
    "Combien coûte un audit IA ?",
)


# --- Our site, started as `make run` does ---------------------------------------------------------------------


class MakeRunServer(Server):
    """`frenchbot prepare` (migrations, static files, demo, word index; vectors and intents queued for the
    worker), then `frenchbot worker` and uvicorn: the Makefile's `run` target, in a throw-away data folder."""

    worker_args = ("worker", "-v", "0")

    def prepare(self) -> None:
        log(f"{self.name}: frenchbot prepare in {self.var_dir}")
        self.manage("prepare")

    def wait_tasks_idle(self, timeout: float = TASKS_IDLE_TIMEOUT_S) -> int:
        """Wait until the task worker has nothing due (the search vectors and the bot's intents that prepare
        queued): measuring while it computes vectors would measure the worker. Returns the tasks still due."""
        code = (
            "import time\n"
            "from django.db.models import Q\n"
            "from django.utils import timezone\n"
            "from django_tasks_db.models import DBTaskResult\n"
            f"deadline = time.monotonic() + {float(timeout)}\n"
            "while True:\n"
            "    due = DBTaskResult.objects.filter(\n"
            "        Q(status='RUNNING') | Q(status='READY', run_after__lte=timezone.now())).count()\n"
            "    if due == 0 or time.monotonic() > deadline:\n"
            "        break\n"
            "    time.sleep(2)\n"
            "print('TASKS_DUE', due)\n"
        )
        started = time.monotonic()
        try:
            out = self.manage("shell", "-v", "0", "-c", code, timeout=timeout + 120)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            log(f"{self.name}: could not read the task queue ({error}); measuring anyway")
            return -1
        match = re.search(r"^TASKS_DUE (\d+)$", out, re.M)
        due = int(match.group(1)) if match else -1
        log(
            f"{self.name}: task worker idle after {time.monotonic() - started:.0f} s ({due} task(s) still due)"
        )
        return due


def makefile_workers() -> int:
    """The Makefile's `WORKERS ?= n` (the uvicorn worker count of `make run`), else 2."""
    with contextlib.suppress(OSError):
        if m := re.search(r"^WORKERS\s*\?=\s*(\d+)\s*$", (ROOT / "Makefile").read_text(), re.M):
            return int(m.group(1))
    return 2


def site_env(var_dir: Path, *, page_cache: int) -> dict[str, str]:
    env = server_env(var_dir, page_cache=page_cache, min_fill=3)
    env.update(
        {
            # All bench traffic comes from 127.0.0.1: a per-IP limit would refuse all but the first few.
            "SEARCH_RATE_PER_MINUTE": "0",
            "ASSISTANT_RATE_PER_SESSION": "0",
            "ASSISTANT_RATE_PER_IP": "0",
            "ASSISTANT_DAILY_TOKENS_PER_SESSION": "0",
            "ASSISTANT_DAILY_TOKENS_PER_IP": "0",
        }
    )
    return env


def start_site(name: str, var_dir: Path, *, page_cache: int, workers: int) -> MakeRunServer:
    server = MakeRunServer(
        name, var_dir=var_dir, env=site_env(var_dir, page_cache=page_cache), workers=workers
    )
    server.env["SITE_URL"] = server.base  # as the Makefile does: links follow the port served on
    try:
        server.prepare()
        server.start()
        server.wait_tasks_idle()
    except BaseException:
        server.stop()
        raise
    return server


# --- The WordPress peer ----------------------------------------------------------------------------------------


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((HOST, port)) == 0


@dataclass
class Peer:
    folder: Path
    port: int
    started_by_us: bool = False
    urls: dict[str, str] = field(default_factory=dict)
    skipped: str = ""


def peer_setup(folder: Path) -> Peer:
    """Run the peer's setup.sh (idempotent); on any failure the peer is marked skipped, with the reason."""
    port = int(os.environ.get("WP_PEER_PORT", "8081"))
    peer = Peer(folder, port)
    if not (folder / "setup.sh").exists():
        peer.skipped = f"no setup.sh in {folder} (set --wordpress-peer or WP_PEER_DIR)"
    elif os.geteuid() != 0:
        peer.skipped = "setup.sh needs root (run this benchmark as root to compare with WordPress)"
    if peer.skipped:
        return peer
    peer.started_by_us = not port_open(port)
    log(f"wordpress: {folder / 'setup.sh'} (up to {PEER_SETUP_TIMEOUT_S // 60} min on a bare machine)")
    try:
        proc = subprocess.run(
            [str(folder / "setup.sh")],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=PEER_SETUP_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        peer.skipped = f"setup.sh could not run: {error}"
        return peer
    urls = re.findall(r"^https?://\S+$", proc.stdout, re.M)
    if proc.returncode != 0 or not urls:
        peer.skipped = f"setup.sh failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
        return peer
    article = urls[-1]
    base = f"http://{HOST}:{port}"
    peer.urls = {"article": article, "home": base + "/", "archive": base + "/"}
    status, _, body = http_get(article)
    if status != 200:
        peer.skipped = f"the WordPress article {article} answered {status}"
        return peer
    page = body.decode("utf-8", "replace")
    # The blog list's peer: the archive of the article's category (WordPress's own list page), else its home.
    if m := re.search(r'href="(http://[^"]+/category/[^"/]+/)"', page):
        peer.urls["archive"] = m.group(1)
    # A search that finds articles: the last long word of the article's <title>, which ends with the blog's name
    # (on the peer: "route", a full page of 10 results, as our search page shows 10).
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    words = [w for w in re.findall(r"\w{5,}", title.group(1) if title else "") if not w.isdigit()]
    peer.urls["search"] = base + "/?s=" + (words[-1].lower() if words else "article")
    log(f"wordpress: up on {base}; pages {peer.urls}")
    return peer


def peer_stop(peer: Peer) -> None:
    if not peer.started_by_us or peer.skipped:
        return
    log("wordpress: stop.sh (this run started it)")
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            [str(peer.folder / "stop.sh")], cwd=peer.folder, capture_output=True, timeout=120, check=False
        )


def _pgid_of(pid_file: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int(pid_file.read_text().strip())
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    return None


def peer_groups() -> list[int]:
    """The process groups of the peer's nginx, php-fpm and MariaDB (for the 'other CPU' column)."""
    state = Path(os.environ.get("WP_PEER_STATE", "/var/lib/wordpress-peer"))
    files = (state / "run" / "nginx.pid", state / "run" / "php-fpm.pid", Path("/run/mysqld/mysqld.pid"))
    return [g for g in map(_pgid_of, files) if g]


# --- Measuring a page that is not ours -------------------------------------------------------------------------


def url_scenario(name: str, url: str, *, connections: int, args, groups: list[int]) -> Result:
    """The same as blog_load's page_scenario (one GET, a wrk warm-up, the measured wrk run) for any URL."""
    status, _, body = http_get(url, timeout=30)
    if status != 200:
        raise RuntimeError(f"{name}: GET {url} answered {status}, not 200")
    log(f"{name}: warm-up {args.warmup} s")
    run_wrk(url, script="page.lua", connections=connections, duration=args.warmup)
    load_before = os.getloadavg()
    log(f"{name}: wrk -c{connections} -d{args.duration}s (load average {load_before[0]:.2f})")
    watched = SimpleNamespace(procs=[SimpleNamespace(pid=g) for g in groups])
    with CpuWatch(watched) as watch:
        parsed, raw = run_wrk(url, script="page.lua", connections=connections, duration=args.duration)
    path = "/" + url.split("/", 3)[3]
    result = fill_result(Result(name, path, connections, args.duration), parsed, raw)
    result.details["page_bytes"] = len(body)
    result.details["loadavg_before"] = [round(x, 2) for x in load_before]
    result.details["other_cpu_pct"] = watch.other_pct
    result.passed = None if result.errors == 0 else False
    return result


def ours_scenario(server: Server, name: str, path: str, *, connections: int, args) -> Result:
    settings = SimpleNamespace(connections=connections, warmup=args.warmup, duration=args.duration)
    return page_scenario(server, name, path, settings)


# --- Verdicts ---------------------------------------------------------------------------------------------------


@dataclass
class Pair:
    key: str
    label: str
    connections: int
    ours: Result
    wp: Result | None = None
    ratio: float | None = None
    passed: bool | None = None


def pair_verdict(
    ours: Result, wp: Result | None, *, min_ratio: float = MIN_RATIO
) -> tuple[float | None, bool | None]:
    """(ours req/s ÷ WordPress req/s, PASS) — PASS: no error of ours, ≥ min_ratio× and a p99 no worse than
    WordPress's. Without a WordPress figure there is no ratio and no verdict, unless ours had errors."""
    if wp is None or not wp.rps:
        return None, (False if ours.errors else None)
    ratio = round(ours.rps / wp.rps, 2)
    p99_ok = ours.p99_ms is not None and wp.p99_ms is not None and ours.p99_ms <= wp.p99_ms
    return ratio, ours.errors == 0 and ratio >= min_ratio and p99_ok


def cached_verdict(ours: Result) -> bool:
    return ours.errors == 0 and ours.rps >= CACHED_MIN_RPS and (ours.p99_ms or 1e9) < CACHED_MAX_P99_MS


# --- nginx serving our cached page as a static file -----------------------------------------------------------

NGINX_CONF = """\
# A throw-away nginx with a minimal config: one static file, as fast as this machine can serve it.
worker_processes auto;
pid {root}/nginx.pid;
daemon off;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    default_type text/html;
    server {{
        listen {host}:{port};
        root {root}/www;
        location / {{ try_files /article.html =404; }}
    }}
}}
"""


class StaticNginx:
    def __init__(self, html_bytes: bytes):
        self.root = Path(tempfile.mkdtemp(prefix="frenchbot-bench-nginx-"))
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        (self.root / "www").mkdir()
        (self.root / "tmp").mkdir()
        (self.root / "www" / "article.html").write_bytes(html_bytes)
        # nginx's workers run as an unprivileged user when started by root: they must read the file.
        for path in (self.root, self.root / "www"):
            path.chmod(0o755)
        (self.root / "www" / "article.html").chmod(0o644)
        self.conf = self.root / "nginx.conf"
        self.conf.write_text(NGINX_CONF.format(root=self.root, host=HOST, port=self.port))
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.root), "-c", str(self.conf), "-e", str(self.root / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "stderr.log").open("wb"),
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"nginx exited with {self.proc.returncode}: {(self.root / 'stderr.log').read_text()[-500:]}"
                )
            if port_open(self.port):
                log(f"nginx (static): up on {self.base}")
                return
            time.sleep(0.2)
        raise RuntimeError("nginx (static) did not listen within 15 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)


# --- Memory ---------------------------------------------------------------------------------------------------


def _status_kb(pid: int) -> dict[str, int]:
    fields = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                fields[name] = int(value.split()[0])
    return fields


def process_memory(server: Server) -> list[dict]:
    """VmRSS / RssAnon / RssFile / RssShmem (MiB) of uvicorn's worker processes (the children of its master),
    then of the master and of the task worker, from /proc."""
    master = server.uvicorn.pid
    rows = []
    for entry in sorted(Path("/proc").iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid != master:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            kind = (
                "resource tracker"
                if "resource_tracker" in cmdline
                else "uvicorn worker"
                if "spawn_main" in cmdline
                else "uvicorn child"
            )
            rows.append({"process": kind, "pid": int(entry.name), **_status_kb(int(entry.name))})
    rows.append({"process": "uvicorn master", "pid": master, **_status_kb(master)})
    for proc in server.procs:
        if proc is not server.uvicorn:
            rows.append({"process": "task worker", "pid": proc.pid, **_status_kb(proc.pid)})
    for row in rows:
        for key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            if key in row:
                row[key] = round(row[key] / 1024, 1)
    return rows


# --- Mixed load -------------------------------------------------------------------------------------------------


def site_paths(server: Server, args) -> list[str]:
    """The mixed load's rotation: every article, training and guide of the sitemap, the lists, searches."""
    paths = ["/", "/blog/", "/formations/", "/ressources/", "/faq/", "/evenements/", "/ressources/glossaire/"]
    with contextlib.suppress(OSError, http.client.HTTPException):
        status, _, body = http_get(server.base + "/sitemap.xml", timeout=30)
        if status == 200:
            for loc in re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", body.decode("utf-8", "replace")):
                if loc.startswith(("/blog/", "/formations/", "/ressources/guides/")) and loc not in paths:
                    paths.append(loc)
    for query in ("chatgpt", "prompt", "automatiser factures", "rgpd", "formation pme", args.search_query):
        paths.append("/recherche/?q=" + quote_plus(query))
    return paths


class BotVisitor(threading.Thread):
    """One visitor asking the bot question after question through the JSON API (answered whole, not streamed),
    in one conversation, until told to stop."""

    def __init__(self, base: str, index: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.port = int(base.rsplit(":", 1)[1])
        self.index = index
        self.stop_event = stop
        self.latencies_ms: list[float] = []
        self.statuses: dict[str, int] = {}
        self.error = ""

    def _request(self, conn, method, path, *, body=None, headers=None):
        conn.request(method, path, body=body, headers={"Accept-Language": "fr", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()

    def run(self) -> None:
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            status, headers, _ = self._request(conn, "GET", "/assistant/")
            cookies = dict(
                m.groups()
                for k, v in headers
                if k.lower() == "set-cookie" and (m := re.match(r"([^=;]+)=([^;]*)", v))
            )
            if "csrftoken" not in cookies:
                self.error = f"GET /assistant/ answered {status} without a csrftoken cookie"
                return

            def api_headers():
                return {
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "X-CSRFToken": cookies["csrftoken"],
                    "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                }

            status, headers, body = self._request(
                conn, "POST", "/api/assistant/conversations", body=b"{}", headers=api_headers()
            )
            if status != 201:
                self.error = f"POST /api/assistant/conversations answered {status}: {body[:200]!r}"
                return
            for k, v in headers:
                if k.lower() == "set-cookie" and (m := re.match(r"([^=;]+)=([^;]*)", v)):
                    cookies[m.group(1)] = m.group(2)
            path = f"/api/assistant/conversations/{json.loads(body)['id']}/messages"
            n = self.index
            while not self.stop_event.is_set():
                question = BOT_QUESTIONS[n % len(BOT_QUESTIONS)]
                n += 1
                started = time.monotonic()
                status, _, _ = self._request(
                    conn, "POST", path, body=json.dumps({"content": question}).encode(), headers=api_headers()
                )
                self.latencies_ms.append((time.monotonic() - started) * 1000)
                self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
            self.error = f"{type(error).__name__}: {error}"


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))], 1)


def mixed_scenario(server: Server, args) -> dict:
    """wrk over a rotation of pages plus visitors asking the bot, for --mixed-minutes; the memory of each
    process before and after."""
    paths = site_paths(server, args)
    before = process_memory(server)
    seconds = int(args.mixed_minutes * 60)
    log(
        f"mixed load: {len(paths)} pages through wrk -c{args.mixed_connections}, {args.bot_visitors} bot "
        f"visitor(s), {seconds} s"
    )
    stop = threading.Event()
    bots = [BotVisitor(server.base, i, stop) for i in range(args.bot_visitors)]
    for bot in bots:
        bot.start()
    try:
        with CpuWatch(server) as watch:
            parsed, raw = run_wrk(
                server.base + "/",
                script="mixed.lua",
                connections=args.mixed_connections,
                duration=seconds,
                script_args=tuple(paths),
            )
    finally:
        stop.set()
        for bot in bots:
            bot.join(timeout=90)
    pages = fill_result(Result("mixed pages", "", args.mixed_connections, seconds), parsed, raw)
    pages.details["other_cpu_pct"] = watch.other_pct
    pages.details["paths"] = paths
    latencies = [ms for bot in bots for ms in bot.latencies_ms]
    statuses: dict[str, int] = {}
    for bot in bots:
        for code, count in bot.statuses.items():
            statuses[code] = statuses.get(code, 0) + count
    after = process_memory(server)
    return {
        "seconds": seconds,
        "pages": asdict(pages),
        "bot": {
            "visitors": args.bot_visitors,
            "questions": len(latencies),
            "statuses": statuses,
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "errors": [bot.error for bot in bots if bot.error],
        },
        "memory_before": before,
        "memory_after": after,
    }


# --- Report -----------------------------------------------------------------------------------------------------


def _cpu(result: Result | None) -> str:
    if result is None or result.details.get("other_cpu_pct") is None:
        return "?"
    return f"{result.details['other_cpu_pct']:.0f}%"


def print_pairs(pairs: list[Pair], out=sys.stdout) -> None:
    header = (
        "page",
        "conn",
        "ours req/s",
        "p50 ms",
        "p99 ms",
        "WP req/s",
        "p50 ms",
        "p99 ms",
        "ratio",
        "target",
        "result",
        "other CPU",
    )
    rows = []
    for p in pairs:
        rows.append(
            (
                p.label,
                str(p.connections),
                fmt(p.ours.rps),
                fmt(p.ours.p50_ms),
                fmt(p.ours.p99_ms),
                fmt(p.wp.rps if p.wp else None),
                fmt(p.wp.p50_ms if p.wp else None),
                fmt(p.wp.p99_ms if p.wp else None),
                "—" if p.ratio is None else f"{p.ratio:.1f}×",
                f"≥{MIN_RATIO:g}×, p99 ≤ WP",
                {True: "PASS", False: "FAIL", None: "info"}[p.passed],
                f"{_cpu(p.ours)} / {_cpu(p.wp)}",
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    align = ["<", ">", ">", ">", ">", ">", ">", ">", ">", "<", "<", ">"]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, align, widths, strict=True)).rstrip(), file=out)


def print_memory(rows: list[dict], title: str, out=sys.stdout) -> None:
    print(title, file=out)
    for row in rows:
        print(
            f"  {row['process']:<15} pid {row['pid']:>7}  VmRSS {fmt(row.get('VmRSS')):>7} MiB  "
            f"RssAnon {fmt(row.get('RssAnon')):>7} MiB  RssFile {fmt(row.get('RssFile')):>6} MiB  "
            f"RssShmem {fmt(row.get('RssShmem')):>5} MiB",
            file=out,
        )


def print_report(
    report: dict, pairs: list[Pair], cached: dict | None, mixed: dict | None, out=sys.stdout
) -> None:
    machine = report["machine"]
    s = report["settings"]
    print(file=out)
    print(
        f"The French Bot side by side with WordPress — {report['date']}, database: {report['database']}",
        file=out,
    )
    print(
        f"machine: {machine.get('nproc')} CPU ({machine.get('cpu', '?')}), {machine.get('ram_gib', '?')} GiB RAM, "
        f"Python {machine.get('python')}, SQLite {machine.get('sqlite')}, {machine.get('wrk', 'wrk')}",
        file=out,
    )
    print(f"code: {report['code_at_end']}; run time {report['run_minutes']} min", file=out)
    print(
        f"ours: as `make run` (production settings, uvicorn {s['uvicorn_workers']} workers, frenchbot worker), "
        f"PAGE_CACHE_SECONDS=0 for the pairs; WordPress: {report['wordpress'].get('summary')}",
        file=out,
    )
    print(
        f"wrk -t2, {s['duration_s']} s per run after a {s['warmup_s']} s warm-up, --timeout {WRK_TIMEOUT_S}s; "
        "ours then WordPress, page by page; 'other CPU' = share of the machine used by other processes "
        "during each run (ours / WP)",
        file=out,
    )
    if report["wordpress"].get("skipped"):
        print(f"WordPress SKIPPED: {report['wordpress']['skipped']}", file=out)
    if pairs:
        print(file=out)
        print_pairs(pairs, out)
        for p in pairs:
            for side, r in (("ours", p.ours), ("WP", p.wp)):
                if r is not None and r.errors:
                    print(
                        f"  {p.label} ({side}): {r.errors} errors {r.details.get('socket_errors')}", file=out
                    )
            if p.wp is not None and not p.wp.requests:
                print(
                    f"  {p.label}: WordPress finished no request within the run: no ratio (lengthen --duration)",
                    file=out,
                )
    if cached:
        ours, static = cached["ours"], cached.get("nginx")
        print(file=out)
        print(f"Cached article page (PAGE_CACHE_SECONDS=300), c={ours['connections']}:", file=out)
        print(
            f"  ours   {fmt(ours['rps']):>9} req/s  p50 {fmt(ours['p50_ms'], 2)} ms  p99 {fmt(ours['p99_ms'], 2)} ms"
            f"  errors {ours['errors']}  target ≥{CACHED_MIN_RPS:,.0f} req/s, p99 <{CACHED_MAX_P99_MS:g} ms: "
            f"{'PASS' if cached['passed'] else 'FAIL'}",
            file=out,
        )
        if static:
            print(
                f"  nginx  {fmt(static['rps']):>9} req/s  p50 {fmt(static['p50_ms'], 2)} ms  "
                f"p99 {fmt(static['p99_ms'], 2)} ms  errors {static['errors']}  (same HTML as a static file)",
                file=out,
            )
            print(f"  ours ÷ nginx: {fmt(cached['ratio_to_nginx'], 2)}", file=out)
        elif cached.get("nginx_skipped"):
            print(f"  nginx: skipped ({cached['nginx_skipped']})", file=out)
    if mixed:
        pages, bot = mixed["pages"], mixed["bot"]
        print(file=out)
        print(
            f"Mixed load for {mixed['seconds']} s on the {report['settings']['mixed_server']} server: "
            f"{len(pages['details']['paths'])} pages, {fmt(pages['rps'])} req/s, p50 {fmt(pages['p50_ms'])} ms, "
            f"p99 {fmt(pages['p99_ms'])} ms, errors {pages['errors']}; bot: {bot['questions']} questions "
            f"from {bot['visitors']} visitor(s), p50 {fmt(bot['p50_ms'])} ms, p95 {fmt(bot['p95_ms'])} ms, "
            f"statuses {bot['statuses']}" + (f", errors {bot['errors']}" if bot["errors"] else ""),
            file=out,
        )
        print_memory(mixed["memory_before"], "  memory before (MiB):", out)
        print_memory(mixed["memory_after"], "  memory after (MiB):", out)
    if report["aborted"]:
        print(f"\nABORTED: {report['aborted']}", file=out)


# --- Main -------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=int, default=15, help="seconds of each measured wrk run (default 15)"
    )
    parser.add_argument("--connections", type=int, default=50, help="wrk connections per page (default 50)")
    parser.add_argument(
        "--low-connections",
        type=int,
        default=10,
        help="the article pair again at this many connections (default 10; 0 = skip)",
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of wrk warm-up before each run (default 3)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=makefile_workers(),
        help="uvicorn workers (default: the Makefile's WORKERS, as `make run`)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="PAGE",
        help=f"measure only these (repeat or comma-separate): {', '.join(ONLY_CHOICES)}",
    )
    parser.add_argument("--mixed-minutes", type=float, default=10, help="minutes of mixed load (default 10)")
    parser.add_argument(
        "--mixed-connections", type=int, default=10, help="wrk connections of the mixed load (default 10)"
    )
    parser.add_argument(
        "--bot-visitors",
        type=int,
        default=2,
        help="visitors asking the bot during the mixed load (default 2)",
    )
    parser.add_argument(
        "--mixed-server",
        choices=("uncached", "cached"),
        default="uncached",
        help="the server the mixed load runs on (default uncached: every page rendered by Django)",
    )
    parser.add_argument("--training", default="chatgpt-au-quotidien", help="the training page's slug")
    parser.add_argument("--resource", default="charte-utilisation-ia-generative", help="the guide's slug")
    parser.add_argument("--search-query", default="chatgpt", help="our search page's query (default chatgpt)")
    parser.add_argument(
        "--wordpress-peer",
        default=os.environ.get("WP_PEER_DIR", DEFAULT_PEER),
        metavar="DIR",
        help=f"the WordPress peer's folder, relative to the project root (default WP_PEER_DIR or {DEFAULT_PEER})",
    )
    parser.add_argument("--no-wordpress", action="store_true", help="measure our site only")
    parser.add_argument(
        "--keep-wordpress",
        action="store_true",
        help="leave the WordPress peer running if this run started it",
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write the results as JSON to FILE, or to stdout instead of the table when no FILE",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder and logs")
    parser.add_argument(
        "--var-dir",
        metavar="DIR",
        help="use this data folder (one kept by --keep: prepare and the worker have little left to do) and keep it",
    )
    args = parser.parse_args(argv)
    selected: list[str] = []
    for item in args.only or []:
        for name in filter(None, (part.strip() for part in item.split(","))):
            if name not in ONLY_CHOICES:
                parser.error(f"--only {name}: choose among {', '.join(ONLY_CHOICES)}")
            selected.append(name)
    args.selected = selected or list(ONLY_CHOICES)
    limits = {
        "duration": (1, 3600),
        "connections": (1, 1000),
        "low_connections": (0, 1000),
        "warmup": (1, 3600),
        "workers": (1, 64),
        "mixed_connections": (1, 1000),
        "bot_visitors": (0, 20),
    }
    for name, (low, high) in limits.items():
        if not low <= getattr(args, name) <= high:
            parser.error(f"--{name.replace('_', '-')} is out of range")
    if not 0.05 <= args.mixed_minutes <= 120:
        parser.error("--mixed-minutes is out of range")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk)")
        return 2
    if not (venv_bin() / "uvicorn").exists():
        log(f"no uvicorn in {venv_bin()}: run `make install` first")
        return 2
    signal.signal(signal.SIGTERM, _interrupt)

    started = dt.datetime.now().astimezone()
    clock = time.monotonic()
    machine = machine_info()
    database = re.sub(r"//[^@/]*@", "//***@", os.environ.get("DATABASE_URL", "") or "sqlite (temporary file)")
    log(f"database: {database}; machine: {machine}")
    selected = args.selected
    page_keys = [k for k in PAGE_KEYS if k in selected]
    want_mixed = "mixed" in selected
    need_uncached = bool(page_keys) or (want_mixed and args.mixed_server == "uncached")
    need_cached = "cached" in selected or (want_mixed and args.mixed_server == "cached")
    fill = {
        "training": args.training,
        "resource": args.resource,
        "query": quote_plus(args.search_query),
    }

    peer_dir = (
        (ROOT / args.wordpress_peer).resolve()
        if not Path(args.wordpress_peer).is_absolute()
        else Path(args.wordpress_peer)
    )
    peer = Peer(peer_dir, 0, skipped="--no-wordpress" if args.no_wordpress else "no page pair selected")
    pairs: list[Pair] = []
    cached: dict | None = None
    mixed: dict | None = None
    code_versions: dict[str, str] = {}
    var_dir = (
        Path(args.var_dir).resolve()
        if args.var_dir
        else Path(tempfile.mkdtemp(prefix="frenchbot-bench-side-"))
    )
    var_dir.mkdir(parents=True, exist_ok=True)
    server: MakeRunServer | None = None
    failed_to_run = None
    try:
        if page_keys and not args.no_wordpress:
            peer = peer_setup(peer_dir)
            if peer.skipped:
                log(f"WordPress SKIPPED: {peer.skipped}; our figures only, no ratio")
        wp_groups = peer_groups() if not peer.skipped else []

        if need_uncached:
            code_versions["uncached"] = git_state()
            server = start_site("server[uncached]", var_dir, page_cache=0, workers=args.workers)
            ours_groups = [p.pid for p in server.procs]
            runs = [(key, args.connections) for key in page_keys]
            if "article" in page_keys and args.low_connections:
                runs.insert(1, ("article", args.low_connections))
            for key, conns in runs:
                _, label, path, wp_page = next(p for p in PAGES if p[0] == key)
                path = path.format(**fill)
                ours = ours_scenario(server, f"{label}, ours (c={conns})", path, connections=conns, args=args)
                wp = None
                if not peer.skipped:
                    wp = url_scenario(
                        f"{label}, WordPress (c={conns})",
                        peer.urls[wp_page],
                        connections=conns,
                        args=args,
                        groups=wp_groups + ours_groups,
                    )
                pair = Pair(key, label, conns, ours, wp)
                pair.ratio, pair.passed = pair_verdict(ours, wp)
                pairs.append(pair)
                log(
                    f"{label} c={conns}: ours {ours.rps:.1f} req/s p99 {fmt(ours.p99_ms)} ms"
                    + (
                        f"; WordPress {wp.rps:.1f} req/s p99 {fmt(wp.p99_ms)} ms; ratio {pair.ratio}"
                        if wp
                        else ""
                    )
                )
            if want_mixed and args.mixed_server == "uncached":
                mixed = mixed_scenario(server, args)
            server.stop()
            log(f"{server.name}: stopped")
            server = None

        if need_cached:
            # The same data folder, restarted with the page cache on: prepare has nothing left to do.
            code_versions["cached"] = git_state()
            server = start_site("server[cached]", var_dir, page_cache=300, workers=args.workers)
            if "cached" in selected:
                status, _, html_bytes = http_get(server.base + ARTICLE_PATH)
                if status != 200:
                    raise RuntimeError(f"cached: GET {ARTICLE_PATH} answered {status}")
                ours = ours_scenario(
                    server,
                    f"article page, cached (c={args.connections})",
                    ARTICLE_PATH,
                    connections=args.connections,
                    args=args,
                )
                cached = {
                    "ours": asdict(ours),
                    "passed": cached_verdict(ours),
                    "nginx": None,
                    "ratio_to_nginx": None,
                }
                if Path(NGINX).exists():
                    static = StaticNginx(html_bytes)
                    try:
                        static.start()
                        result = url_scenario(
                            f"article page as a static file, nginx (c={args.connections})",
                            static.base + "/blog/article/",
                            connections=args.connections,
                            args=args,
                            groups=[static.proc.pid, *(p.pid for p in server.procs)],
                        )
                    finally:
                        static.stop()
                    cached["nginx"] = asdict(result)
                    cached["ratio_to_nginx"] = round(ours.rps / result.rps, 3) if result.rps else None
                else:
                    cached["nginx_skipped"] = f"no nginx at {NGINX}"
            if want_mixed and args.mixed_server == "cached":
                mixed = mixed_scenario(server, args)
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        failed_to_run = str(error)
        log(f"benchmark aborted: {error}")
    except KeyboardInterrupt:
        failed_to_run = "interrupted"
        log("interrupted")
    finally:
        if server is not None:
            server.stop()
            log(f"{server.name}: stopped")
        if not args.keep_wordpress:
            peer_stop(peer)
        if args.keep or args.var_dir:
            log(f"kept: {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)

    wordpress = {"skipped": peer.skipped, "urls": peer.urls, "started_by_this_run": peer.started_by_us}
    wordpress["summary"] = (
        "not measured"
        if peer.skipped
        else f"the peer of {args.wordpress_peer} (nginx + php-fpm + MariaDB, no page cache) on port {peer.port}"
    )
    report = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(
            [_python_shown(), "bench/side_by_side.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "database": database,
        "machine": machine,
        "run_minutes": round((time.monotonic() - clock) / 60, 1),
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "low_connections": args.low_connections,
            "wrk_threads": 2,
            "wrk_timeout_s": WRK_TIMEOUT_S,
            "uvicorn_workers": args.workers,
            "mixed_minutes": args.mixed_minutes,
            "mixed_connections": args.mixed_connections,
            "bot_visitors": args.bot_visitors,
            "mixed_server": args.mixed_server,
            "only": selected,
        },
        "wordpress": wordpress,
        "pairs": [
            {
                "page": p.key,
                "label": p.label,
                "connections": p.connections,
                "ratio": p.ratio,
                "passed": p.passed,
                "ours": asdict(p.ours),
                "wordpress": asdict(p.wp) if p.wp else None,
            }
            for p in pairs
        ],
        "cached": cached,
        "mixed": mixed,
        "code_at_server_start": code_versions,
        "code_at_end": git_state(),
        "aborted": failed_to_run,
    }
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if args.json == "-":
        print(json.dumps(_without_raw(report), indent=2, ensure_ascii=False))
    else:
        print_report(report, pairs, cached, mixed)
    if failed_to_run:
        return 2
    verdicts = [p.passed for p in pairs] + ([cached["passed"]] if cached else [])
    bot_refused = mixed and any(code != "200" for code in mixed["bot"]["statuses"])
    if mixed and (mixed["pages"]["errors"] or mixed["bot"]["errors"] or bot_refused):
        verdicts.append(False)
    return 1 if False in verdicts else 0


def _without_raw(report: dict) -> dict:
    """The report without wrk's raw text (kept in the --json FILE only)."""
    copy = json.loads(json.dumps(report))
    for pair in copy["pairs"]:
        for side in ("ours", "wordpress"):
            if pair[side]:
                pair[side]["details"].pop("wrk_output", None)
    if copy["cached"]:
        for side in ("ours", "nginx"):
            if copy["cached"].get(side):
                copy["cached"][side]["details"].pop("wrk_output", None)
    if copy["mixed"]:
        copy["mixed"]["pages"]["details"].pop("wrk_output", None)
    return copy


if __name__ == "__main__":
    sys.exit(main())

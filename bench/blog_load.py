#!/usr/bin/env python3
"""Load benchmark of the blog: the article page (cached and uncached), the home page, and the comment POST.

It starts the site the way `make run` does (production settings, SQLite, uvicorn with 2 workers and the task
worker beside it) in a throw-away data folder, drives it with wrk on 127.0.0.1, and prints requests/s,
p50/p99 latency, errors and the number of "database is locked" lines the server logged, with the issue's
target and PASS/FAIL for each line. See bench/README.md.

    .venv/bin/python bench/blog_load.py                 # make bench
    .venv/bin/python bench/blog_load.py --duration 5    # quicker, noisier
    .venv/bin/python bench/blog_load.py --json out.json # also write the figures as JSON ("-" = stdout only)

Exit status: 0 all targets met, 1 at least one target missed, 2 the benchmark could not run.
Plain Python 3 standard library; needs `wrk` on PATH.
"""

# ruff: noqa: S603, S607 - a benchmark runs its own fixed commands (wrk, git, nproc, the venv's binaries)
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import html
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
HOST = "127.0.0.1"  # every request of the benchmark goes to the loopback interface, nowhere else
ARTICLE_SLUG = "offre-elon-musk-openai-97-milliards"
ARTICLE_PATH = f"/blog/{ARTICLE_SLUG}/"
COMMENT_PATH = f"/blog/{ARTICLE_SLUG}/commenter/"
LOCKED = "database is locked"
# wrk gives up on a request after this long and counts it as a timeout error (its default is 2 s; SQLite
# writers may legitimately wait on the busy timeout, so allow more before calling it an error).
WRK_TIMEOUT_S = 10
WARM_UP_TIMEOUT_S = 180
HEALTH_TIMEOUT_S = 90
SETUP_TIMEOUT_S = 600
STOP_TIMEOUT_S = 15
DRAIN_TIMEOUT_S = 60


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def venv_bin() -> Path:
    """The project's virtualenv, else the folder of the running interpreter (unresolved: keep the venv)."""
    candidate = ROOT / ".venv" / "bin"
    if (candidate / "frenchbot").exists():
        return candidate
    return Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- The server, started like `make run` ----------------------------------------------------------------


class Server:
    """migrate + collectstatic + demo, then `frenchbot db_worker` and uvicorn (2 workers), each in its own
    process group so that stop() can end them and all their children."""

    # The task worker's `frenchbot` arguments: a subclass that starts the site as `make run` does swaps it.
    worker_args: tuple[str, ...] = ("db_worker", "-v", "0")

    def __init__(self, name: str, *, var_dir: Path, env: dict[str, str], workers: int):
        self.name = name
        self.var_dir = var_dir
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.server_log = var_dir / "uvicorn.log"
        self.worker_log = var_dir / "db_worker.log"
        self.setup_log = var_dir / "setup.log"
        self.procs: list[subprocess.Popen] = []
        self._files: list = []
        self.bin = venv_bin()

    def manage(self, *args: str, timeout: float = SETUP_TIMEOUT_S) -> str:
        """One `frenchbot` command; its output goes to setup.log (the demo prints the admin password)."""
        result = subprocess.run(
            [str(self.bin / "frenchbot"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        with self.setup_log.open("a") as fh:
            fh.write(f"$ frenchbot {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        if result.returncode != 0:
            raise RuntimeError(f"`frenchbot {' '.join(args)}` failed:\n{result.stderr[-2000:]}")
        return result.stdout

    def prepare(self) -> None:
        log(f"{self.name}: migrate, collectstatic, demo in {self.var_dir}")
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.manage("demo")

    def _spawn(self, cmd: list[str], logfile: Path) -> subprocess.Popen:
        fh = logfile.open("ab")
        self._files.append(fh)
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        self._spawn([str(self.bin / "frenchbot"), *self.worker_args], self.worker_log)
        self.uvicorn = self._spawn(
            [
                str(self.bin / "uvicorn"),
                "config.asgi:application",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--no-access-log",
                "--lifespan",
                "off",
            ],
            self.server_log,
        )
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{self.name}: {proc.args[1]} exited with {proc.returncode}; see logs")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = http_get(self.base + "/healthz", timeout=2)
                if status == 200:
                    log(f"{self.name}: up on {self.base} (pid {self.uvicorn.pid})")
                    self._warmed_up_wait()
                    return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}: /healthz did not answer 200 within {HEALTH_TIMEOUT_S} s")

    def _warmed_up_wait(self) -> None:
        """Wait until each worker has finished the bot's warm-up (its log line), so that the runs measure the
        steady state and not a worker loading models beside the requests (30 s and more on a fresh data
        folder, whose intents' vectors are not computed yet)."""
        if os.environ.get("ASSISTANT_WARM_UP", "true").lower() in ("0", "false", "no", "off"):
            return
        deadline = time.monotonic() + WARM_UP_TIMEOUT_S
        while time.monotonic() < deadline:
            text = self.server_log.read_text(errors="replace")
            done = text.count("Bot warmed up in") + text.count("Bot warm-up failed")
            if done >= self.workers:
                log(f"{self.name}: the bot's warm-up is done in {done} workers")
                return
            time.sleep(0.5)
        log(f"{self.name}: the bot's warm-up was not done within {WARM_UP_TIMEOUT_S} s; measuring anyway")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        # Whatever is left in the groups (a worker that ignored SIGTERM, or an orphaned child): SIGKILL.
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self.procs.clear()
        for fh in self._files:
            fh.close()
        self._files.clear()

    def log_sizes(self) -> tuple[int, int]:
        return tuple(p.stat().st_size if p.exists() else 0 for p in (self.server_log, self.worker_log))

    def log_since(self, sizes: tuple[int, int]) -> str:
        parts = []
        for path, offset in zip((self.server_log, self.worker_log), sizes, strict=True):
            if path.exists():
                with path.open("rb") as fh:
                    fh.seek(offset)
                    parts.append(fh.read().decode("utf-8", "replace"))
        return "\n".join(parts)

    def db_counts(self) -> dict | None:
        """Comment and task rows, by status, through Django (works for SQLite and PostgreSQL)."""
        code = (
            "import json\n"
            "from django.db.models import Count\n"
            "from frenchbot.blog.models import Comment\n"
            "from django_tasks_db.models import DBTaskResult\n"
            "print('COUNTS', json.dumps({"
            "'comments': dict(Comment.objects.values_list('status').annotate(n=Count('pk')).order_by()),"
            "'tasks': dict(DBTaskResult.objects.values_list('status').annotate(n=Count('pk')).order_by())}))\n"
        )
        try:
            out = self.manage("shell", "-v", "0", "-c", code, timeout=120)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            log(f"{self.name}: could not count rows: {error}")
            return None
        match = re.search(r"^COUNTS (.*)$", out, re.M)
        return json.loads(match.group(1)) if match else None


def http_get(url: str, *, timeout: float = 10, headers: dict | None = None):
    conn = http.client.HTTPConnection(HOST, int(url.split(":")[2].split("/")[0]), timeout=timeout)
    try:
        path = "/" + url.split("/", 3)[3]
        conn.request("GET", path, headers={"Accept-Language": "fr", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def http_post(base: str, path: str, body: str, headers: dict) -> tuple[int, dict, bytes]:
    port = int(base.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# --- How busy the machine is with other work ----------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_busy_s() -> float | None:
    """CPU seconds spent busy (all processors) since boot, from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / _TICK


def _group_cpu_s(pgids: set[int]) -> float:
    """CPU seconds used so far by the processes of these process groups (and their waited children)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            rest = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(rest[2]) in pgids:
                total += sum(int(x) for x in rest[11:15])
    return total / _TICK


class CpuWatch:
    """The share of the machine's CPU used by *other* processes while a run lasts: everything busy minus the
    servers' process groups, the waited children of this script (wrk) and this script itself."""

    def __init__(self, server: Server):
        self.pgids = {proc.pid for proc in server.procs}
        self.other_pct: float | None = None

    def _sample(self):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        me = resource.getrusage(resource.RUSAGE_SELF)
        ours = children.ru_utime + children.ru_stime + me.ru_utime + me.ru_stime + _group_cpu_s(self.pgids)
        return time.monotonic(), _cpu_busy_s(), ours

    def __enter__(self):
        self.start = self._sample()
        return self

    def __exit__(self, *exc):
        end = self._sample()
        if self.start[1] is None or end[1] is None:
            return
        elapsed = end[0] - self.start[0]
        other = (end[1] - self.start[1]) - (end[2] - self.start[2])
        self.other_pct = max(0.0, round(100 * other / (elapsed * (os.cpu_count() or 1)), 1))


# --- wrk -------------------------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    path: str
    connections: int
    duration_s: int
    requests: int = 0
    rps: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    db_locked: int = 0
    target: str = ""
    passed: bool | None = None
    details: dict = field(default_factory=dict)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(stdout: str) -> dict:
    """Figures from wrk's text report (--latency) and from the WRK_JSON line of the Lua done() hook."""
    parsed: dict = {"percentiles_ms": {}}
    if m := re.search(r"^Requests/sec:\s+([\d.]+)", stdout, re.M):
        parsed["rps"] = float(m.group(1))
    if m := re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", stdout, re.M):
        parsed["requests"] = int(m.group(1))
    for pct, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", stdout, re.M):
        parsed["percentiles_ms"][int(pct)] = round(_to_ms(value, unit), 3)
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", stdout)
    parsed["non_2xx_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", stdout)
    parsed["socket_errors"] = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()), strict=True)) if m else {}
    )
    if m := re.search(r"^WRK_JSON (.*)$", stdout, re.M):
        with contextlib.suppress(json.JSONDecodeError):
            parsed["lua"] = json.loads(m.group(1))
    parsed["first_400"] = re.findall(r"^WRK_FIRST_400 (.*)$", stdout, re.M)[:1]
    return parsed


def run_wrk(
    url: str,
    *,
    script: str,
    connections: int,
    duration: int,
    script_args: tuple[str, ...] = (),
    threads: int | None = None,
) -> tuple[dict, str]:
    threads = threads or max(1, min(2, connections))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        f"--timeout={WRK_TIMEOUT_S}s",
        "-s",
        str(WRK_SCRIPTS / script),
        url,
    ]
    if script_args:
        cmd += ["--", *script_args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    if proc.returncode != 0 or "Requests/sec" not in proc.stdout:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout[-500:]}")
    return parse_wrk(proc.stdout), proc.stdout


def fill_result(result: Result, parsed: dict, raw: str) -> Result:
    result.rps = parsed.get("rps", 0.0)
    result.requests = parsed.get("requests", 0)
    result.p50_ms = parsed["percentiles_ms"].get(50)
    result.p99_ms = parsed["percentiles_ms"].get(99)
    socket_errors = sum(parsed["socket_errors"].values())
    result.errors = parsed["non_2xx_3xx"] + socket_errors
    result.details["socket_errors"] = parsed["socket_errors"]
    result.details["non_2xx_3xx"] = parsed["non_2xx_3xx"]
    result.details["percentiles_ms"] = parsed["percentiles_ms"]
    if "lua" in parsed:
        result.details["wrk_lua"] = parsed["lua"]
    result.details["wrk_output"] = raw
    return result


def page_scenario(server: Server, name: str, path: str, args, target: str = "", check=None) -> Result:
    """wrk GET on one page after a warm-up; `check` decides PASS/FAIL (None: an information line)."""
    url = server.base + path
    status, _, body = http_get(url)
    if status != 200:
        raise RuntimeError(f"{name}: GET {path} answered {status}, not 200")
    log(f"{name}: warm-up {args.warmup} s")
    run_wrk(url, script="page.lua", connections=args.connections, duration=args.warmup)
    sizes = server.log_sizes()
    load_before = os.getloadavg()
    log(f"{name}: wrk -c{args.connections} -d{args.duration}s (load average {load_before[0]:.2f})")
    with CpuWatch(server) as watch:
        parsed, raw = run_wrk(url, script="page.lua", connections=args.connections, duration=args.duration)
    result = fill_result(Result(name, path, args.connections, args.duration, target=target), parsed, raw)
    scan_log(result, server.log_since(sizes))
    result.details["page_bytes"] = len(body)
    result.details["loadavg_before"] = [round(x, 2) for x in load_before]
    result.details["other_cpu_pct"] = watch.other_pct
    if check is None:
        result.passed = None if result.errors == 0 else False
    else:
        result.passed = result.errors == 0 and check(result)
    return result


def _input_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag.group(0))
    if not value:
        raise RuntimeError(f'the article page has no <input name="{name}" value="...">')
    return html.unescape(value.group(1))


def comment_scenario(server: Server, args) -> Result:
    name = f"comment POST ({args.commenters} commenters)"
    status, headers, body = http_get(server.base + ARTICLE_PATH)
    if status != 200:
        raise RuntimeError(f"comment: GET {ARTICLE_PATH} answered {status}")
    page = body.decode("utf-8", "replace")
    cookie = next(
        (
            m.group(1)
            for k, v in headers
            if k.lower() == "set-cookie" and (m := re.match(r"csrftoken=([^;]+)", v))
        ),
        None,
    )
    if not cookie:
        raise RuntimeError("comment: the article page set no csrftoken cookie")
    csrf_form = _input_value(page, "csrfmiddlewaretoken")
    ts = _input_value(page, "ts")
    wait = args.min_fill + 1
    log(f"comment: token fetched, waiting {wait} s (COMMENT_MIN_FILL_SECONDS={args.min_fill})")
    time.sleep(wait)

    # One POST by hand first: a refused form would otherwise only show up as a pile of 400s.
    run_id = f"{int(time.time())}"
    form = {
        "csrfmiddlewaretoken": csrf_form,
        "name": "Lecteur essai",
        "email": f"bench-{run_id}-essai@example.com",
        "body": "Commentaire d'essai du banc de charge.",
        "website": "",
        "ts": ts,
        "parent": "",
    }
    post_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
        "Accept-Language": "fr",
        "User-Agent": "frenchbot-bench/python",
    }
    status, headers_, body = http_post(server.base, COMMENT_PATH, urlencode(form), post_headers)
    if status != 302:
        text = body.decode("utf-8", "replace")
        error = re.search(r'class="field__errors"[^>]*>\s*<p>(.*?)</p>', text, re.S)
        log(
            f"comment: trial POST answered {status}, not 302"
            + (f" — first form error: {html.unescape(error.group(1)).strip()}" if error else "")
        )
    else:
        log(f"comment: trial POST answered 302 -> {headers_.get('Location') or headers_.get('location')}")

    before = server.db_counts()
    sizes = server.log_sizes()
    load_before = os.getloadavg()
    log(f"comment: wrk -c{args.commenters} -d{args.duration}s (load average {load_before[0]:.2f})")
    with CpuWatch(server) as watch:
        parsed, raw = run_wrk(
            server.base + COMMENT_PATH,
            script="comment.lua",
            connections=args.commenters,
            duration=args.duration,
            script_args=(cookie, csrf_form, ts, run_id),
        )
    result = fill_result(
        Result(name, COMMENT_PATH, args.commenters, args.duration, target="0 errors, 0 locked"), parsed, raw
    )
    if parsed["first_400"]:
        log(f"comment: first 400 during the run: {html.unescape(parsed['first_400'][0])}")
        result.details["first_400"] = html.unescape(parsed["first_400"][0])
    result.details["trial_post_status"] = status
    result.details["loadavg_before"] = [round(x, 2) for x in load_before]
    result.details["other_cpu_pct"] = watch.other_pct

    # Does the task worker keep up? Wait (bounded) for the e-mail notices queued by the run.
    drain_start = time.monotonic()
    after = server.db_counts()
    while after and after["tasks"].get("READY", 0) + after["tasks"].get("RUNNING", 0) > 0:
        if time.monotonic() - drain_start > DRAIN_TIMEOUT_S:
            break
        time.sleep(3)
        after = server.db_counts()
    result.details["db_before"] = before
    result.details["db_after"] = after
    if after:
        left = after["tasks"].get("READY", 0) + after["tasks"].get("RUNNING", 0)
        result.details["task_queue_left"] = left
        result.details["task_drain_s"] = round(time.monotonic() - drain_start, 1)
    if before and after:
        result.details["comments_written"] = sum(after["comments"].values()) - sum(
            before["comments"].values()
        )
    scan_log(result, server.log_since(sizes))
    result.passed = result.errors == 0 and result.db_locked == 0 and result.requests > 0
    # A 302 is also the answer when comments are closed (with an error message): check the rows exist.
    redirects = result.details.get("wrk_lua", {}).get("statuses", {}).get("302")
    written = result.details.get("comments_written")
    if redirects is not None and written is not None and written < redirects:
        result.details["missing_rows"] = redirects - written
        result.passed = False
    return result


_ODD = re.compile(r"Traceback|ERROR|Error|error|WARNING|Exception|locked", re.M)


def scan_log(result: Result, text: str) -> None:
    """'database is locked' count and the first distinct odd lines the server and worker logged meanwhile."""
    result.db_locked = text.count(LOCKED)
    odd: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line and _ODD.search(line) and line not in odd:
            odd.append(line[:300])
            if len(odd) >= 10:
                break
    if odd:
        result.details["odd_log_lines"] = odd


# --- Machine and report ----------------------------------------------------------------------------------


def machine_info() -> dict:
    info: dict = {"nproc": os.cpu_count()}
    with contextlib.suppress(OSError):
        cpuinfo = Path("/proc/cpuinfo").read_text()
        if m := re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M):
            info["cpu"] = m.group(1).strip()
    with contextlib.suppress(OSError):
        if m := re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M):
            info["ram_gib"] = round(int(m.group(1)) / 1024 / 1024, 1)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout)
    info["kernel"] = platform.release()
    info["python"] = platform.python_version()
    info["sqlite"] = sqlite3.sqlite_version
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=5)
        info["wrk"] = (out.stdout or out.stderr).split("\n")[0].split(" Copyright")[0].strip()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            [
                str(venv_bin() / "python"),
                "-c",
                "import django, uvicorn; print(django.get_version(), uvicorn.__version__)",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        info["django"], info["uvicorn"] = out.stdout.split()
    info["git"] = git_state()
    return info


def git_state() -> str:
    """The commit the code comes from, plus a short hash of the uncommitted changes to tracked files outside
    bench/ and docs/, if any: the servers import the working tree when they start, so a change made during
    the run shows here."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        diff = subprocess.run(
            ["git", "diff", "HEAD", "--", ".", ":(exclude)bench", ":(exclude)docs"],
            cwd=ROOT,
            capture_output=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return head + (
        f" + uncommitted changes {hashlib.blake2b(diff, digest_size=4).hexdigest()[:8]}" if diff else ""
    )


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_table(results: list[Result], out=sys.stdout) -> None:
    header = ("Scenario", "req/s", "p50 ms", "p99 ms", "errors", "db locked", "target", "result", "other CPU")
    rows = [
        (
            r.scenario,
            fmt(r.rps),
            fmt(r.p50_ms, 2),
            fmt(r.p99_ms, 2),
            str(r.errors),
            str(r.db_locked),
            r.target or "—",
            {True: "PASS", False: "FAIL", None: "info"}[r.passed],
            "?" if r.details.get("other_cpu_pct") is None else f"{r.details['other_cpu_pct']:.0f}%",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    align = ["<", ">", ">", ">", ">", ">", "<", "<", ">"]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(
            "  ".join(f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths, strict=True)).rstrip(),
            file=out,
        )


# --- Main ------------------------------------------------------------------------------------------------


# (name, PAGE_CACHE_SECONDS, extra environment). The demo dates its articles relative to "now" and comments
# close COMMENTS_CLOSE_AFTER_DAYS after publication: the comment server keeps them open whatever the date.
SERVERS = (
    ("cached", 300, {}),
    ("uncached", 0, {}),
    ("comments", 300, {"COMMENTS_CLOSE_AFTER_DAYS": "0"}),
)


def server_env(var_dir: Path, *, page_cache: int, min_fill: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "FRENCHBOT_VAR_DIR": str(var_dir),
            "PAGE_CACHE_SECONDS": str(page_cache),
            # All bench traffic comes from 127.0.0.1: a per-IP limit would refuse all but the first few.
            "COMMENT_RATE_LIMIT": "0",
            "COMMENT_MIN_FILL_SECONDS": str(min_fill),
            "EMAIL_URL": "dummymail://",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("DEBUG", None)
    return env


def _python_shown() -> str:
    """The interpreter as typed from the project root (.venv/bin/python), else its full path."""
    path = Path(sys.executable)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=int, default=15, help="seconds of each measured wrk run (default 15)"
    )
    parser.add_argument(
        "--connections", type=int, default=32, help="wrk connections for the page runs (default 32)"
    )
    parser.add_argument(
        "--commenters", type=int, default=50, help="wrk connections for the comment POST run (default 50)"
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of warm-up before each page run (default 3)"
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, as `make run` (default 2)")
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write the results as JSON to FILE, or to stdout instead of the table when no FILE",
    )
    parser.add_argument(
        "--skip-open-page",
        action="store_true",
        help="skip the information run of the article page with its comment form shown",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folders and logs")
    args = parser.parse_args(argv)
    for name in ("duration", "connections", "commenters", "warmup", "workers"):
        if not 1 <= getattr(args, name) <= (3600 if name in ("duration", "warmup") else 1000):
            parser.error(f"--{name} is out of range")
    args.min_fill = int(os.environ.get("COMMENT_MIN_FILL_SECONDS", "3"))

    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk)")
        return 2
    bin_dir = venv_bin()
    if not (bin_dir / "uvicorn").exists():
        log(f"no uvicorn in {bin_dir}: run `make install` first")
        return 2

    # A TERM (or Ctrl+C) must still run the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, _interrupt)

    started = dt.datetime.now().astimezone()
    load_at_start = os.getloadavg()
    machine = machine_info()
    database = os.environ.get("DATABASE_URL", "") or "sqlite (temporary file)"
    log(f"database: {re.sub(r'//[^@/]*@', '//***@', database)}; machine: {machine}")
    results: list[Result] = []
    server_logs: dict[str, dict] = {}
    code_versions: dict[str, str] = {}
    folders: list[Path] = []
    failed_to_run = None
    try:
        # Three servers, each on a fresh data folder: the page runs exactly as `make run` serves them, cached
        # then uncached; the comment run on a third one where comments stay open (see SERVERS).
        for mode, page_cache, extra_env in SERVERS:
            var_dir = Path(tempfile.mkdtemp(prefix=f"frenchbot-bench-{mode}-"))
            folders.append(var_dir)
            env = server_env(var_dir, page_cache=page_cache, min_fill=args.min_fill)
            env.update(extra_env)
            server = Server(f"server[{mode}]", var_dir=var_dir, workers=args.workers, env=env)
            c = args.connections
            try:
                code_versions[mode] = git_state()
                server.prepare()
                server.start()
                if mode == "cached":
                    results.append(
                        page_scenario(
                            server,
                            f"article page, cached (c={c})",
                            ARTICLE_PATH,
                            args,
                            "≥500 req/s, p99<50 ms",
                            lambda r: r.rps >= 500 and (r.p99_ms or 1e9) < 50,
                        )
                    )
                    results.append(page_scenario(server, f"home page, cached (c={c})", "/", args))
                elif mode == "uncached":
                    results.append(
                        page_scenario(
                            server,
                            f"article page, uncached (c={c})",
                            ARTICLE_PATH,
                            args,
                            "≥100 req/s",
                            lambda r: r.rps >= 100,
                        )
                    )
                else:
                    if not args.skip_open_page:
                        results.append(
                            page_scenario(
                                server,
                                f"article page, cached, comment form shown (c={c})",
                                ARTICLE_PATH,
                                args,
                            )
                        )
                    results.append(comment_scenario(server, args))
            finally:
                server.stop()
                log(f"{server.name}: stopped")
                # Over the whole life of the server and its worker, startup and shutdown included.
                whole = Result(server.name, "", 0, 0)
                scan_log(whole, server.log_since((0, 0)))
                server_logs[mode] = {
                    "db_locked": whole.db_locked,
                    "odd_lines": whole.details.get("odd_log_lines", []),
                }
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        failed_to_run = str(error)
        log(f"benchmark aborted: {error}")
    except KeyboardInterrupt:
        failed_to_run = "interrupted"
        log("interrupted")
    finally:
        if args.keep:
            log("kept: " + ", ".join(map(str, folders)))
        else:
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)

    report = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(
            [_python_shown(), "bench/blog_load.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "database": re.sub(r"//[^@/]*@", "//***@", database),
        "machine": machine,
        "loadavg_at_start": [round(x, 2) for x in load_at_start],
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "commenters": args.commenters,
            "wrk_threads": 2,
            "wrk_timeout_s": WRK_TIMEOUT_S,
            "uvicorn_workers": args.workers,
            "COMMENT_RATE_LIMIT": 0,
            "COMMENT_MIN_FILL_SECONDS": args.min_fill,
            "EMAIL_URL": "dummymail://",
        },
        "results": [asdict(r) for r in results],
        "server_logs": server_logs,
        "code_at_server_start": code_versions,
        "code_at_end": git_state(),
        "aborted": failed_to_run,
    }
    to_stdout_json = args.json == "-"
    if args.json and not to_stdout_json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if to_stdout_json:
        for r in report["results"]:
            r["details"].pop("wrk_output", None)
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print()
        print(f"The French Bot — blog load benchmark, {report['date']}, database: {report['database']}")
        print(
            f"machine: {machine.get('nproc')} CPU ({machine.get('cpu', '?')}), {machine.get('ram_gib', '?')} GiB RAM, "
            f"Python {machine['python']}, SQLite {machine['sqlite']}, {machine.get('wrk', 'wrk')}"
        )
        print(
            f"wrk -t2, {args.duration} s per run (after {args.warmup} s warm-up for pages), --timeout {WRK_TIMEOUT_S}s"
        )
        versions = sorted(set(code_versions.values()) | {report["code_at_end"]})
        print(f"code: {report['code_at_end']}")
        if len(versions) > 1:
            print(
                f"WARNING: the code changed during the benchmark ({' -> '.join(versions)}): compare with care"
            )
        print(
            f"wrk, uvicorn and the task worker share the {machine.get('nproc')} CPUs; 'other CPU' = share of the"
            " machine used by other processes during the run (load skews the figures when it is not ~0%)"
        )
        print()
        print_table(results)
        for r in results:
            extra = []
            if r.details.get("socket_errors") and sum(r.details["socket_errors"].values()):
                extra.append(f"socket errors {r.details['socket_errors']}")
            if statuses := r.details.get("wrk_lua", {}).get("statuses"):
                extra.append("statuses " + ", ".join(f"{k}: {v}" for k, v in statuses.items() if v))
            if "comments_written" in r.details:
                extra.append(f"comment rows written {r.details['comments_written']}")
            if "task_queue_left" in r.details:
                extra.append(
                    f"notice tasks left in queue {r.details['task_queue_left']} after {r.details['task_drain_s']} s"
                )
            if r.details.get("missing_rows"):
                extra.append(f"{r.details['missing_rows']} redirects wrote no comment")
            if r.details.get("first_400"):
                extra.append(f"first 400: {r.details['first_400']}")
            if r.details.get("odd_log_lines"):
                extra.append("log: " + " | ".join(r.details["odd_log_lines"][:3]))
            if extra:
                print(f"  {r.scenario}: " + "; ".join(extra))
        for mode, seen in server_logs.items():
            if seen["odd_lines"]:
                print(
                    f"  server[{mode}] log, {len(seen['odd_lines'])} odd line(s): "
                    + " | ".join(seen["odd_lines"][:5])
                )
        if failed_to_run:
            print(f"\nABORTED: {failed_to_run}")
    if failed_to_run:
        return 2
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

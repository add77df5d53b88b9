#!/usr/bin/env python3
"""Load benchmark of the bot: concurrent conversations through the chat widget's route, time to the whole answer.

It starts the site the way `make run` does (`frenchbot prepare`, then the task worker and uvicorn with 2
workers, production settings, SQLite, the extractive provider) in a throw-away data folder, waits until the
worker has computed the search vectors, then runs `--conversations` visitors at once, arriving over the first
`--arrival` seconds (by default the longest pause, as people arrive, not in the same millisecond). Each does what chat.js
does: opens /assistant/ (CSRF cookie and token), creates a conversation (POST /api/assistant/conversations),
then asks its questions one after the other (POST /api/assistant/conversations/<id>/messages with
`Accept: text/event-stream`), reading the stream to its `done` event, and pausing `--think` seconds between
two questions, as a person reading the answer and typing the next one. Questions: the demo content's answerable
and unanswerable questions and follow-ups of bench/data/honesty_fr.toml, with small talk from
bench/data/intents_fr.toml. Each visitor has its own address (X-Forwarded-For behind one trusted proxy, as
behind nginx), so the per-address limits apply as they would to distinct people.

Prints p50/p95/p99 of the time to the complete answer (request sent → `done` event read), per kind of message
too, and the errors (HTTP status, `error` event, stream without `done`). `--profile` then answers one question
in process under cProfile on the same data (CPU ms per answer, queries, the top functions).

    .venv/bin/python bench/bot_load.py                       # 20 conversations of 8 messages
    .venv/bin/python bench/bot_load.py --think 0             # no pause: a stress run
    .venv/bin/python bench/bot_load.py --profile --json out.json

Exit status: 0 target met (p95 < 150 ms, no error), 1 missed, 2 the benchmark could not run.
"""

# ruff: noqa: S311 - random picks questions, it protects nothing
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

# The server, the machine's description and the CPU watch come from the blog's benchmark, unchanged.
from blog_load import (  # noqa: E402
    HOST,
    CpuWatch,
    Result,
    Server,
    _interrupt,
    _python_shown,
    git_state,
    log,
    machine_info,
    scan_log,
    server_env,
    venv_bin,
)

API = "/api/assistant"
TARGET_P95_MS = 150
ANSWER_TIMEOUT_S = 60


class BotServer(Server):
    """The site as `make run` serves it: `frenchbot prepare` (migrations, static files, the demo, the index of
    words) then `frenchbot worker` (which computes the search vectors and the bot's intents) beside uvicorn."""

    def prepare(self) -> None:
        log(f"{self.name}: frenchbot prepare in {self.var_dir}")
        self.manage("prepare")

    def _spawn(self, cmd: list[str], logfile: Path) -> subprocess.Popen:
        if cmd[1:2] == ["db_worker"]:  # Server starts the bare queue; `make run` starts the whole worker
            cmd = [cmd[0], "worker", *cmd[2:]]
        return super()._spawn(cmd, logfile)

    def wait_ready(self, timeout: float) -> dict:
        """Until every passage has its vector and the worker's queue is empty (the intents are prepared):
        before that, the bot answers from words alone and says so."""
        code = (
            "import json\n"
            "from django_tasks_db.models import DBTaskResult\n"
            "from frenchbot.retrieval.selectors import vectors_progress\n"
            "p = vectors_progress()\n"
            "print('READY', json.dumps({'done': p.done, 'total': p.total, 'queued': "
            "DBTaskResult.objects.filter(status__in=['READY', 'RUNNING']).count()}))\n"
        )
        deadline = time.monotonic() + timeout
        while True:
            out = self.manage("shell", "-v", "0", "-c", code, timeout=120)
            state = json.loads(re.search(r"^READY (.*)$", out, re.M).group(1))
            if state["done"] >= state["total"] and not state["queued"]:
                return state
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: vectors not ready after {timeout:.0f} s: {state}")
            log(f"{self.name}: waiting for the worker: {state}")
            time.sleep(5)


# --- One visitor -----------------------------------------------------------------------------------------


@dataclass
class Answer:
    kind: str
    question: str
    ms: float | None = None
    first_byte_ms: float | None = None
    error: str = ""
    unanswered: bool = False


@dataclass
class Visitor:
    """Cookies and address of one browser, over plain http.client (one connection per request, as a
    browser's fetch may open)."""

    base_port: int
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def request(self, method: str, path: str, *, body: dict | None = None, accept: str = "application/json"):
        conn = http.client.HTTPConnection(HOST, self.base_port, timeout=ANSWER_TIMEOUT_S)
        headers = {
            "Accept": accept,
            "Accept-Language": "fr",
            "X-Forwarded-For": self.address,
            "User-Agent": "frenchbot-bench/bot",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.csrf
            headers["Origin"] = f"http://{HOST}:{self.base_port}"
        conn.request(
            method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers
        )
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and (m := re.match(r"([^=;]+)=([^;]*)", value)):
                self.cookies[m.group(1)] = m.group(2)
        return conn, response

    def open_chat(self) -> None:
        conn, response = self.request("GET", "/assistant/", accept="text/html")
        page = response.read().decode("utf-8", "replace")
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"GET /assistant/ answered {response.status}")
        token = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', page)
        if not token:
            raise RuntimeError("the /assistant/ page has no CSRF token")
        self.csrf = html.unescape(token.group(1))

    def start_conversation(self) -> str:
        conn, response = self.request("POST", f"{API}/conversations", body={})
        data = json.loads(response.read() or b"{}")
        conn.close()
        if response.status != 201:
            raise RuntimeError(f"POST {API}/conversations answered {response.status}: {data}")
        return data["id"]

    def ask(self, conversation: str, question: str, kind: str) -> Answer:
        """One question, its stream read to the end: the time to the `done` event."""
        answer = Answer(kind=kind, question=question)
        started = time.perf_counter()
        try:
            conn, response = self.request(
                "POST",
                f"{API}/conversations/{conversation}/messages",
                body={"content": question, "timezone": "Europe/Paris"},
                accept="text/event-stream",
            )
            try:
                if response.status != 200:
                    answer.error = f"HTTP {response.status}: {response.read()[:200]!r}"
                    return answer
                event = None
                while True:
                    line = response.readline()
                    if not line:
                        answer.error = "stream ended without done"
                        return answer
                    if answer.first_byte_ms is None:
                        answer.first_byte_ms = (time.perf_counter() - started) * 1000
                    line = line.decode("utf-8").rstrip("\n")
                    if line.startswith("event: "):
                        event = line[len("event: ") :]
                    elif line.startswith("data: ") and event in ("done", "error"):
                        data = json.loads(line[len("data: ") :])
                        answer.ms = (time.perf_counter() - started) * 1000
                        if event == "error":
                            answer.error = f"error event: {data.get('message')}"
                        elif data.get("status") != "complete" or not data.get("text"):
                            answer.error = f"done with status {data.get('status')!r}"
                        answer.unanswered = bool(data.get("unanswered"))
                        return answer
            finally:
                conn.close()
        except (OSError, http.client.HTTPException, ValueError) as error:
            answer.error = f"{type(error).__name__}: {error}"
            return answer


# --- What visitors say -------------------------------------------------------------------------------------


def scripts(*, count: int, turns: int, seed: int) -> list[list[tuple[str, str]]]:
    """One list of (kind, message) per conversation: a greeting now and then, questions of the demo content
    (some followed by a question leaning on them, some that no page answers), a thanks or goodbye to end."""
    honesty = tomllib.loads((BENCH / "data" / "honesty_fr.toml").read_text())
    intents = tomllib.loads((BENCH / "data" / "intents_fr.toml").read_text())
    answerable = honesty["tune"]["answerable"] + honesty["held"]["answerable"]
    unanswerable = honesty["tune"]["unanswerable"] + honesty["held"]["unanswerable"]
    follow_ups = honesty["follow_ups"]
    small = {name: intents[name]["utterances"] for name in ("greeting", "thanks", "goodbye", "identity")}
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        messages: list[tuple[str, str]] = []
        if rng.random() < 0.6:
            messages.append(("small talk", rng.choice(small["greeting"])))
        while len(messages) < turns - 1:
            pick = rng.random()
            if pick < 0.2:
                pair = rng.choice(follow_ups)
                messages += [("question", pair["first"]), ("follow-up", pair["then"])]
            elif pick < 0.35:
                messages.append(("unanswerable", rng.choice(unanswerable)))
            elif pick < 0.42:
                messages.append(("small talk", rng.choice(small["identity"])))
            else:
                messages.append(("question", rng.choice(answerable)))
        messages = messages[: turns - 1]
        messages.append(("small talk", rng.choice(small["thanks"] + small["goodbye"])))
        out.append(messages)
    return out


def conversation_run(
    port: int,
    number: int,
    messages,
    *,
    think: tuple[float, float],
    seed: int,
    answers: list,
    lock,
    arrival: float = 0.0,
) -> None:
    visitor = Visitor(base_port=port, address=f"10.77.{number // 250}.{number % 250 + 1}")
    rng = random.Random(seed + number)
    if arrival:
        time.sleep(rng.uniform(0, arrival))
    try:
        visitor.open_chat()
        conversation = visitor.start_conversation()
    except (OSError, http.client.HTTPException, RuntimeError, ValueError) as error:
        with lock:
            answers.append(Answer(kind="start", question="", error=str(error)))
        return
    for kind, message in messages:
        answer = visitor.ask(conversation, message, kind)
        with lock:
            answers.append(answer)
        if think[1]:
            time.sleep(rng.uniform(*think))


def run_load(
    port: int, conversations: list, *, think, seed: int, arrival: float = 0.0
) -> tuple[list[Answer], float]:
    answers: list[Answer] = []
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=conversation_run,
            args=(port, number, messages),
            kwargs={"think": think, "seed": seed, "answers": answers, "lock": lock, "arrival": arrival},
            daemon=True,
        )
        for number, messages in enumerate(conversations)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - started


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"n": len(ordered), "p50": round(statistics.median(ordered), 1), "p95": at(0.95), "p99": at(0.99),
            "max": round(ordered[-1], 1)}  # fmt: skip


# --- One answer under the profiler, in process -------------------------------------------------------------


def profile_answer(env: dict, *, question: str, repeat: int) -> dict:
    """Answer `question` `repeat` times in this process on the benchmark's data: CPU ms per answer, queries,
    and the cProfile of the answers (sorted by own time)."""
    import asyncio
    import cProfile
    import io
    import pstats

    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from frenchbot.assistant import services

    conversation = services.conversation_start(session_key="bench-profile", ip="10.78.0.1")

    def answer() -> dict:
        prepared = services.answer_prepare(
            conversation=conversation, question=question, session_key="bench-profile", ip="10.78.0.1"
        )
        return asyncio.run(services.answer_complete(prepared))

    for _ in range(3):  # models, word lists, vector index: loaded once per process
        result = answer()
    with CaptureQueriesContext(connection) as queries:
        answer()
    profiler = cProfile.Profile()
    cpu = time.process_time()
    profiler.enable()
    for _ in range(repeat):
        answer()
    profiler.disable()
    cpu_ms = (time.process_time() - cpu) * 1000 / repeat
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    return {
        "question": question,
        "cpu_ms_per_answer": round(cpu_ms, 1),
        "queries": len(queries),
        "answer_status": result.get("status"),
        "profile": text.getvalue(),
    }


# --- Main ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=20, help="visitors at once (default 20)")
    parser.add_argument("--turns", type=int, default=8, help="messages per conversation (default 8)")
    parser.add_argument(
        "--think",
        default="1-3",
        help="seconds between an answer and the next question, a range (default 1-3; 0: none)",
    )
    parser.add_argument(
        "--arrival",
        type=float,
        default=None,
        help="seconds over which the visitors arrive, each at a random moment (default: the longest think "
        "time, so every conversation runs at once after the first few seconds; 0: all in the same instant)",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, as `make run` (default 2)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=1800,
        help="seconds to wait for the worker to compute the vectors (default 1800)",
    )
    parser.add_argument("--profile", action="store_true", help="then profile one answer in process")
    parser.add_argument("--profile-question", default="Comment écrire un bon prompt ?")
    parser.add_argument(
        "--profile-only",
        metavar="VAR_DIR",
        help="no load run: profile one answer on this data folder (prepared, its vectors computed)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON ('-': stdout only)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and its logs")
    args = parser.parse_args(argv)
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))
    arrival = think[1] if args.arrival is None else args.arrival
    if not 1 <= args.conversations <= 200 or not 2 <= args.turns <= 19:
        parser.error("--conversations must be 1..200 and --turns 2..19 (the per-session limit is 20)")
    if not (venv_bin() / "uvicorn").exists():
        log(f"no uvicorn in {venv_bin()}: run `make install` first")
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    if args.profile_only:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
               "FRENCHBOT_VAR_DIR": args.profile_only}  # fmt: skip
        profile = profile_answer(env, question=args.profile_question, repeat=20)
        print(profile.pop("profile"))
        print(json.dumps(profile, ensure_ascii=False))
        return 0

    started = dt.datetime.now().astimezone()
    var_dir = Path(tempfile.mkdtemp(prefix="frenchbot-bench-bot-"))
    env = server_env(var_dir, page_cache=300, min_fill=3)
    env.pop("DATABASE_URL", None)  # a fresh database, never the one of the environment
    env.update(
        {
            # The code of this checkout, also for the `frenchbot` commands (an editable install may point at
            # another one).
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
            # Behind one proxy, as in production: each visitor's X-Forwarded-For is its address.
            "TRUSTED_PROXY_COUNT": "1",
            "LLM_PROVIDER": "extractive",
        }
    )
    server = BotServer("server[bot]", var_dir=var_dir, env=env, workers=args.workers)
    report: dict = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join([_python_shown(), "bench/bot_load.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine_info(),
        "settings": {"conversations": args.conversations, "turns": args.turns, "think_s": list(think),
                     "arrival_s": arrival, "uvicorn_workers": args.workers, "provider": "extractive", "database": "sqlite"},
    }  # fmt: skip
    failed = None
    try:
        server.prepare()
        server.start()
        report["ready"] = server.wait_ready(args.ready_timeout)
        log(f"ready: {report['ready']}; warm-up")
        conversations = scripts(count=args.conversations, turns=args.turns, seed=args.seed)
        # Every worker process loads its models and maps the vectors before the measured run.
        warm = scripts(count=4, turns=3, seed=args.seed + 1000)
        run_load(server.port, warm, think=(0, 0), seed=args.seed + 1000)
        sizes = server.log_sizes()
        log(f"{args.conversations} conversations of {args.turns} messages, think {args.think} s")
        with CpuWatch(server) as watch:
            answers, elapsed = run_load(
                server.port, conversations, think=think, seed=args.seed, arrival=arrival
            )
        scan = Result("bot", API, args.conversations, 0)
        scan_log(scan, server.log_since(sizes))
        errors = [a for a in answers if a.error]
        timed = [a.ms for a in answers if a.ms is not None and not a.error]
        by_kind = {
            kind: percentiles([a.ms for a in answers if a.kind == kind and a.ms is not None and not a.error])
            for kind in sorted({a.kind for a in answers})
        }
        report["results"] = {
            "answers": len(answers),
            "errors": len(errors),
            "error_samples": sorted({a.error for a in errors})[:5],
            "elapsed_s": round(elapsed, 1),
            "answers_per_s": round(len(answers) / elapsed, 2) if elapsed else None,
            "complete_ms": percentiles(timed),
            "first_byte_ms": percentiles([a.first_byte_ms for a in answers if a.first_byte_ms is not None]),
            "by_kind": by_kind,
            "unanswered": sum(a.unanswered for a in answers),
            "db_locked": scan.db_locked,
            "odd_log_lines": scan.details.get("odd_log_lines", [])[:5],
            "other_cpu_pct": watch.other_pct,
        }
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        failed = str(error)
        log(f"benchmark aborted: {error}")
    except KeyboardInterrupt:
        failed = "interrupted"
    finally:
        server.stop()
    if failed is None and args.profile:
        log(f"profiling one answer in process: {args.profile_question}")
        report["profile"] = profile_answer(env, question=args.profile_question, repeat=20)
    report["code"] = git_state()
    report["aborted"] = failed
    if args.keep:
        log(f"kept: {var_dir}")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)

    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if args.json == "-":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report)
    if failed:
        return 2
    results = report["results"]
    return 0 if results["errors"] == 0 and results["complete_ms"].get("p95", 1e9) < TARGET_P95_MS else 1


def print_report(report: dict) -> None:
    machine = report["machine"]
    print()
    print(f"The French Bot — bot load benchmark, {report['date']}, code {report['code']}")
    print(f"machine: {machine.get('nproc')} CPU ({machine.get('cpu', '?')}), Python {machine['python']}")
    if report.get("aborted"):
        print(f"ABORTED: {report['aborted']}")
        return
    s, r = report["settings"], report["results"]
    print(
        f"{s['conversations']} conversations × {s['turns']} messages, think {s['think_s'][0]}–{s['think_s'][1]} s, "
        f"uvicorn {s['uvicorn_workers']} workers, extractive provider, SQLite; other CPU {r['other_cpu_pct']}%"
    )
    print(
        f"{r['answers']} answers in {r['elapsed_s']} s ({r['answers_per_s']}/s), {r['errors']} errors, "
        f"{r['unanswered']} said unanswered, {r['db_locked']} 'database is locked'"
    )
    for sample in r["error_samples"]:
        print(f"  error: {sample}")
    print()
    print(f"{'time to the complete answer (ms)':34} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    rows = [("all", r["complete_ms"]), *r["by_kind"].items(), ("(first byte, all)", r["first_byte_ms"])]
    for name, p in rows:
        if p.get("n"):
            print(f"{name:34} {p['n']:>5} {p['p50']:>8} {p['p95']:>8} {p['p99']:>8} {p['max']:>8}")
    verdict = "PASS" if r["errors"] == 0 and r["complete_ms"].get("p95", 1e9) < TARGET_P95_MS else "FAIL"
    print(f"\ntarget: p95 < {TARGET_P95_MS} ms, no error: {verdict}")
    if "profile" in report:
        p = report["profile"]
        print(
            f"\nIn process, « {p['question']} »: {p['cpu_ms_per_answer']} ms CPU per answer, {p['queries']} "
            f"queries (status {p['answer_status']})"
        )
        print(p["profile"])


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())

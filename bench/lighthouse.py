#!/usr/bin/env python3
"""Lighthouse (mobile) on the demo article with three images, served as `make run` serves the site.

It installs Lighthouse from npm into var/lighthouse/ (ignored by git, `npm install --no-save`, once), prepares a
fresh site in a temporary folder (production settings, DEBUG off, SQLite, migrate + collectstatic + demo),
starts uvicorn on a free loopback port, runs Lighthouse with Debian's Chromium headless, and prints the four
scores and every audit that did not pass. Nothing leaves the machine: the page and all it loads are local.

    .venv/bin/python bench/lighthouse.py                       # the article with three images in its body
    .venv/bin/python bench/lighthouse.py --path /blog/          # another page
    .venv/bin/python bench/lighthouse.py --json var/lh.json     # also keep Lighthouse's whole report

Targets (issue 15): performance ≥ 95, accessibility, best practices and SEO 100.
"""

# ruff: noqa: S603, S607 - a benchmark runs its own fixed commands (npm, node, the venv's python)

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
LIGHTHOUSE_DIR = ROOT / "var" / "lighthouse"
LIGHTHOUSE_VERSION = "12"
ARTICLE = "/blog/base-de-connaissances-assistant-ia-interne/"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def log(message: str) -> None:
    print(f"[lighthouse {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def lighthouse_binary() -> Path:
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            sys.exit("npm manquant : apt-get install npm (Lighthouse s'installe avec npm).")
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        log(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {LIGHTHOUSE_DIR.relative_to(ROOT)}")
        # `--prefix`: without it npm installs into the nearest folder above that has a node_modules (the
        # project's own, when axe-core for the accessibility tests is there).
        subprocess.run(
            [
                "npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(LIGHTHOUSE_DIR),
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            cwd=LIGHTHOUSE_DIR,
            check=True,
        )  # fmt: skip
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def site_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "FRENCHBOT_VAR_DIR": str(var_dir),
            "EMAIL_URL": "dummymail://",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("DEBUG", None)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    # `python -m` from the project's folder: this checkout's code, whichever one the virtualenv was made from.
    result = subprocess.run(
        [sys.executable, "-m", "frenchbot.core.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"`frenchbot {' '.join(args)}` a échoué :\n{result.stderr[-3000:]}")


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def site(var_dir: Path):
    """The site as `make run` serves it: prepared, then uvicorn (one worker is enough for one browser)."""
    env = site_env(var_dir)
    log(f"migrate, collectstatic and demo in {var_dir}")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "demo")
    port = free_port()
    logfile = (var_dir / "uvicorn.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", HOST, "--port", str(port)]
        + ["--no-access-log", "--lifespan", "off"],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                sys.exit(f"uvicorn s'est arrêté ({server.returncode}) : voir {var_dir / 'uvicorn.log'}")
            if _healthy(base):
                break
            if time.monotonic() > deadline:
                sys.exit("le site n'a pas répondu sur /healthz en 60 s")
            time.sleep(0.5)
        log(f"site up on {base}")
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        logfile.close()


def lighthouse(url: str, report: Path) -> dict:
    binary = lighthouse_binary()
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium manquant ({CHROMIUM}) : apt-get install chromium.")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    # A warm-up visit first, as a returning visitor's first page: the site's page cache is filled by it.
    for attempt in ("warm-up", "measure"):
        log(f"{attempt}: lighthouse {url}")
        subprocess.run(
            [
                str(binary),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
            ],
            env=env,
            check=True,
            timeout=300,
        )
    return json.loads(report.read_text())


def summary(result: dict) -> tuple[dict[str, int], list[str]]:
    scores = {key: round((result["categories"][key]["score"] or 0) * 100) for key in CATEGORIES}
    failing = []
    for key in CATEGORIES:
        for ref in result["categories"][key]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref.get("weight", 0) and audit.get("score") is not None and audit["score"] < 1:
                failing.append(f"{key}: {audit['id']} ({audit['score']}) — {audit['title']}")
    metrics = result["audits"].get("metrics", {}).get("details", {}).get("items", [{}])[0]
    if metrics:
        failing.append(
            "metrics: "
            + ", ".join(
                f"{name} {metrics.get(name, 0):.0f} ms"
                for name in ("firstContentfulPaint", "largestContentfulPaint", "totalBlockingTime")
            )
            + f", CLS {metrics.get('cumulativeLayoutShift', 0):.3f}"
        )
    return scores, failing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--path", default=ARTICLE, help="page to measure (default: the article with 3 images)"
    )
    parser.add_argument("--json", help="also copy Lighthouse's JSON report here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="frenchbot-lighthouse-") as folder:
        var_dir = Path(folder)
        with site(var_dir) as base:
            result = lighthouse(base + args.path, var_dir / "report.json")
        if args.json:
            shutil.copy(var_dir / "report.json", args.json)
    scores, failing = summary(result)
    print(f"Lighthouse {result.get('lighthouseVersion', '?')}, mobile, {args.path}")
    for key in CATEGORIES:
        mark = "ok" if scores[key] >= TARGETS[key] else f"below {TARGETS[key]}"
        print(f"  {key:15} {scores[key]:3d}  ({mark})")
    for line in failing:
        print(f"  - {line}")
    return 0 if all(scores[key] >= TARGETS[key] for key in CATEGORIES) else 1


if __name__ == "__main__":
    sys.exit(main())

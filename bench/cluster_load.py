#!/usr/bin/env python3
"""Load benchmark of several nodes: the article page through HAProxy with two nodes against one node.

Two uvicorn nodes (production settings, one worker each) on one fresh PostgreSQL database (`fb_cluster_bench`)
and one Redis (cache DB 5, task queue DB 6), the same machinery as frenchbot/core/tests/test_cluster.py. Two
HAProxy frontends run side by side: one balancing over both nodes, one sending everything to node A. wrk
(2 threads, 50 connections, 15 s by default) loads the article page through each, with the page cache on, then
off (the nodes restarted with PAGE_CACHE_SECONDS=0). Prints one table (requests/s, p50, p99, errors) and the
machine; see docs/benchmarks.md.

    .venv/bin/python bench/cluster_load.py                 # needs wrk, haproxy, PostgreSQL, Redis
    .venv/bin/python bench/cluster_load.py --duration 5    # quicker, noisier

Exit status: 0 when every run answered without errors, 1 otherwise, 2 when the benchmark could not run.
"""

# ruff: noqa: S603, S607 - a benchmark runs its own fixed commands (wrk, haproxy, the venv's binaries)
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from blog_load import parse_wrk  # noqa: E402 - the blog benchmark's reading of wrk's report

from frenchbot.core.tests.cluster import (  # noqa: E402 - after the path is set
    NODE_A_PORT,
    NODE_B_PORT,
    SEED,
    Cluster,
    _collected_static,
    _wait_http,
    database_recreate,
    haproxy_binary,
    haproxy_config,
)

DATABASE = "fb_cluster_bench"
LB_TWO_PORT, LB_ONE_PORT = 18130, 18131
ARTICLE = "/blog/bien-rediger-un-prompt/"


def wrk(url: str, *, duration: int) -> dict:
    command = ["wrk", "-t2", "-c50", f"-d{duration}s", "--latency", "--timeout=10s",
               "-s", str(ROOT / "bench" / "wrk" / "page.lua"), url]  # fmt: skip
    process = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    if process.returncode != 0 or "Requests/sec" not in process.stdout:
        raise RuntimeError(f"wrk failed: {process.stderr.strip() or process.stdout[-500:]}")
    parsed = parse_wrk(process.stdout)
    return {
        "rps": parsed.get("rps", 0.0),
        "p50": parsed["percentiles_ms"].get(50),
        "p99": parsed["percentiles_ms"].get(99),
        "errors": parsed["non_2xx_3xx"] + sum(parsed["socket_errors"].values()),
    }


def run_with_cache(workdir: Path, *, page_cache: bool, duration: int, haproxy: str) -> list[tuple]:
    cluster = Cluster(
        workdir,
        database=DATABASE,
        PAGE_CACHE_SECONDS="300" if page_cache else "0",
        LOG_LEVEL="ERROR",
        RETRIEVAL_LEXICAL="true",
    )
    static = _collected_static(cluster)
    for name in ("node-a", "node-b"):
        (workdir / name).mkdir(parents=True, exist_ok=True)
        link = workdir / name / "static"
        if not link.exists():
            link.symlink_to(static)
    rows = []
    try:
        node_a, log_a = cluster.node("node-a", NODE_A_PORT)
        node_b, log_b = cluster.node("node-b", NODE_B_PORT)
        two = haproxy_config(workdir / "two.cfg", port=LB_TWO_PORT, nodes=[NODE_A_PORT, NODE_B_PORT])
        one = haproxy_config(workdir / "one.cfg", port=LB_ONE_PORT, nodes=[NODE_A_PORT])
        lb_two, log_two = cluster.start("haproxy-two", [haproxy, "-db", "-f", str(two)])
        lb_one, log_one = cluster.start("haproxy-one", [haproxy, "-db", "-f", str(one)])
        _wait_http(f"{cluster.node_a}{ARTICLE}", node_a, log_a)
        _wait_http(f"{cluster.node_b}{ARTICLE}", node_b, log_b)
        _wait_http(f"http://127.0.0.1:{LB_TWO_PORT}/healthz", lb_two, log_two)
        _wait_http(f"http://127.0.0.1:{LB_ONE_PORT}/healthz", lb_one, log_one)
        for label, port in (("1 node", LB_ONE_PORT), ("2 nodes", LB_TWO_PORT)):
            url = f"http://127.0.0.1:{port}{ARTICLE}"
            wrk(url, duration=3)  # warm-up: first renders, connection pools
            rows.append((label, "on" if page_cache else "off", wrk(url, duration=duration)))
    finally:
        cluster.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run (default 15)")
    args = parser.parse_args()
    haproxy = haproxy_binary()
    if haproxy is None or subprocess.run(["which", "wrk"], capture_output=True).returncode:
        print("haproxy et wrk sont nécessaires : apt-get install haproxy wrk", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    try:
        database_recreate(DATABASE)
    except Exception as error:  # noqa: BLE001
        print(f"PostgreSQL indisponible sur 127.0.0.1:5432 : {type(error).__name__}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as folder:
        workdir = Path(folder)
        setup = Cluster(workdir, database=DATABASE)
        setup.run("migrate", "--noinput")
        setup.run("shell", "-c", SEED)
        rows = []
        for page_cache in (True, False):
            rows += run_with_cache(workdir, page_cache=page_cache, duration=args.duration, haproxy=haproxy)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"Machine: {os.cpu_count()} CPU, {platform.platform()}, Python {platform.python_version()}, "
          f"commit {commit.stdout.strip()}")  # fmt: skip
    print(
        f"wrk -t2 -c50 -d{args.duration}s {ARTICLE} through HAProxy (round robin), uvicorn 1 worker per node"
    )
    print("| nodes | page cache | requests/s | p50 (ms) | p99 (ms) | errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for label, cache, figures in rows:
        print(f"| {label} | {cache} | {figures['rps']:.0f} | {figures['p50']} | {figures['p99']} | "
              f"{figures['errors']} |")  # fmt: skip
    return 0 if all(figures["errors"] == 0 for *_, figures in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

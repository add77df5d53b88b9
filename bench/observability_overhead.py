"""What observability costs each request: the access line, the latency histogram and the request id.

Runs `RequestLogASGI` (the layer that times every request, cached pages included) around an ASGI app that
answers at once, in this process, and prints the microseconds it adds per request: with the access line off,
on (written to /dev/null as text, then as JSON). The page-cache hits it wraps cost about 160 µs each (see
docs/benchmarks.md, « Blog »), so this is the share of the cheapest request.

    .venv/bin/python bench/observability_overhead.py [--requests 20000]
"""

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def _plain(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def _receive():
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message):
    return None


def _scope() -> dict:
    return {
        "type": "http",
        "method": "GET",
        "path": "/robots.txt",
        "query_string": b"utm_source=x",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
    }


async def _run(app, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        await app(_scope(), _receive, _send)
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="fb-obs-bench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "FRENCHBOT_VAR_DIR": var,
            "ACCESS_LOG": "true",
        }
    )
    import django

    django.setup()
    from django.conf import settings

    from frenchbot.core.logs import JsonFormatter
    from frenchbot.core.middleware import RequestLogASGI

    handler = logging.getLogger().handlers[0]
    handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - kept open for the whole run
    wrapped = RequestLogASGI(_plain)
    asyncio.run(_run(wrapped, 500))  # warm-up: the resolver, the metrics files
    bare = asyncio.run(_run(_plain, args.requests))
    rows = []
    settings.ACCESS_LOG = False
    rows.append(("histogram + request id, no access line", asyncio.run(_run(wrapped, args.requests)) - bare))
    settings.ACCESS_LOG = True
    rows.append(("+ access line (text)", asyncio.run(_run(wrapped, args.requests)) - bare))
    handler.setFormatter(JsonFormatter())
    rows.append(("+ access line (JSON)", asyncio.run(_run(wrapped, args.requests)) - bare))
    print(f"| what | µs added per request ({args.requests} requests) |")
    print("| --- | ---: |")
    for name, micros in rows:
        print(f"| {name} | {micros:.1f} |")


if __name__ == "__main__":
    main()

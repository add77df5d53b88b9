"""Test helpers for the tests that talk to a real Redis: the shared server (skipped when absent) and a
throw-away server of the test's own, which a test may stop."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def redis_url_or_skip(db: int) -> str:
    """The URL of database `db` of the local Redis, emptied; the test skips, saying what to install, without it."""
    from redis import Redis
    from redis.exceptions import RedisError

    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
    try:
        Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except RedisError:
        pytest.skip(f"Redis indisponible sur {REDIS_HOST}:{REDIS_PORT} : apt-get install redis-server")
    return url


class OwnRedis:
    """A redis-server of the test's own on `port` (no disk), which the test can stop like a failed server."""

    def __init__(self, *, port: int, workdir: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server manquant : apt-get install redis-server")
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command on loopback
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"redis-server did not start on port {port}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

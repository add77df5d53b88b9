"""Web workers share the open connections evenly: a worker that serves two more than another asks clients to
reconnect, one at a time, until the split is even; then no connection is closed any more."""

import collections
import http.client
import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from frenchbot.core import balancing
from frenchbot.core.balancing import WorkerLoads

# A web worker as uvicorn runs it: it answers its own process id, behind the balancing layer, in place
# WORKER_PLACE of the shared file WORKER_LOADS.
WORKER_APP = textwrap.dedent(
    """
    import os
    from pathlib import Path
    from frenchbot.core.balancing import BalancingASGI, WorkerLoads

    async def answer_pid(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": str(os.getpid()).encode()})

    loads = WorkerLoads(path=Path(os.environ["WORKER_LOADS"]), place=int(os.environ["WORKER_PLACE"]), slots=4)
    app = BalancingASGI(answer_pid, loads=loads)
    """
)


def test_a_worker_sees_the_others_loads_and_not_its_own(tmp_path):
    first = WorkerLoads(path=tmp_path / "connections", place=0, slots=4)
    assert first.least_of_the_others() is None  # alone
    second = WorkerLoads(path=tmp_path / "connections", place=2, slots=4)
    first.write(7)
    second.write(3)
    assert first.least_of_the_others() == 3
    assert second.least_of_the_others() == 7


def test_a_worker_that_stopped_writing_is_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(balancing, "_ALIVE_S", 0.05)
    first = WorkerLoads(path=tmp_path / "connections", place=0, slots=4)
    gone = WorkerLoads(path=tmp_path / "connections", place=1, slots=4)
    gone.write(0)
    assert first.least_of_the_others() == 0
    time.sleep(0.1)
    assert first.least_of_the_others() is None


def test_a_place_outside_the_file_is_refused(tmp_path):
    with pytest.raises(ValueError):
        WorkerLoads(path=tmp_path / "connections", place=4, slots=4)


def _worker(listener: socket.socket, place: int, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "WORKER_LOADS": str(tmp_path / "connections"), "WORKER_PLACE": str(place)}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and uvicorn
        [
            sys.executable,
            "-m",
            "uvicorn",
            "worker_app:app",
            "--app-dir",
            str(tmp_path),
            "--fd",
            str(listener.fileno()),
            "--no-access-log",
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ],  # fmt: skip
        env=env,
        pass_fds=(listener.fileno(),),
        cwd=os.getcwd(),
    )


def _ask(connection: http.client.HTTPConnection) -> tuple[int, bool]:
    """One request on the connection (opened again if the server closed it): the answering worker's pid and
    whether it asked to close the connection."""
    connection.request("GET", "/")
    response = connection.getresponse()
    pid = int(response.read())
    assert response.status == 200
    return pid, response.getheader("connection", "").lower() == "close"


def _wait_until_answering(port: int, connections: list) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            for connection in connections:
                _ask(connection)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            for connection in connections:
                connection.close()
            time.sleep(0.2)


def test_connections_opened_on_one_worker_end_up_shared_evenly_then_stay(tmp_path):
    (tmp_path / "worker_app.py").write_text(WORKER_APP)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(8)]
    workers = [_worker(listener, 0, tmp_path)]
    try:
        # All eight connections open while only the first worker accepts: it serves them all.
        _wait_until_answering(port, connections)
        first_pid = _ask(connections[0])[0]
        assert {_ask(connection)[0] for connection in connections} == {first_pid}

        workers.append(_worker(listener, 1, tmp_path))
        # Requests go on on every connection, as a browser's or a proxy's would; nothing is lost.
        split: dict[int, int] = {}
        closes_after_even = 0
        deadline = time.monotonic() + 20
        even_since = None
        while time.monotonic() < deadline:
            answers = [_ask(connection) for connection in connections]
            split = collections.Counter(pid for pid, _ in answers)
            if len(split) == 2 and set(split.values()) == {4}:
                even_since = even_since or time.monotonic()
                closes_after_even += sum(closed for _, closed in answers)
                if time.monotonic() - even_since > 1.5:
                    break
            else:
                even_since, closes_after_even = None, 0
            time.sleep(0.005)
        assert sorted(split.values()) == [4, 4], f"connections per worker: {dict(split)}"
        assert first_pid in split
        # Once even, the connections are kept: no client is asked to reconnect.
        assert closes_after_even == 0
    finally:
        for connection in connections:
            connection.close()
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
        listener.close()

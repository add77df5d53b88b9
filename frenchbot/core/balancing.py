"""Web workers that share the open connections evenly.

uvicorn's workers take new connections from one listening socket: the one whose event loop wakes first
accepts every connection waiting at that moment. A browser, a reverse proxy or a load tester keeps its
connections open (keep-alive) and sends request after request on them, so the split made when they opened
stays: measured with 32 connections on 2 workers (`ss`), 24 against 8 and 25 against 7. The busier worker's
requests then wait in line while the other's CPU is half idle, and those waits are the slowest answers.

So each worker tells the others how many connections it is serving (a slot in a small shared file under
``var/run/``), and a worker that serves at least two more than the least busy one asks the client to close
the connection after the answer it is sending (``Connection: close``, which HTTP/1.1 clients and proxies
honour by opening a new one for their next request). The new connection goes to whichever worker accepts it
first — most often the idle one, whose loop is free; if the same worker takes it, it closes it again after
one answer. A worker closes at most one connection per ``_CLOSE_GAP_S``, so the split evens out in a few
hundred milliseconds without a burst of reconnections, and nothing happens while the split is even.

A connection counts as served while requests came on it in the last ``_WINDOW_S``: an idle keep-alive
connection costs a worker nothing, and an HTTP connection says nothing when the client drops it. Each worker
also writes, twice a second, the time into its slot: a worker that died (its slot no longer written) is left
out until uvicorn's replacement takes its place.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
import time
from pathlib import Path

# A client's connection counts while it sent a request in the last second.
_WINDOW_S = 1.0
# At most one connection closed per worker in this time: the client's next connection must have been
# accepted (and counted) before the split is judged again.
_CLOSE_GAP_S = 0.05
# How often a worker writes its slot when nothing else changes it; a slot older than _ALIVE_S is a dead
# worker's.
_HEARTBEAT_S = 0.5
_ALIVE_S = 2.0
# Each slot: the time it was last written (monotonic, in microseconds, the same clock for every process of the
# machine) and the connections served.
_SLOT = struct.Struct("<qq")


class WorkerLoads:
    """The connections each web worker of the machine serves, in a file of ``slots`` slots shared by them
    (``mmap``); this worker writes slot ``place`` (``webprocess.take_worker_place``)."""

    def __init__(self, *, path: Path, place: int, slots: int) -> None:
        if not 0 <= place < slots:
            raise ValueError(f"place {place} outside 0..{slots - 1}")
        path.parent.mkdir(parents=True, exist_ok=True)
        size = slots * _SLOT.size
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)
            self._map = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self.place = place
        self.slots = slots
        self.write(0)

    def write(self, connections: int) -> None:
        _SLOT.pack_into(self._map, self.place * _SLOT.size, _now_us(), connections)

    def least_of_the_others(self) -> int | None:
        """The fewest connections a living other worker serves; None when this worker is alone."""
        oldest = _now_us() - int(_ALIVE_S * 1_000_000)
        least = None
        for slot in range(self.slots):
            if slot == self.place:
                continue
            written, connections = _SLOT.unpack_from(self._map, slot * _SLOT.size)
            if written >= oldest and (least is None or connections < least):
                least = connections
        return least


class BalancingASGI:
    """ASGI layer that counts this worker's connections, publishes the count in ``loads`` and asks a client
    to reconnect when this worker serves at least two connections more than another (see the module's doc)."""

    def __init__(self, app, *, loads: WorkerLoads) -> None:
        self.app = app
        self.loads = loads
        # client (host, port) → when it last sent a request. Written by the event loop; the heartbeat thread
        # only removes what has expired.
        self._seen: dict[tuple, float] = {}
        self._last_close = 0.0
        self._heartbeat = threading.Thread(target=self._beat, name="worker-load", daemon=True)
        self._heartbeat.start()

    async def __call__(self, scope, receive, send):
        client = scope.get("client") if scope["type"] == "http" else None
        if not client:
            return await self.app(scope, receive, send)
        client = tuple(client)
        now = time.monotonic()
        new = client not in self._seen
        self._seen[client] = now
        if new:
            self.loads.write(len(self._seen))

        async def send_maybe_closing(message):
            if message["type"] == "http.response.start" and self._should_close(client, now):
                message = {**message, "headers": [*message.get("headers", ()), (b"connection", b"close")]}
            await send(message)

        return await self.app(scope, receive, send_maybe_closing)

    def _should_close(self, client: tuple, now: float) -> bool:
        # Fewer than two connections can never be two more than another worker's: no slot to read.
        if len(self._seen) < 2 or now - self._last_close < _CLOSE_GAP_S:
            return False
        least = self.loads.least_of_the_others()
        if least is None or len(self._seen) - least < 2:
            return False
        self._last_close = now
        self._seen.pop(client, None)
        self.loads.write(len(self._seen))
        return True

    def _beat(self) -> None:
        while True:
            expired = time.monotonic() - _WINDOW_S
            for client, seen in list(self._seen.items()):
                # Read again just before: the loop may have refreshed it since the copy (a client dropped
                # wrongly would only be counted again at its next request).
                if seen < expired and self._seen.get(client, expired) < expired:
                    self._seen.pop(client, None)
            self.loads.write(len(self._seen))
            time.sleep(_HEARTBEAT_S)


def _now_us() -> int:
    return int(time.monotonic() * 1_000_000)

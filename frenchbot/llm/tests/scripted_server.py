"""A tiny OpenAI-compatible HTTP server on loopback that plays a script: one step per request.

It runs in the test's own event loop (``asyncio.start_server``) and speaks real HTTP/1.1 over TCP, so that the
provider, the ``openai`` SDK and its HTTP client are exercised whole. Steps can answer a stream of deltas, an
HTTP error, drop the connection before or during an answer, or keep silent; the server records every request and
notices when a client goes away in the middle of a stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: dict = field(default_factory=dict)


def _chunk(choices, usage=None) -> dict:
    data = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "scripted",
        "choices": choices,
    }
    if usage is not None:
        data["usage"] = usage
    return data


class ScriptedServer:
    """``async with ScriptedServer(step, step, ...) as server:`` then point a provider at ``server.base_url``.

    Request ``n`` is answered by step ``n`` (the last step answers every request after it). A step is a
    coroutine function ``step(server, request, reader, writer)``; see the factories below.
    """

    def __init__(self, *steps) -> None:
        if not steps:
            raise ValueError("a script needs at least one step")
        self.steps = list(steps)
        self.requests: list[Request] = []
        self.connections = 0
        self.client_gone = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.root = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.root}/v1"
        return self

    async def __aexit__(self, *exc_info) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            while True:  # keep-alive: several requests may come on one connection
                request = await _read_request(reader)
                if request is None:
                    return
                step = self.steps[min(len(self.requests), len(self.steps) - 1)]
                self.requests.append(request)
                if await step(self, request, reader, writer) is False:
                    return  # the step closed the connection
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    raw = await reader.readexactly(int(headers.get("content-length", "0")))
    return Request(method=method, path=path, headers=headers, body=json.loads(raw) if raw else {})


# ---------------------------------------------------------------------------------------------------------------
# Steps


def drop():
    """Close the connection without answering (what a crashed or restarting server does)."""

    async def step(server, request, reader, writer):
        writer.close()
        return False

    return step


def status(code: int, message: str = "scripted error"):
    """Answer an HTTP error with an OpenAI-style JSON body."""

    async def step(server, request, reader, writer):
        body = json.dumps({"error": {"message": message, "type": "scripted", "code": code}}).encode()
        writer.write(
            f"HTTP/1.1 {code} Scripted\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    return step


def silent():
    """Accept the request and never answer (until the client gives up and closes)."""

    async def step(server, request, reader, writer):
        await reader.read()
        server.client_gone.set()
        return False

    return step


def sse(deltas, *, usage=None, delay: float = 0.0, then: str = "done", error_event: dict | None = None):
    """Stream ``deltas`` as chat completion chunks (chunked transfer encoding, as real servers do).

    ``usage`` is sent in a last chunk when the request asked for it (``stream_options.include_usage``).
    ``then``: ``"done"`` ends properly; ``"drop"`` closes the connection mid-body after the deltas; ``"silent"``
    stops sending and waits. ``error_event`` is sent as a data line after the deltas (an in-stream error).
    """

    async def step(server, request, reader, writer):
        watcher = asyncio.ensure_future(reader.read(1))

        async def send(payload: bytes) -> bool:
            if watcher.done():
                server.client_gone.set()
                return False
            writer.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            try:
                await writer.drain()
            except ConnectionError:
                server.client_gone.set()
                return False
            return True

        async def event(data) -> bool:
            text = data if isinstance(data, str) else json.dumps(data)
            return await send(f"data: {text}\n\n".encode())

        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        try:
            if not await event(_chunk([{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}])):
                return False
            for delta in deltas:
                if delay:
                    # Wake up early if the client goes away while we "generate" the next token.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(watcher), delay)
                if not await event(
                    _chunk([{"index": 0, "delta": {"content": delta}, "finish_reason": None}])
                ):
                    return False
            if error_event is not None:
                await event({"error": error_event})
            if then == "drop":
                writer.transport.abort()
                return False
            if then == "silent":
                await watcher
                server.client_gone.set()
                return False
            await event(_chunk([{"index": 0, "delta": {}, "finish_reason": "stop"}]))
            if usage is not None and (request.body.get("stream_options") or {}).get("include_usage"):
                await event(_chunk([], usage=usage))
            await event("[DONE]")
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        finally:
            if not watcher.done():
                watcher.cancel()
        return None

    return step


def when(predicate, if_true, if_false):
    """Answer with ``if_true`` when ``predicate(request)`` holds, else with ``if_false``."""

    async def step(server, request, reader, writer):
        chosen = if_true if predicate(request) else if_false
        return await chosen(server, request, reader, writer)

    return step

"""Test-only views for the web process's handler: a slow synchronous view that counts how many run at once,
and a streamed answer that waits for the test's signal."""

import asyncio
import threading
import time

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path

state = {"running": 0, "most": 0, "threads": [], "release": None}
_lock = threading.Lock()


def slow(request):
    with _lock:
        state["running"] += 1
        state["most"] = max(state["most"], state["running"])
        state["threads"].append(threading.get_ident())
    time.sleep(0.05)
    with _lock:
        state["running"] -= 1
    return HttpResponse("servi")


def streamed(request):
    async def parts():
        yield b"debut "
        await state["release"].wait()
        yield b"fin"

    return StreamingHttpResponse(parts())


def reset() -> None:
    state.update(running=0, most=0, threads=[], release=asyncio.Event())


urlpatterns = [path("lent/", slow), path("flux/", streamed)]

"""Test-only views for the web process's handler: a slow synchronous view that counts how many run at once,
a long one that ends when the test says so, a streamed answer that waits for the test's signal, an `async def` view, and a synchronous-only middleware
that notes the thread it ran on."""

import asyncio
import threading
import time

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path

state = {"running": 0, "most": 0, "threads": [], "middleware_threads": [], "release": None}
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


def long(request):
    """Runs until the test lets it end (as a request waiting on a remote service would)."""
    state["long_started"].set()
    state["long_may_end"].wait(timeout=10)
    return HttpResponse("enfin")


def streamed(request):
    async def parts():
        yield b"debut "
        await state["release"].wait()
        yield b"fin"

    return StreamingHttpResponse(parts())


async def asynchronous(request):
    await asyncio.sleep(0)
    return HttpResponse("async")


class NotingMiddleware:
    """Synchronous only, as most of ours are: notes its thread and marks the answer."""

    sync_capable, async_capable = True, False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state["middleware_threads"].append(threading.get_ident())
        response = self.get_response(request)
        response["X-Noted"] = "oui"
        return response


def reset() -> None:
    state.update(
        running=0,
        most=0,
        threads=[],
        middleware_threads=[],
        release=asyncio.Event(),
        long_started=threading.Event(),
        long_may_end=threading.Event(),
    )


urlpatterns = [
    path("lent/", slow),
    path("long/", long),
    path("flux/", streamed),
    path("async/", asynchronous),
]

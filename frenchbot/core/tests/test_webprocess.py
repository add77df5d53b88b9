"""The web process's handler: a bound on the views running at once, threads kept between requests, streamed
answers not holding a place; and the collector's freeze."""

import asyncio
import gc
import threading
import time

from asgiref.sync import AsyncToSync, SyncToAsync
from django.core.signals import request_finished, request_started
from django.test import override_settings

from frenchbot.core.tests import webprocess_urls as views
from frenchbot.core.webprocess import RequestThreads, ThreadKeepingASGIHandler, long_lived_freeze

TEST_SETTINGS = {"ROOT_URLCONF": "frenchbot.core.tests.webprocess_urls", "MIDDLEWARE": []}


def _scope(path: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def _get(app, path: str, *, with_headers: bool = False) -> tuple:
    scope = _scope(path)
    sent: list[dict] = []
    headers: dict[bytes, bytes] = {}
    finished = asyncio.Event()
    body_read = False

    async def receive():
        nonlocal body_read
        if not body_read:
            body_read = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()  # the client stays until the answer is complete
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        headers.update(message.get("headers", []))

    await app(scope, receive, send)
    finished.set()
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    if with_headers:
        return status, body, headers
    return status, body


@override_settings(**TEST_SETTINGS)
def test_no_more_views_run_at_once_than_the_bound_and_every_request_is_answered():
    app = ThreadKeepingASGIHandler(running=2)

    async def scenario():
        views.reset()
        return await asyncio.gather(*(_get(app, "/lent/") for _ in range(6)))

    answers = asyncio.run(scenario())
    assert answers == [(200, b"servi")] * 6
    assert views.state["most"] == 2


@override_settings(**TEST_SETTINGS)
def test_without_a_bound_all_requests_run_at_once():
    app = ThreadKeepingASGIHandler(running=0)

    async def scenario():
        views.reset()
        return await asyncio.gather(*(_get(app, "/lent/") for _ in range(4)))

    assert asyncio.run(scenario()) == [(200, b"servi")] * 4
    assert views.state["most"] == 4


@override_settings(**TEST_SETTINGS)
def test_requests_one_after_the_other_run_on_the_same_kept_thread():
    app = ThreadKeepingASGIHandler(running=8)

    async def scenario():
        views.reset()
        for _ in range(3):
            assert await _get(app, "/lent/") == (200, b"servi")

    asyncio.run(scenario())
    assert len(set(views.state["threads"])) == 1
    assert views.state["threads"][0] != threading.get_ident()
    assert len(app.threads) == 1


@override_settings(**TEST_SETTINGS)
def test_a_long_request_gives_its_place_to_the_next_one_and_still_answers():
    app = ThreadKeepingASGIHandler(running=1)

    async def scenario():
        views.reset()
        long = asyncio.create_task(_get(app, "/long/"))
        await asyncio.to_thread(views.state["long_started"].wait, 5)
        # The one place is held by the long request: the quick one is served once it has run its tenth of a
        # second, while the long one still runs.
        quick = await asyncio.wait_for(_get(app, "/lent/"), timeout=5)
        still_running = not long.done()
        views.state["long_may_end"].set()
        return quick, still_running, await long

    quick, still_running, long = asyncio.run(scenario())
    assert quick == (200, b"servi")
    assert still_running
    assert long == (200, b"enfin")


@override_settings(**TEST_SETTINGS)
def test_a_streamed_answer_does_not_hold_a_place_while_it_streams():
    app = ThreadKeepingASGIHandler(running=1)

    async def scenario():
        views.reset()
        stream = asyncio.create_task(_get(app, "/flux/"))
        await asyncio.sleep(0.2)  # the stream has sent its first part and waits
        assert not stream.done()
        # With its one place held by the stream, this request would wait for ever.
        page = await asyncio.wait_for(_get(app, "/lent/"), timeout=5)
        views.state["release"].set()
        return page, await stream

    page, stream = asyncio.run(scenario())
    assert page == (200, b"servi")
    assert stream == (200, b"debut fin")


@override_settings(
    ROOT_URLCONF=TEST_SETTINGS["ROOT_URLCONF"], MIDDLEWARE=[f"{views.__name__}.NotingMiddleware"]
)
def test_the_whole_request_runs_in_one_visit_to_the_request_thread(monkeypatch):
    """Django's own ASGI handler goes back and forth between the event loop and the thread around a
    synchronous-only middleware, and crosses again for the request's start and end signals (five crossings
    here); this one crosses once for the signals, the whole chain and the view."""
    app = ThreadKeepingASGIHandler(running=8)
    crossings = []
    for kind in (SyncToAsync, AsyncToSync):
        call = kind.__call__

        def counted(self, *args, _call=call, **kwargs):
            crossings.append(self)
            return _call(self, *args, **kwargs)

        monkeypatch.setattr(kind, "__call__", counted)

    async def scenario():
        views.reset()
        return await _get(app, "/lent/", with_headers=True)

    signalled = []

    def note(**kwargs):
        signalled.append(threading.get_ident())

    request_started.connect(note, dispatch_uid="webprocess-test-started")
    request_finished.connect(note, dispatch_uid="webprocess-test-finished")
    try:
        status, body, headers = asyncio.run(scenario())
    finally:
        request_started.disconnect(dispatch_uid="webprocess-test-started")
        request_finished.disconnect(dispatch_uid="webprocess-test-finished")
    assert (status, body, headers[b"X-Noted"]) == (200, b"servi", b"oui")
    assert views.state["middleware_threads"] == views.state["threads"]
    assert views.state["threads"][0] != threading.get_ident()
    assert signalled == views.state["threads"] * 2
    assert len(crossings) == 1


@override_settings(**TEST_SETTINGS)
def test_a_streamed_answer_stops_when_the_visitor_leaves_and_is_closed():
    app = ThreadKeepingASGIHandler(running=1)
    finished = []
    request_finished.connect(
        lambda **kwargs: finished.append(True), weak=False, dispatch_uid="webprocess-left"
    )
    left = asyncio.Event()
    sent: list[dict] = []

    async def receive():
        if not sent:
            return {"type": "http.request", "body": b"", "more_body": False}
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def scenario():
        views.reset()
        serving = asyncio.create_task(app(_scope("/flux/"), receive, send))
        await asyncio.sleep(
            0.2
        )  # the first part is sent; the stream waits for its release, which never comes
        assert finished == []
        left.set()
        await asyncio.wait_for(serving, timeout=5)

    try:
        asyncio.run(scenario())
    finally:
        request_finished.disconnect(dispatch_uid="webprocess-left")
    assert [m.get("body") for m in sent if m["type"] == "http.response.body"] == [b"debut "]
    assert finished == [True]


@override_settings(
    ROOT_URLCONF=TEST_SETTINGS["ROOT_URLCONF"], MIDDLEWARE=[f"{views.__name__}.NotingMiddleware"]
)
def test_an_async_view_behind_synchronous_middleware_still_answers():
    app = ThreadKeepingASGIHandler(running=8)

    async def scenario():
        views.reset()
        return await _get(app, "/async/", with_headers=True)

    status, body, headers = asyncio.run(scenario())
    assert (status, body, headers[b"X-Noted"]) == (200, b"async", b"oui")


def test_a_thread_whose_work_outlived_its_request_is_not_lent_again():
    threads = RequestThreads(keep=4)
    busy = threads.lend()
    release = threading.Event()
    busy.submit(release.wait, 5)
    threads.take_back(busy)  # the visitor left; the view still runs
    assert len(threads) == 0
    other = threads.lend()
    assert other is not busy
    release.set()
    other.submit(time.sleep, 0).result(timeout=5)
    threads.take_back(other)
    assert threads.lend() is other


def test_no_more_idle_threads_are_kept_than_asked():
    threads = RequestThreads(keep=2)
    lent = [threads.lend() for _ in range(3)]
    for executor in lent:
        threads.take_back(executor)
    assert len(threads) == 2


def test_what_the_process_holds_at_start_leaves_the_collectors_rounds():
    try:
        frozen = long_lived_freeze()
        assert frozen > 1000
        assert gc.get_freeze_count() > 1000
        # A cycle made afterwards is still collected.
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()

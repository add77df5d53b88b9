"""What a web process does differently from Django's defaults: fewer threads fighting for one interpreter, and
the objects it keeps for its whole life left out of the garbage collector's rounds.

Django runs each request's synchronous part (our middleware, the view, the template) on a thread started for
that request and joined after it, and lets every request in flight run at once. One Python process runs one
thread at a time: with 16 connections on a worker, 16 threads queue for the interpreter lock and the event
loop, which reads the next requests and writes the answers, queues behind them. Measured on a signed-in
learner's lesson page at 32 connections, in alternated runs (docs/benchmarks.md): 111–174 requests/s as Django
does it, 181–239 with this handler (8.4–9.2 ms of CPU per request instead of 10–13).

So this handler:

* lets at most ``REQUEST_THREADS`` requests of the process run their middleware and view at once; the others
  wait their turn on the event loop, which costs nothing, and are served in the order they came. A request
  still running after a tenth of a second (waiting on a remote service, making a PDF) gives its place to the
  next one and goes on, so that a few slow requests do not hold up the quick ones. Streamed answers (the
  bot's) are sent after that part, without holding a place;
* lends each request one of the process's idle single-thread executors (asgiref's
  ``ThreadSensitiveContext(executor=...)``) instead of starting a thread: requests still never share a thread
  at the same time, so everything Django keeps per thread stays per request. An executor whose work outlived
  its request (the visitor left while a synchronous view ran on) is not lent again: it finishes and its
  thread stops, as Django's own would;
* runs the whole synchronous part of a request — every middleware, the view, the template — in **one** visit
  to that thread. Django's ASGI handler builds its middleware chain for the event loop: where a middleware
  can only run synchronously (ours, WhiteNoise's), the chain goes back and forth between the loop and the
  thread — into the thread for the middleware, back to the loop for the view's lookup, into the thread again
  for each middleware's ``process_view`` and for the view — each crossing waiting for a busy event loop under
  load. This handler builds the chain as WSGI does (``load_middleware(is_async=False)``) and crosses once.
  The request's start signal, and for an answer that is not streamed its closing (the end signal, which
  gives the database connection back), run in that same visit: Django crosses for each of them too.
  An ``async def`` view still works: Django runs it with ``async_to_sync`` on the event loop, and what it
  streams is sent from the loop as before, stopped when the visitor leaves, then closed;
* keeps as many idle threads as a worker has requests in flight (each request holds its thread from its
  start, while it waits for a place too): with fewer, a worker with a few more connections than that started
  and stopped a thread for one request in five.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import logging
import multiprocessing
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

logger = logging.getLogger(__name__)


class RequestThread(ThreadPoolExecutor):
    """One thread, lent to one request at a time; knows whether work it was given is still running."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="request")
        self._running: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        with self._lock:
            self._running.discard(future)

    @property
    def idle(self) -> bool:
        with self._lock:
            return not self._running


class RequestThreads:
    """The process's idle request threads (at most ``keep``); used from the event loop's thread only."""

    def __init__(self, *, keep: int) -> None:
        self.keep = keep
        self._idle: list[RequestThread] = []

    def lend(self) -> RequestThread:
        # The most recently returned first: its thread is the likeliest to be warm.
        return self._idle.pop() if self._idle else RequestThread()

    def take_back(self, executor: RequestThread) -> None:
        if executor.idle and len(self._idle) < self.keep:
            self._idle.append(executor)
        else:
            # Its running work finishes, then the thread ends; nothing waits for it here.
            executor.shutdown(wait=False)

    def __len__(self) -> int:
        return len(self._idle)


class ThreadKeepingASGIHandler(ASGIHandler):
    """``django.core.handlers.asgi.ASGIHandler`` with kept threads and a bound on the requests whose
    synchronous part runs at once (``running``; 0: no bound). See the module's doc."""

    # A request running longer than this gives its place to the next one (and goes on).
    long_request_s = 0.1

    def __init__(self, *, running: int) -> None:
        super().__init__()
        self.running = running
        # Idle threads kept: one per request in flight (each holds its thread from its start, waiting for a
        # place or streaming); a worker serves a few dozen connections at once, and an idle thread costs little.
        self.threads = RequestThreads(keep=max(running * 2, 64))
        self._places: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.lend()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.take_back(executor)

    def load_middleware(self, is_async=False):
        # The chain as WSGI builds it, whatever ASGIHandler asks: one crossing to the request's thread.
        super().load_middleware(is_async=False)

    async def handle(self, scope, receive, send):
        """``ASGIHandler.handle`` with the request's whole synchronous part in one visit to its thread: the
        start signal, the middleware and the view, and — for an answer that is not streamed — its closing (the
        end signal). Django crosses three times for these. A streamed answer is sent as Django sends it, its
        sending stopped when the visitor leaves, and closed afterwards."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            if not self.running:
                response = await self._respond_in_thread(scope, body_file)
            else:
                response = await self._respond_in_a_place(scope, body_file)
            if response.streaming:
                await self._stream(response, receive, send)
            else:
                with contextlib.suppress(asyncio.CancelledError):
                    await self.send_response(response, send)
        finally:
            body_file.close()

    async def _respond_in_a_place(self, scope, body_file):
        if self._places is None:  # made in the event loop that serves (bound to it on first use)
            self._places = asyncio.Semaphore(self.running)
        places = self._places
        await places.acquire()
        given_back = False

        def give_back():
            nonlocal given_back
            if not given_back:
                given_back = True
                places.release()

        # A request still running after ``long_request_s`` (waiting on a remote service, making a PDF) gives its
        # place to the next one and goes on: a few slow requests do not hold up every quick one behind them.
        timer = asyncio.get_running_loop().call_later(self.long_request_s, give_back)
        try:
            return await self._respond_in_thread(scope, body_file)
        finally:
            timer.cancel()
            give_back()

    async def _respond_in_thread(self, scope, body_file):
        return await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)

    def _respond(self, scope, body_file):
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            # What ASGIHandler.run_get_response does to the answer.
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            # Its content is already made: closing it now (the end signal: the database connection goes back)
            # spares a second visit to this thread once it is sent.
            response.close()
        return response

    async def _stream(self, response, receive, send):
        # As Django does: stop sending when the visitor leaves, then close the answer in the request's thread.
        sending = asyncio.create_task(self.send_response(response, send))
        listening = asyncio.create_task(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait([sending, listening], return_when=asyncio.FIRST_COMPLETED)
            listening.cancel()
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                await listening
            with contextlib.suppress(asyncio.CancelledError):
                await sending
        finally:
            await sync_to_async(response.close, thread_sensitive=True)()


def get_asgi_application() -> ThreadKeepingASGIHandler:
    """Set Django up and return the handler (``django.core.asgi.get_asgi_application``'s counterpart), its bound
    read from ``REQUEST_THREADS``."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    return ThreadKeepingASGIHandler(running=settings.REQUEST_THREADS)


def long_lived_freeze() -> int:
    """Collect once, then move every object the process holds now out of the collector's rounds (``gc.freeze``).

    A web process loads its modules, templates and the bot's data at start and keeps them for life; Python's
    collector still walked them all at each full round: some 140,000 objects, about 100 ms during which the
    process answers no one (more under load, several times a minute), the slowest answers of the benchmarks.
    Frozen, a full round walks only what the requests made since. Called
    once the application is loaded, and again when the bot's warm-up has loaded its data. Returns the number
    of objects frozen."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.debug("Objects kept out of the collector's rounds: %d", frozen)
    return frozen


# The lock file this process holds for its life: its place among the machine's web workers.
_place_locks: list = []

# At most this many web workers per CPU take a place (pinning and balancing give up beyond).
_WORKERS_PER_CPU = 8


def worker_places() -> int:
    """How many web workers of the machine can take a place (``take_worker_place``)."""
    return len(os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else [0]) * _WORKERS_PER_CPU


def take_worker_place(*, folder: Path) -> int | None:
    """This web worker's place among the machine's: the first of the lock files ``worker-<n>.lock`` in
    ``folder`` that no living process holds (``flock``, released by the kernel when the process ends, so a
    restarted worker takes the place of the one that died). Held for the process's life; the same place on a
    second call. None when every place is taken."""
    if _place_locks:
        return _place_locks[0][0]
    folder.mkdir(parents=True, exist_ok=True)
    for place in range(worker_places()):
        lock = (folder / f"worker-{place}.lock").open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        _place_locks.append((place, lock))
        return place
    return None


def pin_worker_to_cpu(*, place: int) -> int | None:
    """Pin this web worker, all its threads, to one CPU: the one of its place (``take_worker_place``), so that
    each worker of the machine runs on the next CPU.

    One Python process runs one thread at a time. Left free to run on any CPU, a worker's request threads and
    its event loop hand the interpreter to each other across CPUs, thousands of times a second, each hand-over
    waking a thread on another CPU whose caches are cold. Measured on a signed-in learner's lesson page (2 CPUs,
    2 workers, 32 connections, alternated runs): 218–240 req/s unpinned, 270–334 pinned, with 10–25 % less CPU
    per request (docs/benchmarks.md). Work that runs outside the interpreter lock (a database query, the bot's
    model) then shares the worker's CPU too: the other workers use the other CPUs.

    Returns that CPU (place modulo the CPUs this process may use), or None when the machine has one CPU or the
    system cannot pin."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    cpu = cpus[place % len(cpus)]
    # Every thread the process has now (threads started later inherit it from the one that starts them).
    for thread_id in os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else [0]:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(int(thread_id), {cpu})
    logger.info("Processus web attaché au processeur %d", cpu)
    return cpu


def is_one_of_several_workers() -> bool:
    """Whether this process is one of the workers uvicorn's ``--workers`` started (not a lone server, a test or
    a command)."""
    return multiprocessing.parent_process() is not None

"""Where measured events wait before they are written, so that a beacon costs the page nothing.

A backend is named by dotted path in ANALYTICS_BUFFER (as Django's caches and e-mail backends are); every
backend passes the same contract tests (tests/test_buffers.py). An event is a dict of `Hit`'s fields
(`event_to_hit` says which), already checked and stripped of anything personal by `ingest`."""

import atexit
import collections
import datetime
import functools
import json
import logging
import threading
import time

from django.conf import settings
from django.db import connections, router, transaction
from django.utils.module_loading import import_string

from .models import Hit

logger = logging.getLogger(__name__)

_FIELDS = (
    "visitor",
    "kind",
    "path",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "device",
    "country",
    "duration",
    "scroll",
)


def event_to_hit(event: dict) -> Hit:
    """`event["at"]` is a POSIX time stamp (seconds); `day` is the salt's day, an ISO date."""
    return Hit(
        at=datetime.datetime.fromtimestamp(event["at"], tz=datetime.UTC),
        day=datetime.date.fromisoformat(event["day"]),
        **{name: event[name] for name in _FIELDS if name in event},
    )


# Rows per INSERT statement: one statement's work stays short, so the page requests of the same process get
# the interpreter back quickly.
WRITE_BATCH = 250


@functools.cache
def _insert_sql(alias: str) -> tuple[str, tuple[tuple[str, object], ...]]:
    """The INSERT of one `Hit` row for this database, and the default of each of `_FIELDS` (what `Hit()` would
    give a field an event leaves out, as a plain value: a database driver need not know Django's choices)."""
    quote = connections[alias].ops.quote_name
    names = ("at", "day", *_FIELDS)
    columns = ", ".join(quote(Hit._meta.get_field(name).column) for name in names)
    values = ", ".join(["%s"] * len(names))
    defaults = tuple(
        (name, getattr(default, "value", default))
        for name, default in ((name, Hit._meta.get_field(name).get_default()) for name in _FIELDS)
    )
    # Only the model's own table and column names, quoted by the backend; the values are parameters.
    return f"INSERT INTO {quote(Hit._meta.db_table)} ({columns}) VALUES ({values})", defaults  # noqa: S608


def hits_write(events: list[dict]) -> int:
    """Write `events` in one transaction; returns how many were written.

    A plain `executemany` of tuples rather than `bulk_create`: this runs in a thread of the web process, and
    building a model instance per event held the interpreter (the GIL) for tens of milliseconds per flush,
    long enough to show in the page's p99 (py-spy --gil, 1,000 beacons a second: the busiest worker's flush
    thread held it ~450 ms in 9 s with `bulk_create`, 20 to 60 ms with this). The values are adapted by the connection's own operations (as the
    ORM would: aware time stamps stored in UTC), so that SQLite and PostgreSQL read the same rows back."""
    if not events:
        return 0
    connection = connections[router.db_for_write(Hit)]
    sql, defaults = _insert_sql(connection.alias)
    adapt_datetime = connection.ops.adapt_datetimefield_value
    adapt_date = connection.ops.adapt_datefield_value
    fromtimestamp, fromisoformat, utc = (
        datetime.datetime.fromtimestamp,
        datetime.date.fromisoformat,
        datetime.UTC,
    )
    rows = [
        (
            adapt_datetime(fromtimestamp(event["at"], tz=utc)),
            adapt_date(fromisoformat(event["day"])),
            *[event.get(name, default) for name, default in defaults],
        )
        for event in events
    ]
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            cursor.executemany(sql, rows[start : start + WRITE_BATCH])
    return len(rows)


class BaseBuffer:
    """The contract of a buffer."""

    # True when `push` never waits on a server (the ASGI layer then calls it on the event loop).
    nonblocking = False

    def push(self, event: dict) -> None:
        """Keep `event` to be written later; must be cheap (it runs in the beacon's request)."""
        raise NotImplementedError

    def flush(self) -> int:
        """Write what waits (as much as this process can reach); returns how many events were written."""
        raise NotImplementedError

    def pending(self) -> int:
        """How many events wait (for the dashboard's freshness line and the tests)."""
        raise NotImplementedError

    def close(self) -> None:
        """Write what waits before the process exits."""
        self.flush()


class DatabaseBuffer(BaseBuffer):
    """No buffer: each event is written at once (tests, and sites that want no delay)."""

    def push(self, event: dict) -> None:
        hits_write([event])

    def flush(self) -> int:
        return 0

    def pending(self) -> int:
        return 0


class MemoryBuffer(BaseBuffer):
    """Events wait in this process's memory; a daemon thread, started at the first push, writes them every
    ANALYTICS_FLUSH_SECONDS, or at once when ANALYTICS_FLUSH_SIZE wait. Bounded: past `max_events` (the
    database down for long) the oldest are dropped, said once in the log. A failed write is retried once at
    the next flush. What waits is written when the process exits (atexit); a killed process loses at most
    the last seconds, which audience figures can afford."""

    nonblocking = True

    def __init__(
        self, *, max_events: int = 100_000, flush_seconds=None, flush_size=None, thread: bool = True
    ):
        self.max_events = max_events
        self.flush_seconds = settings.ANALYTICS_FLUSH_SECONDS if flush_seconds is None else flush_seconds
        self.flush_size = settings.ANALYTICS_FLUSH_SIZE if flush_size is None else flush_size
        self._events: collections.deque = collections.deque()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._retry: list[dict] = []
        self._dropped = 0
        self._use_thread = thread
        self._thread: threading.Thread | None = None
        self._closed = False

    def push(self, event: dict) -> None:
        with self._lock:
            if len(self._events) >= self.max_events:
                self._events.popleft()
                self._dropped += 1
                if self._dropped == 1:
                    logger.warning(
                        "analytics: memory buffer full (%s events), dropping the oldest", self.max_events
                    )
            self._events.append(event)
            waiting = len(self._events)
            if self._thread is None and self._use_thread and not self._closed:
                self._thread = threading.Thread(target=self._run, name="analytics-flush", daemon=True)
                self._thread.start()
                atexit.register(self.close)
        if waiting >= self.flush_size:
            self._wake.set()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            if self._closed:
                break
            written = self.flush()
            if not written:
                # Idle (or the write failed): a connection held until the next beacon would count against the
                # database's limit for nothing, and a broken one is opened again. While beacons flow it is
                # kept, as a web request keeps its own: closing and opening one at each flush (with SQLite a WAL checkpoint) cost about as much as the write.
                connections.close_all()

    def flush(self) -> int:
        with self._flush_lock:
            with self._lock:
                batch = list(self._events)
                self._events.clear()
                if self._dropped:
                    logger.warning("analytics: %s events were dropped (buffer full)", self._dropped)
                    self._dropped = 0
            retry, self._retry = self._retry, []
            written = 0
            if retry:
                try:
                    written += hits_write(retry)
                except Exception:
                    logger.exception("analytics: %s events lost after a second failed write", len(retry))
            try:
                written += hits_write(batch)
            except Exception:
                logger.exception("analytics: %s events not written, retried at the next flush", len(batch))
                self._retry = batch
            return written

    def pending(self) -> int:
        with self._lock:
            return len(self._events) + len(self._retry)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self.flush()
        self.flush()  # the batch that just failed gets its one retry before the process ends


class RedisBuffer(BaseBuffer):
    """Events wait in one Redis list shared by every web process and node (RPUSH of JSON); the worker's tick
    writes them (`flush`, LPOP in batches). Redis down at push time: the event is written to the database at
    once, and that is logged once a minute."""

    BATCH = 1000

    def __init__(self, *, url: str = "", key: str = "frenchbot:analytics:hits"):
        import redis

        self._errors = (redis.RedisError, OSError)
        self.key = key
        self.client = redis.Redis.from_url(
            url or settings.ANALYTICS_REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self._logged_at = 0.0

    def _log_down(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._logged_at >= 60:
            self._logged_at = now
            logger.warning(
                "analytics: Redis unavailable (%s), events written to the database directly", error
            )

    def push(self, event: dict) -> None:
        try:
            self.client.rpush(self.key, json.dumps(event, separators=(",", ":")))
        except self._errors as error:
            self._log_down(error)
            hits_write([event])

    def flush(self) -> int:
        written = 0
        while True:
            try:
                items = self.client.lpop(self.key, self.BATCH)
            except self._errors as error:
                self._log_down(error)
                return written
            if not items:
                return written
            events = []
            for item in items:
                try:
                    events.append(json.loads(item))
                except ValueError:
                    logger.warning("analytics: an unreadable event was dropped from Redis")
            try:
                written += hits_write(events)
            except Exception:
                # Back at the head of the list, in order, for the next tick.
                self.client.lpush(self.key, *reversed(items))
                raise
            if len(items) < self.BATCH:
                return written

    def pending(self) -> int:
        try:
            return int(self.client.llen(self.key))
        except self._errors:
            return 0


_buffer: BaseBuffer | None = None


def get_buffer() -> BaseBuffer:
    """The buffer of ANALYTICS_BUFFER, one per process."""
    global _buffer
    if _buffer is None:
        config = settings.ANALYTICS_BUFFER
        _buffer = import_string(config["BACKEND"])(**config.get("OPTIONS", {}))
    return _buffer

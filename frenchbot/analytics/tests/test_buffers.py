"""Every buffer keeps the same promise: what is pushed is written, whole, once. One contract, three backends."""

import datetime
import logging
import socket
import time
import uuid

import pytest
from django.db import IntegrityError, OperationalError

from frenchbot.analytics import buffers
from frenchbot.analytics.buffers import DatabaseBuffer, MemoryBuffer, RedisBuffer
from frenchbot.analytics.models import Hit


def event(n: int = 0, **fields) -> dict:
    return {
        "at": 1_796_000_000.0 + n,
        "day": "2026-12-06",
        "visitor": -123_456_789 + n,
        "kind": 1,
        "path": f"/blog/article-{n}/",
        "referrer": "linkedin.com",
        "utm_source": "lettre",
        "utm_medium": "email",
        "utm_campaign": "noel",
        "device": "mobile",
        "country": "FR",
        **fields,
    }


class BufferContract:
    """Subclasses give `make_buffer()`; events reach the database by `flush()` at the latest."""

    def make_buffer(self) -> buffers.BaseBuffer:
        raise NotImplementedError

    def test_pushed_events_are_written_once(self):
        buffer = self.make_buffer()
        for n in range(3):
            buffer.push(event(n))
        buffer.flush()
        assert buffer.pending() == 0
        assert sorted(Hit.objects.values_list("path", flat=True)) == [f"/blog/article-{n}/" for n in range(3)]
        assert buffer.flush() == 0
        assert Hit.objects.count() == 3

    def test_every_field_survives(self):
        buffer = self.make_buffer()
        buffer.push(event(7, kind=2, duration=95, scroll=80))
        buffer.flush()
        hit = Hit.objects.get()
        assert (hit.visitor, hit.kind, hit.duration, hit.scroll) == (-123_456_782, 2, 95, 80)
        assert (hit.referrer, hit.utm_source, hit.utm_medium, hit.utm_campaign) == (
            "linkedin.com",
            "lettre",
            "email",
            "noel",
        )
        assert (hit.device, hit.country, hit.day.isoformat()) == ("mobile", "FR", "2026-12-06")
        assert hit.at.timestamp() == 1_796_000_007.0

    def test_close_writes_what_waits(self):
        buffer = self.make_buffer()
        buffer.push(event(1))
        buffer.close()
        assert Hit.objects.count() == 1

    def test_flush_of_nothing_writes_nothing(self):
        assert self.make_buffer().flush() == 0
        assert not Hit.objects.exists()


@pytest.mark.django_db
def test_hits_write_gives_left_out_fields_the_models_defaults_and_writes_past_one_batch():
    events = [event(n) for n in range(buffers.WRITE_BATCH + 3)]
    minimal = {"at": 1_796_000_000.0, "day": "2026-12-06", "visitor": 42, "path": "/"}
    assert buffers.hits_write([*events, minimal]) == buffers.WRITE_BATCH + 4
    assert Hit.objects.count() == buffers.WRITE_BATCH + 4
    hit = Hit.objects.get(visitor=42)
    assert (hit.kind, hit.device, hit.referrer, hit.country, hit.duration, hit.scroll) == (
        Hit.Kind.PAGEVIEW,
        "desktop",
        "",
        "",
        None,
        None,
    )
    # Stored as the ORM stores them: a lookup on the aware time stamp and on the day finds the row.
    at = datetime.datetime.fromtimestamp(1_796_000_000, tz=datetime.UTC)
    assert Hit.objects.filter(at=at, day=datetime.date(2026, 12, 6)).count() == 2  # event(0) and minimal


@pytest.mark.django_db(transaction=True)
def test_hits_write_is_all_or_nothing():
    broken = event(1)
    del broken["visitor"]  # NOT NULL: the database refuses the row
    with pytest.raises(IntegrityError):
        buffers.hits_write([event(0), broken])
    assert not Hit.objects.exists()


@pytest.mark.django_db
class TestDatabaseBuffer(BufferContract):
    def make_buffer(self):
        return DatabaseBuffer()


@pytest.mark.django_db
class TestMemoryBuffer(BufferContract):
    def make_buffer(self):
        # No thread: the test's own transaction is the only connection (the thread is tested below).
        return MemoryBuffer(thread=False)

    def test_events_wait_until_the_flush(self):
        buffer = self.make_buffer()
        buffer.push(event(1))
        assert buffer.pending() == 1 and not Hit.objects.exists()

    def test_bounded_the_oldest_are_dropped_and_said_once(self, caplog):
        buffer = MemoryBuffer(thread=False, max_events=3)
        with caplog.at_level(logging.WARNING, logger="frenchbot.analytics.buffers"):
            for n in range(6):
                buffer.push(event(n))
        assert buffer.pending() == 3
        assert len([r for r in caplog.records if "full" in r.getMessage()]) == 1
        buffer.flush()
        assert sorted(Hit.objects.values_list("path", flat=True)) == [
            f"/blog/article-{n}/" for n in (3, 4, 5)
        ]

    def test_a_failed_write_is_retried_once_at_the_next_flush(self, monkeypatch, caplog):
        real_write = buffers.hits_write
        failures = iter([True])

        def flaky(events):
            if next(failures, False):
                raise OperationalError("database down")
            return real_write(events)

        monkeypatch.setattr(buffers, "hits_write", flaky)
        buffer = MemoryBuffer(thread=False)
        buffer.push(event(1))
        with caplog.at_level(logging.ERROR, logger="frenchbot.analytics.buffers"):
            assert buffer.flush() == 0
        assert "retried" in caplog.text and buffer.pending() == 1
        buffer.push(event(2))
        assert buffer.flush() == 2
        assert Hit.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_memory_buffer_thread_writes_when_enough_wait():
    buffer = MemoryBuffer(flush_seconds=3600, flush_size=3)
    try:
        for n in range(3):
            buffer.push(event(n))
        deadline = time.monotonic() + 10
        while Hit.objects.count() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Hit.objects.count() == 3
        assert buffer.pending() == 0
    finally:
        buffer.close()


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.django_db
@pytest.mark.skipif(
    not _redis_answers(), reason="Pas de Redis sur 127.0.0.1:6379 : test du tampon Redis ignoré"
)
class TestRedisBuffer(BufferContract):
    @pytest.fixture(autouse=True)
    def _key(self):
        self.key = f"frenchbot:test:analytics:{uuid.uuid4().hex}"
        yield
        RedisBuffer(url="redis://127.0.0.1:6379/0", key=self.key).client.delete(self.key)

    def make_buffer(self):
        return RedisBuffer(url="redis://127.0.0.1:6379/0", key=self.key)

    def test_events_wait_in_redis_shared_by_every_process(self):
        self.make_buffer().push(event(1))
        other_process = self.make_buffer()
        assert other_process.pending() == 1 and not Hit.objects.exists()
        assert other_process.flush() == 1
        assert Hit.objects.count() == 1

    def test_flush_reads_in_batches(self):
        buffer = self.make_buffer()
        for n in range(RedisBuffer.BATCH + 5):
            buffer.push(event(n))
        assert buffer.flush() == RedisBuffer.BATCH + 5
        assert Hit.objects.count() == RedisBuffer.BATCH + 5


@pytest.mark.django_db
def test_redis_down_writes_to_the_database_directly_and_says_so_once(caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    buffer = RedisBuffer(url=f"redis://127.0.0.1:{port}/0", key="frenchbot:test:down")
    with caplog.at_level(logging.WARNING, logger="frenchbot.analytics.buffers"):
        buffer.push(event(1))
        buffer.push(event(2))
    assert Hit.objects.count() == 2
    assert len([r for r in caplog.records if "Redis unavailable" in r.getMessage()]) == 1
    assert buffer.pending() == 0 and buffer.flush() == 0

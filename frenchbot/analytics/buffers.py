"""Where measured events wait before they are written, so that a beacon costs the page nothing.

A backend is named by dotted path in ANALYTICS_BUFFER (as Django's caches and e-mail backends are); every
backend passes the same contract tests (tests/test_buffers.py). An event is a dict of `Hit`'s fields
(`event_to_hit` says which), already checked and stripped of anything personal by `ingest`."""

import datetime

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Hit

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


def hits_write(events: list[dict]) -> int:
    """Write `events` in batches; returns how many were written."""
    if not events:
        return 0
    Hit.objects.bulk_create([event_to_hit(event) for event in events], batch_size=500)
    return len(events)


class BaseBuffer:
    """The contract of a buffer."""

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


_buffer: BaseBuffer | None = None


def get_buffer() -> BaseBuffer:
    """The buffer of ANALYTICS_BUFFER, one per process."""
    global _buffer
    if _buffer is None:
        config = settings.ANALYTICS_BUFFER
        _buffer = import_string(config["BACKEND"])(**config.get("OPTIONS", {}))
    return _buffer

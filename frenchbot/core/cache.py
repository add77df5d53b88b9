"""Small cache helpers shared by the apps."""

import time

from django.core.cache import cache


class CacheUnavailable(Exception):
    """The cache server did not answer; raised only where a silent miss would give a wrong answer (a count)."""


def cache_counter_bump(key: str) -> None:
    """Move a version counter on, so that every process sees that what it keyed on the old value is stale."""
    try:
        cache.incr(key)
    except ValueError:  # absent (first change, or evicted): a value never used before
        cache.set(key, time.time_ns(), timeout=None)
    except CacheUnavailable:  # the backend logged it; readers get misses until the server is back
        pass


def cache_count(key: str, *, amount: int = 1, timeout: int) -> int:
    """Add `amount` to the counter at `key` (created with `timeout` seconds to live) and return its new value.

    One atomic increment when the counter exists, so concurrent processes sharing the cache never lose a count.
    Raises CacheUnavailable when the cache server (Redis) does not answer: the caller decides what a count it
    cannot make means (the rate limits then count in the database).
    """
    count = getattr(cache, "count", None)
    if count is not None:  # our Redis backend: create-with-expiry and increment in one transaction
        return count(key, amount=amount, timeout=timeout)
    if cache.add(key, amount, timeout=timeout):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add() and incr()
        cache.set(key, amount, timeout=timeout)
        return amount


def cache_healthy(backend=None) -> bool:
    """Whether the cache answers (for /healthz): a ping for Redis, a write and read back for the others."""
    backend = backend or cache
    ping = getattr(backend, "ping", None)
    if ping is not None:
        return ping()
    try:
        backend.set("healthz:probe", 1, timeout=10)
        return backend.get("healthz:probe") == 1
    except Exception:  # noqa: BLE001 - a file cache on a full disk, a memcached that is gone...
        return False

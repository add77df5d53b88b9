"""Small cache helpers shared by the apps."""

from django.core.cache import cache


def cache_counter_bump(key: str) -> None:
    """Move a version counter on, so that every process sees that what it keyed on the old value is stale."""
    try:
        cache.incr(key)
    except ValueError:  # absent (first change, or evicted): any value other than the readers' default 1
        cache.set(key, 2, timeout=None)


def cache_count(key: str, *, amount: int = 1, timeout: int) -> int:
    """Add `amount` to the counter at `key` (created with `timeout` seconds to live) and return its new value.

    One atomic increment when the counter exists, so concurrent processes sharing the cache never lose a count.
    """
    if cache.add(key, amount, timeout=timeout):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add() and incr()
        cache.set(key, amount, timeout=timeout)
        return amount

"""Small cache helpers shared by the apps."""

from django.core.cache import cache


def cache_counter_bump(key: str) -> None:
    """Move a version counter on, so that every process sees that what it keyed on the old value is stale."""
    try:
        cache.incr(key)
    except ValueError:  # absent (first change, or evicted): any value other than the readers' default 1
        cache.set(key, 2, timeout=None)

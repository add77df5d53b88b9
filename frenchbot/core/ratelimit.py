"""Fixed-window rate limits kept in the cache (shared between processes when the cache is Redis)."""

import time

from django.core.cache import cache


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one action for `key`; True when it goes over `limit` actions in the current window.

    The window is fixed (aligned on multiples of `window_seconds`) so the count is a single atomic
    increment; a burst across a boundary can reach twice the limit, which is acceptable for abuse control.
    """
    if limit <= 0:
        return False
    bucket = int(time.time() // window_seconds)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=window_seconds + 1)
            count = 1
    return count > limit

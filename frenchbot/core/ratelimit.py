"""Fixed-window rate limits kept in the cache (shared between processes when the cache is Redis)."""

import time

from .cache import cache_count


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one action for `key`; True when it goes over `limit` actions in the current window.

    The window is fixed (aligned on multiples of `window_seconds`) so the count is a single atomic
    increment; a burst across a boundary can reach twice the limit, which is acceptable for abuse control.
    """
    if limit <= 0:
        return False
    bucket = int(time.time() // window_seconds)
    return cache_count(f"rl:{scope}:{key}:{bucket}", timeout=window_seconds + 1) > limit

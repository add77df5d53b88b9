"""Fixed-window rate limits kept in the cache (shared between processes when the cache is Redis).

The one policy for every limit of the site: callers name a scope and pass what they count by (an IP address, an
e-mail address, an account id) as it is; the cache key holds only its keyed fingerprint, so no address is ever
written to the cache (RGPD) and no caller has to remember to hash it.
"""

import time

from .cache import cache_count
from .net import ip_fingerprint


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one action of `scope` by `key`; True when it goes over `limit` actions in the current window.

    The window is fixed (aligned on multiples of `window_seconds`) so the count is a single atomic
    increment; a burst across a boundary can reach twice the limit, which is acceptable for abuse control.
    A `limit` of 0 or less means no limit.
    """
    if limit <= 0:
        return False
    bucket = int(time.time() // window_seconds)
    return cache_count(f"rl:{scope}:{ip_fingerprint(str(key))}:{bucket}", timeout=window_seconds + 1) > limit

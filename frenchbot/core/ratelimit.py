"""Fixed-window rate limits, counted in the database by default or in the cache when it is Redis
(RATE_LIMIT_STORE): either way shared by every process and node, and incremented atomically. When the cache
server does not answer, the counters fall back on the database.

The one policy for every limit of the site: callers name a scope and pass what they count by (an IP address, an
e-mail address, an account id) as it is; the cache key holds only its keyed fingerprint, so no address is ever
written to the cache (RGPD) and no caller has to remember to hash it.
"""

import datetime
import random
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from .cache import CacheUnavailable, cache_count
from .net import ip_fingerprint

# Share of counts that also delete the expired counters (the table stays small without a scheduled job).
_PRUNE_SHARE = 0.01


def _database_count(key: str, *, timeout: int) -> int:
    """One atomic increment of the counter at `key` in the database (a fresh one after it expired)."""
    from .models import RateCounter

    now = timezone.now()
    expires = now + datetime.timedelta(seconds=timeout)
    with transaction.atomic():
        updated = RateCounter.objects.filter(key=key).update(
            count=Case(When(expires_at__lte=now, then=Value(1)), default=F("count") + 1),
            expires_at=Case(When(expires_at__lte=now, then=Value(expires)), default=F("expires_at")),
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, count=1, expires_at=expires)
            except IntegrityError:  # another process created it meanwhile: count on it
                RateCounter.objects.filter(key=key).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=key).values_list("count", flat=True).get()
    if random.random() < _PRUNE_SHARE:  # noqa: S311 - not a secret, a sampling
        RateCounter.objects.filter(expires_at__lte=now).delete()
    return count


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one action of `scope` by `key`; True when it goes over `limit` actions in the current window.

    The window is fixed (aligned on multiples of `window_seconds`) so the count is a single atomic
    increment; a burst across a boundary can reach twice the limit, which is acceptable for abuse control.
    A `limit` of 0 or less means no limit.
    """
    if limit <= 0:
        return False
    bucket = int(time.time() // window_seconds)
    counter = f"rl:{scope}:{ip_fingerprint(str(key))}:{bucket}"
    if settings.RATE_LIMIT_STORE == "cache":
        try:
            return cache_count(counter, timeout=window_seconds + 1) > limit
        except CacheUnavailable:
            # Redis is gone: count in the database, shared by every node too, rather than not at all. The
            # window restarts from the database's count, so a burst across the failure can reach twice the limit.
            pass
    return _database_count(counter, timeout=window_seconds + 1) > limit

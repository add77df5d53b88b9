import threading

import pytest
from django.core.cache import cache
from django.db import close_old_connections

from frenchbot.core.models import RateCounter
from frenchbot.core.ratelimit import rate_limit_hit

pytestmark = pytest.mark.django_db


def test_limit_counts_per_key():
    hits = [rate_limit_hit(scope="t", key="a", limit=3, window_seconds=60) for _ in range(4)]
    assert hits == [False, False, False, True]
    assert rate_limit_hit(scope="t", key="b", limit=3, window_seconds=60) is False


def test_zero_limit_means_unlimited():
    assert not any(rate_limit_hit(scope="t", key="c", limit=0, window_seconds=60) for _ in range(50))


def test_the_cache_never_holds_the_address_it_counts_by(settings):
    settings.RATE_LIMIT_STORE = "cache"
    rate_limit_hit(scope="t-private", key="203.0.113.7", limit=3, window_seconds=60)
    rate_limit_hit(scope="t-private", key="marie@example.fr", limit=3, window_seconds=60)
    keys = [str(key) for key in getattr(cache, "_cache", {})]
    assert any("rl:t-private:" in key for key in keys)
    assert not any("203.0.113.7" in key or "marie@example.fr" in key for key in keys)


def test_the_database_never_holds_the_address_it_counts_by():
    rate_limit_hit(scope="t-private", key="203.0.113.7", limit=3, window_seconds=60)
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert len(keys) == 1 and keys[0].startswith("rl:t-private:") and "203.0.113.7" not in keys[0]


def test_a_visitor_who_fills_or_flushes_the_cache_does_not_reset_a_limit():
    for _ in range(3):
        rate_limit_hit(scope="t-flush", key="198.51.100.7", limit=3, window_seconds=600)
    cache.clear()  # what culling a full file cache, or a flood of page variants, amounts to
    assert rate_limit_hit(scope="t-flush", key="198.51.100.7", limit=3, window_seconds=600) is True


def test_an_expired_window_starts_again_from_one():
    for _ in range(4):
        rate_limit_hit(scope="t-exp", key="k", limit=3, window_seconds=600)
    RateCounter.objects.update(expires_at="2000-01-01T00:00:00Z")
    # Same window number (the clock did not move), but the counter had expired: it restarts.
    assert rate_limit_hit(scope="t-exp", key="k", limit=3, window_seconds=600) is False
    assert RateCounter.objects.get().count == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_lose_no_count():
    def hit():
        try:
            for _ in range(10):
                rate_limit_hit(scope="t-race", key="same", limit=1000, window_seconds=600)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=hit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert RateCounter.objects.get().count == 60

from frenchbot.core.ratelimit import rate_limit_hit


def test_limit_counts_per_key():
    hits = [rate_limit_hit(scope="t", key="a", limit=3, window_seconds=60) for _ in range(4)]
    assert hits == [False, False, False, True]
    assert rate_limit_hit(scope="t", key="b", limit=3, window_seconds=60) is False


def test_zero_limit_means_unlimited():
    assert not any(rate_limit_hit(scope="t", key="c", limit=0, window_seconds=60) for _ in range(50))


def test_the_cache_never_holds_the_address_it_counts_by():
    from django.core.cache import cache

    rate_limit_hit(scope="t-private", key="203.0.113.7", limit=3, window_seconds=60)
    rate_limit_hit(scope="t-private", key="marie@example.fr", limit=3, window_seconds=60)
    keys = [str(key) for key in getattr(cache, "_cache", {})]
    assert any("rl:t-private:" in key for key in keys)
    assert not any("203.0.113.7" in key or "marie@example.fr" in key for key in keys)

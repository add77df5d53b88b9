from frenchbot.core.ratelimit import rate_limit_hit


def test_limit_counts_per_key():
    hits = [rate_limit_hit(scope="t", key="a", limit=3, window_seconds=60) for _ in range(4)]
    assert hits == [False, False, False, True]
    assert rate_limit_hit(scope="t", key="b", limit=3, window_seconds=60) is False


def test_zero_limit_means_unlimited():
    assert not any(rate_limit_hit(scope="t", key="c", limit=0, window_seconds=60) for _ in range(50))

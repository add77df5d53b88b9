"""The cache of several nodes in a real Redis: atomic counters, and a node that keeps serving when Redis goes."""

import logging
import threading

import pytest
from django.core.cache import cache
from django.db import close_old_connections

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.core.cache import cache_count
from frenchbot.core.models import RateCounter
from frenchbot.core.ratelimit import rate_limit_hit

from .redis_helpers import OwnRedis, redis_url_or_skip

# Ports of this test module's own Redis (the brief's range for the cluster work).
OWN_REDIS_PORT = 18101


def _redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "frenchbot.core.cache_backends.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def shared_redis(settings):
    settings.CACHES = _redis_cache(redis_url_or_skip(5))
    settings.RATE_LIMIT_STORE = "cache"
    yield
    cache.clear()


@pytest.fixture
def own_redis(settings, tmp_path):
    server = OwnRedis(port=OWN_REDIS_PORT, workdir=tmp_path)
    settings.CACHES = _redis_cache(server.url)
    settings.RATE_LIMIT_STORE = "cache"
    settings.PAGE_CACHE_SECONDS = 300
    # The pause after a failure is per process: start each test with a server believed up.
    from frenchbot.core import cache_backends

    cache_backends._down_until.clear()
    cache_backends._logged_at.clear()
    yield server
    server.stop()
    cache_backends._down_until.clear()
    cache_backends._logged_at.clear()


def test_concurrent_counts_in_redis_lose_none_and_expire(shared_redis):
    def count():
        for _ in range(50):
            cache_count("t-redis-race", timeout=600)

    threads = [threading.Thread(target=count) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache_count("t-redis-race", timeout=600) == 301
    # A counter that never expired would block its visitor for ever.
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("t-redis-race")) <= 600


@pytest.mark.django_db(transaction=True)
def test_rate_limits_count_in_redis_across_threads(shared_redis):
    def hit():
        try:
            for _ in range(10):
                rate_limit_hit(scope="t-redis", key="198.51.100.9", limit=1000, window_seconds=600)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=hit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not RateCounter.objects.exists()  # counted in Redis, not in the database
    assert rate_limit_hit(scope="t-redis", key="198.51.100.9", limit=50, window_seconds=600) is True


@pytest.mark.django_db
def test_a_node_that_loses_redis_keeps_serving_pages(own_redis, client, caplog):
    article = ArticleFactory()
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    assert client.get("/healthz").json()["cache"] == "ok"

    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="frenchbot.core.cache_backends"):
        for _ in range(3):
            assert client.get(url).status_code == 200
            assert client.get("/").status_code == 200
            assert client.get("/blog/").status_code == 200
        health = client.get("/healthz")
    # Still in the pool: the node serves; the load balancer is told the cache is gone.
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["cache"] == "unavailable"
    assert "6379" not in health.content.decode() and str(OWN_REDIS_PORT) not in health.content.decode()
    # One line for the failure, not one per request.
    assert len([r for r in caplog.records if r.name == "frenchbot.core.cache_backends"]) == 1


@pytest.mark.django_db
def test_rate_limits_fall_back_on_the_database_when_redis_goes(own_redis):
    own_redis.stop()
    hits = [rate_limit_hit(scope="t-down", key="203.0.113.5", limit=3, window_seconds=600) for _ in range(4)]
    assert hits == [False, False, False, True]
    assert RateCounter.objects.get().count == 4


@pytest.mark.django_db
def test_contact_form_still_limits_a_visitor_when_redis_goes(own_redis, client, settings):
    settings.CONTACT_RATE_LIMIT = 1
    own_redis.stop()
    data = {
        "name": "Marie Curie",
        "email": "marie@example.fr",
        "subject": "automatisation",
        "message": "Bonjour, une question sur vos automatisations.",
        "consent": "on",
        "website": "",
    }
    statuses = [client.post("/contact/", data).status_code for _ in range(2)]
    assert statuses == [302, 429]

"""What /healthz reports, for load balancers and uptime checks.

The status codes are chosen for a load balancer: 503 (take this node out) only when it cannot serve, that is
when its database does not answer; a cache that does not answer is 200 with "status": "degraded", because the
node still serves every page, uncached, and taking every node out at once when the shared Redis fails would
stop the whole site. Errors go to the server's log; the answer never carries their text (hosts, users,
sometimes a password).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .cache import cache_healthy
from .worker import worker_heartbeat_last

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        logger.exception("Health check: the database does not answer")
        return False
    return True


def _cache_ok() -> bool:
    try:
        return cache_healthy()
    except Exception:  # noqa: BLE001 - a cache that raises is a cache that does not answer
        logger.exception("Health check: the cache does not answer")
        return False


def _worker_report() -> dict:
    """The task worker's heartbeat: "ok" when a worker beat within three intervals, "late" when the last beat is
    older (the worker stopped or hangs), "unseen" when none ever ran. Reported only: a queue that nobody runs
    delays e-mails but does not stop the node from serving pages, so it does not change the status code."""
    try:
        last = worker_heartbeat_last()
    except Exception:  # noqa: BLE001 - a heartbeat store that fails must not fail the health check
        logger.exception("Health check: the worker heartbeat could not be read")
        return {"worker": "unknown"}
    if last is None:
        return {"worker": "unseen", "worker_seen_at": None}
    fresh = timezone.now() - last <= timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)
    return {"worker": "ok" if fresh else "late", "worker_seen_at": last.isoformat()}


def health_report() -> tuple[int, dict]:
    """(HTTP status, JSON body) of /healthz: 503 when the database does not answer, else 200, "degraded"
    when the cache does not answer."""
    if not _database_ok():
        return 503, {"status": "error", "database": "unavailable"}
    body = {"status": "ok", "database": connection.vendor, "cache": "ok"}
    if not _cache_ok():
        body.update(status="degraded", cache="unavailable")
    body.update(_worker_report())
    return 200, body

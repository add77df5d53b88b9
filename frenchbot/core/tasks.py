"""Retention jobs of shared data, run daily by the worker's scheduler (settings.WORKER_PERIODIC_JOBS).

Each logs how many rows it removed, never what they held.
"""

import logging
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .models import RateCounter

logger = logging.getLogger(__name__)


@task()
def task_results_prune() -> int:
    """Remove the queue's finished results older than RETENTION_TASK_RESULTS_DAYS (0 keeps them)."""
    days = settings.RETENTION_TASK_RESULTS_DAYS
    if not days:
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=days)
    # Only finished ones: a task waiting or running keeps its row whatever its age.
    removed, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    logger.info("Rétention : %d résultats de tâches supprimés (plus de %d jours)", removed, days)
    return removed


@task()
def sessions_prune() -> int:
    """Remove expired sessions (database sessions, ours included; other engines expire their own)."""
    from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
    from django.contrib.sessions.models import Session

    if not issubclass(import_module(settings.SESSION_ENGINE).SessionStore, DatabaseSessionStore):
        return 0
    removed, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("Rétention : %d sessions expirées supprimées", removed)
    return removed


@task()
def rate_counters_prune() -> int:
    """Remove rate-limit counters whose window has ended."""
    removed, _ = RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    logger.info("Rétention : %d compteurs de limite expirés supprimés", removed)
    return removed

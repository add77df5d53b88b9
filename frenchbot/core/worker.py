"""The task worker's scheduler: a heartbeat per worker and the periodic jobs, coordinated through the database.

`frenchbot worker` runs the queue of the configured backend in its main thread and `Scheduler` beside it. No
extra server: several workers on several machines share the database, write one heartbeat row each, and claim
each due periodic job with one conditional UPDATE, which only one of them can win per period.
"""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicJob, WorkerHeartbeat

logger = logging.getLogger(__name__)

# A worker silent for this long is gone (killed, machine lost): its row is removed by the next heartbeat.
_FORGET_AFTER = timedelta(days=1)


def worker_heartbeat_last() -> datetime | None:
    """When some worker was last seen alive (any machine), or None when no worker ever ran."""
    return WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]


def worker_heartbeat_beat(*, host: str, pid: int, started_at: datetime, now: datetime | None = None) -> None:
    """Record that the worker `host`/`pid` is alive now, and forget workers silent for a day."""
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(host=host, pid=pid).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            host=host, pid=pid, defaults={"started_at": started_at, "last_seen": now}
        )
    WorkerHeartbeat.objects.filter(last_seen__lt=now - _FORGET_AFTER).delete()


def periodic_job_claim(*, name: str, every: timedelta, now: datetime | None = None) -> bool:
    """Take this period's run of the job `name`: True for exactly one caller per period, however many
    workers call at once.

    The claim is one UPDATE whose WHERE says "not run within the period": PostgreSQL re-checks that condition
    on the row once a concurrent UPDATE commits, and SQLite runs writes one at a time, so the second claimant
    updates no row.
    """
    now = now or timezone.now()
    PeriodicJob.objects.get_or_create(name=name)
    return bool(
        PeriodicJob.objects.filter(name=name)
        .filter(Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - every))
        .update(last_run_at=now)
    )


def periodic_jobs_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue every job of WORKER_PERIODIC_JOBS whose period has passed and that this worker claimed.

    Returns the names of the jobs enqueued. A job whose task cannot be imported or enqueued is logged and
    skipped: the others still run.
    """
    enqueued = []
    for name, job in settings.WORKER_PERIODIC_JOBS.items():
        every = timedelta(seconds=job["EVERY"])
        try:
            task = import_string(job["TASK"])
        except ImportError:
            logger.exception("Tâche périodique %s : %s introuvable", name, job["TASK"])
            continue
        if not periodic_job_claim(name=name, every=every, now=now):
            continue
        try:
            task.enqueue()
        except Exception:
            # The period is spent; the next one tries again. Nothing else of the scheduler stops.
            logger.exception("Tâche périodique %s : mise en file impossible", name)
            continue
        logger.info("Tâche périodique %s mise en file", name)
        enqueued.append(name)
    return enqueued


class Scheduler(threading.Thread):
    """The worker's side thread: a heartbeat and the due periodic jobs every WORKER_HEARTBEAT_SECONDS."""

    def __init__(self, *, interval: float | None = None) -> None:
        super().__init__(name="frenchbot-scheduler", daemon=True)
        self.interval = interval if interval is not None else settings.WORKER_HEARTBEAT_SECONDS
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self._stopping = threading.Event()

    def tick(self) -> None:
        """One beat: never raises, so that a database hiccup does not end the thread."""
        try:
            worker_heartbeat_beat(host=self.host, pid=self.pid, started_at=self.started_at)
            periodic_jobs_enqueue_due()
        except Exception:
            logger.exception("Planificateur du worker : battement manqué")

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                # A connection broken since the last beat (database restarted) is replaced, not reused.
                close_old_connections()
                self.tick()
                self._stopping.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopping.set()

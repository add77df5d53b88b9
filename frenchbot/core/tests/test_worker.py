"""`frenchbot worker`: the heartbeat /healthz reads, and periodic jobs run once per period across workers."""

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend

from frenchbot.core.management.commands.worker import _backend_kind
from frenchbot.core.models import PeriodicJob, WorkerHeartbeat
from frenchbot.core.worker import (
    Scheduler,
    periodic_job_claim,
    periodic_jobs_enqueue_due,
    worker_heartbeat_beat,
    worker_heartbeat_last,
)

ROOT = Path(__file__).resolve().parents[3]
RUNS: list[str] = []
_RUNS_LOCK = threading.Lock()


@task()
def record_run() -> None:
    with _RUNS_LOCK:
        RUNS.append("run")


@pytest.mark.django_db
def test_no_heartbeat_before_any_worker_then_the_latest_one():
    assert worker_heartbeat_last() is None
    now = timezone.now()

    worker_heartbeat_beat(host="web-1", pid=10, started_at=now, now=now - timedelta(seconds=40))
    worker_heartbeat_beat(host="web-2", pid=11, started_at=now, now=now - timedelta(seconds=5))
    worker_heartbeat_beat(host="web-1", pid=10, started_at=now, now=now - timedelta(seconds=20))

    assert worker_heartbeat_last() == now - timedelta(seconds=5)
    assert WorkerHeartbeat.objects.count() == 2


@pytest.mark.django_db
def test_a_worker_silent_for_a_day_is_forgotten():
    now = timezone.now()
    worker_heartbeat_beat(host="perdu", pid=1, started_at=now, now=now - timedelta(days=2))

    worker_heartbeat_beat(host="vivant", pid=2, started_at=now, now=now)

    assert list(WorkerHeartbeat.objects.values_list("host", flat=True)) == ["vivant"]


@pytest.mark.django_db
def test_the_scheduler_tick_beats_and_enqueues_due_jobs(settings):
    settings.WORKER_PERIODIC_JOBS = {
        "essai": {"TASK": "frenchbot.core.tests.test_worker.record_run", "EVERY": 3600}
    }
    RUNS.clear()
    scheduler = Scheduler(interval=60)

    scheduler.tick()
    scheduler.tick()

    assert worker_heartbeat_last() is not None
    assert WorkerHeartbeat.objects.get().pid == os.getpid()
    # Due once: the second tick, within the hour, runs nothing.
    assert RUNS == ["run"]


@pytest.mark.django_db
def test_a_job_runs_again_once_its_period_has_passed(settings):
    start = timezone.now()

    assert periodic_job_claim(name="quotidien", every=timedelta(days=1), now=start)
    assert not periodic_job_claim(name="quotidien", every=timedelta(days=1), now=start + timedelta(hours=23))
    assert periodic_job_claim(name="quotidien", every=timedelta(days=1), now=start + timedelta(days=1))


@pytest.mark.django_db
def test_a_broken_job_does_not_stop_the_others(settings):
    settings.WORKER_PERIODIC_JOBS = {
        "absente": {"TASK": "frenchbot.core.tests.test_worker.no_such_task", "EVERY": 60},
        "essai": {"TASK": "frenchbot.core.tests.test_worker.record_run", "EVERY": 60},
    }
    RUNS.clear()

    assert periodic_jobs_enqueue_due() == ["essai"]
    assert RUNS == ["run"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_a_due_job_at_once_run_it_once(settings):
    settings.WORKER_PERIODIC_JOBS = {
        f"job-{n}": {"TASK": "frenchbot.core.tests.test_worker.record_run", "EVERY": 3600} for n in range(10)
    }
    # The rows exist already, as after a worker's first start: both workers race on the UPDATE itself.
    for name in settings.WORKER_PERIODIC_JOBS:
        PeriodicJob.objects.create(name=name, last_run_at=timezone.now() - timedelta(days=1))
    RUNS.clear()
    barrier = threading.Barrier(2)
    enqueued: list[list[str]] = []

    def worker():
        try:
            barrier.wait()
            enqueued.append(periodic_jobs_enqueue_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(RUNS) == 10
    assert sorted(enqueued[0] + enqueued[1]) == sorted(settings.WORKER_PERIODIC_JOBS)


@pytest.mark.django_db
def test_the_worker_command_refuses_a_backend_without_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    with pytest.raises(CommandError, match="n'a pas de worker à lancer"):
        call_command("worker")


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_frenchbot_worker_runs_the_queue_and_its_periodic_jobs(tmp_path):
    from django_tasks_db.models import DBTaskResult

    # The real command in its own process, on the test database: the heartbeat appears, and the retention
    # jobs it enqueues are run by the database worker it started.
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "FRENCHBOT_VAR_DIR": str(tmp_path),
        "TASKS_BACKEND": "database",
        "WORKER_HEARTBEAT_SECONDS": "0.2",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-c", "from frenchbot.core.cli import main; main()", "worker", "-v", "0"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        expected = {
            "frenchbot.core.tasks.task_results_prune",
            "frenchbot.assistant.tasks.conversations_prune",
        }

        def succeeded() -> set[str]:
            return set(DBTaskResult.objects.filter(status="SUCCESSFUL").values_list("task_path", flat=True))

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            if succeeded() >= expected and WorkerHeartbeat.objects.filter(pid=process.pid).exists():
                break
            time.sleep(0.2)
        assert process.poll() is None, (tmp_path / "worker.log").read_text()
        assert WorkerHeartbeat.objects.filter(pid=process.pid).exists()
        assert succeeded() >= expected
        assert set(PeriodicJob.objects.values_list("name", flat=True)) >= {"retention_sessions"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class SiteDatabaseBackend(DatabaseBackend):
    """A backend of our own built on the database queue: the worker still knows how to run it."""


def test_the_worker_runs_the_worker_of_the_backend_class_or_of_its_base():
    assert _backend_kind("django_tasks_db.DatabaseBackend") == "database"
    assert _backend_kind("frenchbot.core.tests.test_worker.SiteDatabaseBackend") == "database"
    assert _backend_kind("django_tasks.backends.immediate.ImmediateBackend") == ""
    if importlib.util.find_spec("django_tasks_rq") is None:
        pytest.skip("django-tasks-rq is not installed: pip install 'django-tasks-rq>=0.12,<0.13'")
    assert _backend_kind("django_tasks_rq.RQBackend") == "rq"


def test_an_unknown_backend_is_named_in_french():
    with pytest.raises(CommandError, match="TASKS : le backend frenchbot.nulle.Part est introuvable"):
        _backend_kind("frenchbot.nulle.Part")

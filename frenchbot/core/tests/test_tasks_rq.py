"""The Redis task queue as an operator runs it (`frenchbot worker`, or `frenchbot rqworker` with the arguments
of core.tasks_backend): a task enqueued with `run_after`, as booking reminders are, runs once due."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from frenchbot.core.tasks_backend import rq_worker_command

from .redis_helpers import redis_url_or_skip

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp_path: Path, redis_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "FRENCHBOT_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TASKS_BACKEND": "redis",
        "TASKS_REDIS_URL": redis_url,
        "SECRET_KEY": "rq-test",
    }


@pytest.mark.parametrize(
    "worker",
    [
        # What operators run (docs/operations.md), without its heartbeat (no database here).
        ["worker", "--no-scheduler"],
        rq_worker_command(),
    ],
    ids=["frenchbot-worker", "rqworker"],
)
def test_a_task_enqueued_to_run_later_runs_once_due(tmp_path, worker):
    redis_url = redis_url_or_skip(7)
    env = _env(tmp_path, redis_url)
    marker = tmp_path / "ran"
    enqueue = (
        "import datetime, time\n"
        "from django.utils import timezone\n"
        "from frenchbot.core.tests.rq_tasks import write_when_run\n"
        "due = timezone.now() + datetime.timedelta(seconds=3)\n"
        f"write_when_run.using(run_after=due).enqueue({str(marker)!r})\n"
        f"open({str(tmp_path / 'due')!r}, 'w').write(str(due.timestamp()))\n"
    )
    cli = [sys.executable, "-m", "frenchbot.core.cli"]
    subprocess.run([*cli, "shell", "-c", enqueue], cwd=ROOT, env=env, check=True, timeout=120)  # noqa: S603
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [*cli, *worker], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert marker.exists(), f"the scheduled task never ran:\n{log.read_text(errors='replace')[-2000:]}"
    # It waited for its time (not run at once, as a worker without the scheduler's clock would not run it at all),
    # to RQ's resolution: its scheduled-jobs registry keeps whole seconds, so a job due at 12.3 s may run at 12.0 s.
    assert float(marker.read_text()) >= float((tmp_path / "due").read_text()) - 1

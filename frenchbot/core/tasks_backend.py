"""What a task worker runs for the configured django-tasks backend, in one place: `frenchbot worker` (and the
docs) take the command from here rather than knowing each backend's flags."""

from django.conf import settings

RQ_BACKEND = "django_tasks_rq.RQBackend"
DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


def tasks_backend_path(alias: str = "default") -> str:
    return settings.TASKS[alias]["BACKEND"]


def rq_worker_command(*, queues: list[str] | None = None) -> list[str]:
    """The management command (name and arguments) of one RQ worker for our tasks.

    `--job-class django_tasks_rq.Job` makes RQ call django-tasks' Task objects (with their context), and
    `--with-scheduler` moves the tasks enqueued with `run_after` (booking reminders) into the queue when they
    are due: without it they would wait in Redis for ever. Several workers may run with it: RQ lets one of
    them hold the scheduler lock at a time and another takes over when it stops.
    """
    names = queues or sorted(getattr(settings, "RQ_QUEUES", {"default": None}))
    return ["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler", *names]


def worker_command(alias: str = "default") -> list[str] | None:
    """The management command that runs the queue of the backend `alias`; None when nothing has to run
    (tasks run inline, or are dropped)."""
    backend = tasks_backend_path(alias)
    if backend == RQ_BACKEND:
        return rq_worker_command()
    if backend == DATABASE_BACKEND:
        return ["db_worker"]
    return None

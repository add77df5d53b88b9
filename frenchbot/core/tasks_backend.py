"""What an RQ worker needs to run our tasks, in one place: `frenchbot worker` (and the docs, and the two-node
test) take it from here rather than repeating django-rq's flags."""

from django.conf import settings


def rq_worker_options() -> dict:
    """The options of django-rq's `rqworker` command that our tasks need (for `call_command`).

    `job_class` makes RQ call django-tasks' Task objects (with their context) and gives database connections
    back around each job; `worker_class` runs the jobs in the worker's own process, which keeps the embedding
    model loaded between indexing jobs (RQ's default forks a fresh process per job); `with_scheduler` moves the
    tasks enqueued with `run_after` (booking reminders) into the queue when they are due: without it they
    would wait in Redis for ever. Several workers may run with it: RQ lets one of them hold the scheduler lock
    at a time, and another takes over when it stops.
    """
    return {
        "job_class": "frenchbot.core.rqjobs.Job",
        "worker_class": "rq.worker.SimpleWorker",
        "with_scheduler": True,
    }


def rq_worker_command(*, queues: list[str] | None = None) -> list[str]:
    """The same worker as a command line: `frenchbot <these arguments>`."""
    names = queues or sorted(getattr(settings, "RQ_QUEUES", {"default": None}))
    options = rq_worker_options()
    return [
        "rqworker",
        "--job-class",
        options["job_class"],
        "--worker-class",
        options["worker_class"],
        "--with-scheduler",
        *names,
    ]

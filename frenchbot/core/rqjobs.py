"""The job class of our RQ workers (TASKS_BACKEND=redis), named by `core.tasks_backend.rq_worker_options`."""

from django.db import close_old_connections
from django_tasks_rq.backend import Job as TaskJob


class Job(TaskJob):
    """django-tasks' RQ job, run by a worker that does not fork (RQ's SimpleWorker): the process keeps what it
    loaded (the embedding model takes seconds to load, and a forked work-horse would load it again for every
    indexing job). Database connections are given back around each job, as Django does around a request."""

    def perform(self):
        close_old_connections()
        try:
            return super().perform()
        finally:
            close_old_connections()

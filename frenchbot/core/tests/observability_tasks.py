"""A task that does nothing: something to leave waiting in the queue."""

from django_tasks import task


@task()
def noop() -> None:
    return None

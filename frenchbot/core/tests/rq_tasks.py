"""A task for the RQ worker test: it says, in a file, when it ran."""

import time
from pathlib import Path

from django_tasks import task


@task()
def write_when_run(path: str) -> None:
    Path(path).write_text(str(time.time()))

"""Periodic work of analytics, run by `frenchbot worker` (WORKER_PERIODIC_JOBS)."""

from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY

from . import reports, rollups


# Ahead of the queue (on RQ too, which honours only the highest priority): a tick takes well under a second,
# and on a first start the demo's indexing queues long enough to leave the dashboard empty meanwhile.
@task(priority=TASK_MAX_PRIORITY)
def analytics_tick() -> dict:
    """Every few minutes: write what the buffer holds, attribute the new goals, recompute today's and
    yesterday's rollups (and any day of the last week left out of date); returns counts for the log."""
    return rollups.analytics_tick()


@task()
def salts_rotate() -> int:
    """Delete the salts of days that are over (and this process's copy): yesterday's visitor numbers can no
    longer be tied to a browser. Returns how many were deleted."""
    return rollups.salts_rotate()


@task()
def raw_events_prune() -> int:
    """Delete raw events older than ANALYTICS_RAW_RETENTION_DAYS; a day about to go whose rollups are missing
    or out of date is rolled up first (it can never be afterwards). Returns how many rows were deleted."""
    return rollups.raw_events_prune()


@task()
def weekly_reports_send_due() -> int:
    """Send the weekly report to the staff who asked for it and have not had this week's; returns how many."""
    return reports.weekly_reports_send_due()

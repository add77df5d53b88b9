"""Periodic work of analytics, run by `frenchbot worker` (WORKER_PERIODIC_JOBS)."""

from django_tasks import task

from . import reports, rollups


@task()
def analytics_tick() -> dict:
    """Write what the shared buffer holds, attribute the new goals, recompute today's and yesterday's
    rollups."""
    return rollups.analytics_tick()


@task()
def salts_rotate() -> int:
    """Delete the salts of days that are over; returns how many were deleted."""
    return rollups.salts_rotate()


@task()
def raw_events_prune() -> int:
    """Delete raw events older than ANALYTICS_RAW_RETENTION_DAYS (their days are rolled up first)."""
    return rollups.raw_events_prune()


@task()
def weekly_reports_send_due() -> int:
    """Send the weekly report to the staff who asked for it and have not had this week's; returns how many."""
    return reports.weekly_reports_send_due()

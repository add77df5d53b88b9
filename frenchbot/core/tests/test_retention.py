"""The shared retention jobs: rows past their duration go, newer ones stay, 0 keeps everything."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frenchbot.core.models import RateCounter
from frenchbot.core.tasks import rate_counters_prune, sessions_prune, task_results_prune

pytestmark = pytest.mark.django_db


def _task_result(*, status: str, finished_days_ago: float | None) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=status,
        args_kwargs={"args": [], "kwargs": {"to": "claire@example.fr"}},
        task_path="frenchbot.blog.tasks.comment_notify",
        backend_name="default",
        run_after=now,
        finished_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
    )


def test_finished_task_results_older_than_the_setting_go_and_the_rest_stay(settings, caplog):
    settings.RETENTION_TASK_RESULTS_DAYS = 30
    old_success = _task_result(status="SUCCESSFUL", finished_days_ago=31)
    old_failure = _task_result(status="FAILED", finished_days_ago=45)
    recent = _task_result(status="SUCCESSFUL", finished_days_ago=29)
    waiting = _task_result(status="READY", finished_days_ago=None)

    with caplog.at_level(logging.INFO, logger="frenchbot.core.tasks"):
        task_results_prune.call()

    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, waiting.pk}
    assert old_success.pk not in remaining and old_failure.pk not in remaining
    # Counts only: the log never repeats what the rows held.
    assert "2 résultats de tâches supprimés" in caplog.text
    assert "claire@example.fr" not in caplog.text


def test_zero_keeps_the_task_results(settings):
    settings.RETENTION_TASK_RESULTS_DAYS = 0
    _task_result(status="SUCCESSFUL", finished_days_ago=3650)

    task_results_prune.call()

    assert DBTaskResult.objects.count() == 1


def test_expired_sessions_go_and_live_ones_stay():
    now = timezone.now()
    Session.objects.create(
        session_key="expiree" + "0" * 25, session_data="", expire_date=now - timedelta(minutes=1)
    )
    Session.objects.create(
        session_key="vivante" + "0" * 25, session_data="", expire_date=now + timedelta(days=1)
    )

    sessions_prune.call()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["vivante" + "0" * 25]


def test_expired_rate_counters_go_and_running_windows_stay():
    now = timezone.now()
    RateCounter.objects.create(key="rl:contact:a:1", count=3, expires_at=now - timedelta(seconds=1))
    RateCounter.objects.create(key="rl:contact:a:2", count=1, expires_at=now + timedelta(minutes=59))

    rate_counters_prune.call()

    assert list(RateCounter.objects.values_list("key", flat=True)) == ["rl:contact:a:2"]

"""The worker's periodic analytics jobs, called as the worker calls them (no argument, the current time)."""

import datetime

import pytest
from freezegun import freeze_time

from frenchbot.analytics import hashing
from frenchbot.analytics.models import DailyGoal, DailyTotals, Goal, Hit, Salt
from frenchbot.analytics.tasks import analytics_tick, raw_events_prune, salts_rotate

from .factories import GoalFactory, HitFactory, paris

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@freeze_time(paris(TODAY, 9, 30))
def test_tick_attributes_and_rolls_up_today_and_yesterday():
    yesterday = TODAY - datetime.timedelta(days=1)
    HitFactory(visitor=4, at=paris(yesterday, 22), path="/blog/x/", referrer="google.com")
    HitFactory(visitor=8, at=paris(TODAY, 9), path="/blog/y/", utm_campaign="juin")
    HitFactory(visitor=8, at=paris(TODAY, 9, 2), path="/audit/")
    GoalFactory(at=paris(TODAY, 9, 3), visitor=8, subject="audit-1")
    GoalFactory(name="report_sent", at=paris(TODAY, 9, 4), subject="audit-1")

    result = analytics_tick.call()

    assert result["days_rolled_up"] == 2
    assert DailyTotals.objects.get(day=yesterday).visits == 1
    assert DailyTotals.objects.get(day=TODAY).pageviews == 2
    assert {(row.name, row.entry_path, row.utm_campaign, row.count) for row in DailyGoal.objects.all()} == {
        ("audit_completed", "/blog/y/", "juin", 1),
        ("report_sent", "/blog/y/", "juin", 1),
    }


def test_salts_rotate_keeps_only_the_salt_of_today_and_makes_tomorrows():
    # The process keeps salts in memory across tests; this one starts from the database alone.
    hashing.salts_forget()
    with freeze_time(paris(TODAY, 23, 59)):
        hashing.visitor_hash(ip="198.51.100.1", user_agent="Firefox")
    with freeze_time(paris(TODAY + datetime.timedelta(days=1), 0, 30)):
        hashing.visitor_hash(ip="198.51.100.1", user_agent="Firefox")
        assert Salt.objects.count() == 2
        assert salts_rotate.call() == 1
    assert sorted(Salt.objects.values_list("day", flat=True)) == [
        TODAY + datetime.timedelta(days=1),
        TODAY + datetime.timedelta(days=2),
    ]
    assert TODAY not in hashing._salts


def test_prune_keeps_the_retention_period(settings):
    settings.ANALYTICS_RAW_RETENTION_DAYS = 395
    old = TODAY - datetime.timedelta(days=396)
    HitFactory(at=paris(old, 10), path="/blog/x/")
    GoalFactory(at=paris(old, 10, 5))
    HitFactory(at=paris(TODAY - datetime.timedelta(days=395), 10))
    with freeze_time(paris(TODAY, 3)):
        assert raw_events_prune.call() == 2
    assert Hit.objects.count() == 1 and not Goal.objects.exists()
    assert DailyTotals.objects.get(day=old).pageviews == 1

"""The dashboard's reads over the daily rollups: sums over a period, the period before, series per day or per
week, pages ranked three ways, sources, goals by entry page and the funnel, in a constant number of queries."""

import datetime

import pytest

from frenchbot.analytics import selectors
from frenchbot.analytics.selectors import Period

from .rollup_factories import (
    DailyDimensionFactory,
    DailyGoalFactory,
    DailyPageFactory,
    DailyTotalsFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_period_is_compared_with_the_days_just_before_it():
    assert Period(start=D(2026, 11, 1), end=D(2026, 11, 30)).previous() == Period(
        start=D(2026, 10, 2), end=D(2026, 10, 31)
    )
    assert Period(start=D(2026, 12, 5), end=D(2026, 12, 5)).previous() == Period(
        start=D(2026, 12, 4), end=D(2026, 12, 4)
    )


def test_totals_add_up_the_days_of_the_period_only():
    DailyTotalsFactory(
        day=D(2026, 11, 1), visitors=10, visits=12, pageviews=30, bounces=6, visit_seconds=1200
    )
    DailyTotalsFactory(
        day=D(2026, 11, 2), visitors=20, visits=28, pageviews=50, bounces=4, visit_seconds=1800
    )
    DailyTotalsFactory(day=D(2026, 11, 3), visitors=1000, visits=1000, pageviews=1000)  # outside
    totals = selectors.period_totals(start=D(2026, 11, 1), end=D(2026, 11, 2))
    assert (totals.visitors, totals.visits, totals.pageviews) == (30, 40, 80)
    assert totals.pages_per_visit == 2.0
    assert totals.bounce_rate == 0.25
    assert totals.average_visit_seconds == 75.0


def test_an_empty_period_has_zeros_and_no_ratio():
    totals = selectors.period_totals(start=D(2026, 11, 1), end=D(2026, 11, 30))
    assert totals.visits == 0
    assert (
        totals.pages_per_visit is None and totals.bounce_rate is None and totals.average_visit_seconds is None
    )


def test_the_series_has_a_point_per_day_with_zeros_for_missing_days():
    DailyTotalsFactory(day=D(2026, 11, 1), visitors=5)
    DailyTotalsFactory(day=D(2026, 11, 3), visitors=7)
    series = selectors.visitors_series(start=D(2026, 11, 1), end=D(2026, 11, 3))
    assert series.unit == "day"
    assert series.values == [5, 0, 7]


def test_beyond_92_days_the_series_counts_weeks_from_the_first_day():
    start = D(2026, 1, 1)
    for offset in range(100):
        DailyTotalsFactory(day=start + datetime.timedelta(days=offset), visitors=1)
    series = selectors.visitors_series(start=start, end=start + datetime.timedelta(days=99))
    assert series.unit == "week"
    assert len(series.points) == 15
    assert series.values[:14] == [7] * 14 and series.values[14] == 2  # the last week is 2 days long
    assert series.points[1].start == D(2026, 1, 8) and series.points[-1].end == D(2026, 4, 10)


def test_pages_are_ranked_by_views_entries_and_exits_with_exact_averages():
    day1, day2 = D(2026, 11, 1), D(2026, 11, 2)
    DailyPageFactory(
        day=day1,
        path="/blog/a/",
        pageviews=10,
        entries=1,
        exits=9,
        seconds_total=100,
        seconds_count=4,
        scroll_total=200,
        scroll_count=4,
    )
    DailyPageFactory(
        day=day2,
        path="/blog/a/",
        pageviews=10,
        entries=1,
        exits=1,
        seconds_total=300,
        seconds_count=4,
        scroll_total=600,
        scroll_count=4,
    )
    DailyPageFactory(day=day1, path="/", pageviews=15, entries=12, exits=2)
    DailyPageFactory(day=day1, path="/contact/", pageviews=1, entries=0, exits=0)
    report = selectors.pages_report(start=day1, end=day2)
    assert [row.path for row in report.top] == ["/blog/a/", "/", "/contact/"]
    assert report.top[0].pageviews == 20
    assert report.top[0].average_seconds == 50.0  # 400 s over 8 measured views, not the mean of the days
    assert report.top[0].average_scroll == 100.0
    assert [row.path for row in report.entries] == ["/", "/blog/a/"]  # a page nobody entered by is left out
    assert [row.path for row in report.exits] == ["/blog/a/", "/"]


def test_dimension_top_sums_the_days_and_keeps_direct_visits_under_blank():
    for day in (D(2026, 11, 1), D(2026, 11, 2)):
        DailyDimensionFactory(day=day, value="www.google.com", visits=10, visitors=9)
        DailyDimensionFactory(day=day, value="", visits=30, visitors=25)
        DailyDimensionFactory(day=day, dimension="device", value="mobile", visits=99)
    rows = selectors.dimension_top(start=D(2026, 11, 1), end=D(2026, 11, 2), dimension="referrer")
    assert [(row.value, row.visits, row.visitors) for row in rows] == [
        ("", 60, 50),
        ("www.google.com", 20, 18),
    ]


def test_goals_are_counted_by_the_entry_page_of_their_visit():
    DailyGoalFactory(name="audit_completed", entry_path="/blog/a/", referrer="www.google.com", count=3)
    DailyGoalFactory(name="audit_completed", entry_path="/blog/a/", referrer="", count=1)
    DailyGoalFactory(name="call_booked", entry_path="/blog/a/", count=1)
    DailyGoalFactory(name="call_booked", entry_path="/", count=5)
    goals = selectors.goals_by_entry(start=D(2026, 11, 1), end=D(2026, 11, 30), paths=["/blog/a/"])
    assert goals == {"/blog/a/": {"audit_completed": 4, "call_booked": 1}}


def test_the_funnel_follows_the_journey_and_says_the_drop_between_steps():
    DailyGoalFactory(name="bot_conversation", count=50)
    DailyGoalFactory(name="audit_started", count=20)
    DailyGoalFactory(name="audit_completed", count=10)
    DailyGoalFactory(name="call_booked", count=4)
    DailyGoalFactory(name="newsletter_confirmed", count=7)
    result = selectors.funnel(start=D(2026, 11, 1), end=D(2026, 11, 30), visits=200)
    assert [step.name for step in result.steps] == [
        "visits",
        "bot_conversation",
        "audit_started",
        "audit_completed",
        "report_sent",
        "call_booked",
        "call_held",
        "enrolled",
        "certificate_issued",
    ]
    assert [step.count for step in result.steps] == [200, 50, 20, 10, 0, 4, 0, 0, 0]
    assert result.steps[1].drop == 75.0
    assert result.steps[4].drop == 100.0
    assert result.steps[5].drop is None  # nothing to lose from a step at zero
    assert {step.name: step.count for step in result.others} == {
        "newsletter_confirmed": 7,
        "event_registered": 0,
        "bot_rated": 0,
    }


def _seed(days: int, paths: int) -> None:
    start = D(2026, 10, 1)
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        DailyTotalsFactory(day=day)
        for n in range(paths):
            DailyPageFactory(day=day, path=f"/blog/article-{n}/")
            DailyGoalFactory(day=day, entry_path=f"/blog/article-{n}/")
        DailyDimensionFactory(day=day)


def _read_everything():
    start, end = D(2026, 10, 1), D(2026, 10, 31)
    totals = selectors.period_totals(start=start, end=end)
    selectors.visitors_series(start=start, end=end)
    pages = selectors.pages_report(start=start, end=end)
    selectors.goals_by_entry(start=start, end=end, paths=[row.path for row in pages.top])
    selectors.dimension_top(start=start, end=end, dimension="referrer")
    selectors.funnel(start=start, end=end, visits=totals.visits)


@pytest.mark.parametrize(("days", "paths"), [(1, 1), (20, 15)])
def test_the_number_of_queries_does_not_grow_with_the_data(days, paths, django_assert_max_num_queries):
    _seed(days, paths)
    with django_assert_max_num_queries(6):
        _read_everything()


def test_one_pass_over_the_goals_gives_the_funnel_and_the_goals_by_entry_page():
    DailyGoalFactory(name="audit_completed", entry_path="/blog/a/", referrer="www.google.com", count=3)
    DailyGoalFactory(name="audit_completed", entry_path="/", count=2)
    DailyGoalFactory(name="call_booked", entry_path="/blog/a/", count=1)
    start, end = D(2026, 11, 1), D(2026, 11, 30)
    report = selectors.goals_report(start=start, end=end)
    assert report.by_entry == {
        "/blog/a/": {"audit_completed": 3, "call_booked": 1},
        "/": {"audit_completed": 2},
    }
    assert report.counts == selectors.goal_counts(start=start, end=end)
    assert report.counts["audit_completed"] == 5
    assert selectors.funnel_of(counts=report.counts, visits=10) == selectors.funnel(
        start=start, end=end, visits=10
    )


def test_closed_months_are_read_once_and_open_days_always_live(django_assert_num_queries):
    from django.utils import timezone

    today = timezone.localdate()
    yesterday, old = today - datetime.timedelta(days=1), today - datetime.timedelta(days=70)
    start = today - datetime.timedelta(days=120)
    DailyPageFactory(day=old, path="/", pageviews=5)
    DailyPageFactory(day=yesterday, path="/", pageviews=1)
    with django_assert_num_queries(2):  # the closed months together, then the open days
        assert selectors.pages_report(start=start, end=yesterday).top[0].pageviews == 6
    DailyPageFactory(day=yesterday, path="/formations/", pageviews=2)
    with django_assert_num_queries(1):  # only the open days again
        report = selectors.pages_report(start=start, end=yesterday)
    assert {row.path: row.pageviews for row in report.top} == {"/": 6, "/formations/": 2}
    # A closed day rewritten (a rebuild of the rollups) is seen once the job says so.
    DailyPageFactory(day=old, path="/contact/", pageviews=9)
    assert "/contact/" not in {row.path for row in selectors.pages_report(start=start, end=yesterday).top}
    selectors.rollups_cache_clear()
    assert selectors.pages_report(start=start, end=yesterday).top[0].path == "/contact/"


def test_cached_and_live_sums_add_up_exactly_across_month_boundaries():
    from django.utils import timezone

    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in range(0, 75)]
    for n, day in enumerate(days):
        DailyGoalFactory(day=day, name="audit_completed", entry_path="/blog/a/", count=n + 1)
    expected = sum(range(1, 76))
    for start, end in ((days[-1], days[0]), (days[-1], days[5]), (days[40], days[0])):
        live = sum(n + 1 for n, day in enumerate(days) if start <= day <= end)
        assert selectors.goals_report(start=start, end=end).counts["audit_completed"] == live
        assert selectors.goals_report(start=start, end=end).by_entry["/blog/a/"]["audit_completed"] == live
    assert selectors.goal_counts(start=days[-1], end=days[0])["audit_completed"] == expected


def test_after_the_workers_warming_a_year_is_read_from_the_cache_but_its_open_days(django_assert_num_queries):
    from django.utils import timezone

    from frenchbot.analytics.rollups import analytics_tick

    today = timezone.localdate()
    for months_ago in range(12):
        DailyPageFactory(
            day=today - datetime.timedelta(days=30 * months_ago + 3), path="/blog/a/", pageviews=2
        )
        DailyGoalFactory(day=today - datetime.timedelta(days=30 * months_ago + 3), name="audit_completed")
    analytics_tick()
    year = selectors.period_preset(key="12m", today=today)
    # One query each: the open days (yesterday and today) only, the closed months come from the cache.
    with django_assert_num_queries(1):
        pages = selectors.pages_report(start=year.start, end=year.end)
    with django_assert_num_queries(1):
        goals = selectors.goals_report(start=year.start, end=year.end)
    assert pages.top[0].pageviews == 2 * sum(
        1 for m in range(12) if today - datetime.timedelta(days=30 * m + 3) >= year.start
    )
    assert goals.counts["audit_completed"] >= 11

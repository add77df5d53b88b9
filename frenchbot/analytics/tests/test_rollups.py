"""Daily rollups: what the dashboard shows must equal what a plain count over the raw events gives."""

import datetime
import random
from collections import defaultdict

import pytest

from frenchbot.analytics import hashing, rollups
from frenchbot.analytics.models import (
    DailyDimension,
    DailyGoal,
    DailyPage,
    DailyTotals,
    Dimension,
    Goal,
    Hit,
    Salt,
)

from .factories import GoalFactory, HitFactory, paris

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)
# Far enough from DAY that DAY's raw events are kept (ANALYTICS_RAW_RETENTION_DAYS is at most 395).
TODAY = datetime.date(2026, 3, 12)
ENGAGEMENT = Hit.Kind.ENGAGEMENT


def view(visitor: int, hour: int, minute: int, path: str, *, day=DAY, second: int = 0, **fields) -> Hit:
    return HitFactory(visitor=visitor, at=paris(day, hour, minute, second), path=path, **fields)


def engagement(
    visitor: int, hour: int, minute: int, path: str, *, duration=None, scroll=None, day=DAY
) -> Hit:
    return HitFactory(
        visitor=visitor,
        at=paris(day, hour, minute),
        path=path,
        kind=ENGAGEMENT,
        duration=duration,
        scroll=scroll,
    )


def rows_of(day: datetime.date) -> dict:
    """Every rollup row of `day`, without primary keys (to compare two runs)."""
    return {
        model.__name__: sorted(
            tuple(sorted((k, v) for k, v in row.items() if k != "id"))
            for row in model.objects.filter(day=day).values()
        )
        for model in (DailyTotals, DailyPage, DailyDimension, DailyGoal)
    }


# --- Generated data against straightforward counts ---------------------------------------------------------


def _generate(seed: int, days: list[datetime.date]) -> None:
    rng = random.Random(seed)
    paths = ["/", "/blog/a/", "/blog/b/", "/blog/c/", "/audit/", "/formations/"]
    referrers = ["", "", "google.com", "linkedin.com", "chatgpt.com"]
    hits = []
    for day in days:
        for visitor in range(rng.randint(20, 40)):
            at = paris(day, 0) + datetime.timedelta(minutes=rng.randint(0, 60 * 20))
            for _ in range(rng.randint(1, 8)):
                kind = Hit.Kind.PAGEVIEW if rng.random() < 0.75 else ENGAGEMENT
                hits.append(
                    Hit(
                        at=at,
                        day=day,
                        visitor=visitor * 7 + 1,
                        kind=kind,
                        path=rng.choice(paths),
                        referrer=rng.choice(referrers),
                        utm_campaign=rng.choice(["", "", "printemps"]),
                        device=rng.choice(["desktop", "mobile", "tablet"]),
                        country=rng.choice(["FR", "BE", ""]),
                        duration=rng.randint(1, 300) if kind == ENGAGEMENT else None,
                        scroll=rng.randint(0, 100) if kind == ENGAGEMENT else None,
                    )
                )
                # Mostly short gaps, sometimes longer than the visit gap (and exactly the gap once in a while).
                at += datetime.timedelta(minutes=rng.choice([0, 1, 3, 10, 29, 30, 31, 45, 120]))
    Hit.objects.bulk_create(hits)


def _plain_counts(day: datetime.date) -> dict:
    views = list(Hit.objects.filter(day=day, kind=Hit.Kind.PAGEVIEW).order_by("at", "id"))
    by_visitor = defaultdict(list)
    for hit in views:
        by_visitor[hit.visitor].append(hit)
    visits = []
    for hits in by_visitor.values():
        current = [hits[0]]
        for previous, hit in zip(hits, hits[1:], strict=False):
            if hit.at - previous.at > datetime.timedelta(minutes=30):
                visits.append(current)
                current = []
            current.append(hit)
        visits.append(current)
    page_views = defaultdict(int)
    page_visitors = defaultdict(set)
    for hit in views:
        page_views[hit.path] += 1
        page_visitors[hit.path].add(hit.visitor)
    return {
        "pageviews": len(views),
        "visitors": len(by_visitor),
        "visits": len(visits),
        "bounces": sum(1 for visit in visits if len(visit) == 1),
        "page_views": dict(page_views),
        "page_visitors": {path: len(visitors) for path, visitors in page_visitors.items()},
        "referrers": sorted(visit[0].referrer for visit in visits),
    }


def test_rollups_equal_plain_counts_over_generated_days():
    days = [DAY - datetime.timedelta(days=n) for n in range(3)]
    _generate(7, days)
    for day in days:
        assert rollups.rollup_day(day=day, today=TODAY) is not None
        plain = _plain_counts(day)
        totals = DailyTotals.objects.get(day=day)
        assert plain["visits"] > plain["visitors"] > 0  # the data does split visits
        assert (totals.pageviews, totals.visitors, totals.visits, totals.bounces) == (
            plain["pageviews"],
            plain["visitors"],
            plain["visits"],
            plain["bounces"],
        )
        pages = {page.path: page for page in DailyPage.objects.filter(day=day)}
        assert {path: page.pageviews for path, page in pages.items() if page.pageviews} == plain["page_views"]
        assert {path: page.visitors for path, page in pages.items() if page.visitors} == plain[
            "page_visitors"
        ]
        assert sum(page.entries for page in pages.values()) == totals.visits
        assert sum(page.exits for page in pages.values()) == totals.visits
        engagements = Hit.objects.filter(day=day, kind=ENGAGEMENT)
        assert sum(page.seconds_count for page in pages.values()) == engagements.count()
        assert sum(page.seconds_total for page in pages.values()) == sum(h.duration for h in engagements)
        for dimension in Dimension.values:
            rows = DailyDimension.objects.filter(day=day, dimension=dimension)
            assert sum(row.visits for row in rows) == totals.visits, dimension
            assert all(row.visitors <= row.visits for row in rows)
        referrers = DailyDimension.objects.filter(day=day, dimension=Dimension.REFERRER)
        assert sorted(r for row in referrers for r in [row.value] * row.visits) == plain["referrers"]


# --- Visits --------------------------------------------------------------------------------------------------


def test_a_gap_over_thirty_minutes_starts_a_new_visit():
    view(1, 10, 0, "/blog/a/", referrer="google.com")
    view(1, 10, 29, "/audit/")
    view(1, 11, 0, "/blog/b/", referrer="linkedin.com")  # 31 minutes later: a new visit
    view(1, 11, 30, "/formations/")  # exactly 30 minutes: the same visit
    view(2, 9, 0, "/")  # a bounce

    rollups.rollup_day(day=DAY, today=TODAY)

    totals = DailyTotals.objects.get(day=DAY)
    assert (totals.pageviews, totals.visitors, totals.visits, totals.bounces) == (5, 2, 3, 1)
    assert totals.visit_seconds == 29 * 60 + 30 * 60
    pages = {page.path: page for page in DailyPage.objects.filter(day=DAY)}
    assert (pages["/blog/a/"].entries, pages["/blog/a/"].exits) == (1, 0)
    assert (pages["/audit/"].entries, pages["/audit/"].exits) == (0, 1)
    assert (pages["/blog/b/"].entries, pages["/formations/"].exits) == (1, 1)
    assert (pages["/"].entries, pages["/"].exits) == (1, 1)
    referrers = {
        row.value: (row.visits, row.visitors) for row in DailyDimension.objects.filter(dimension="referrer")
    }
    assert referrers == {"google.com": (1, 1), "linkedin.com": (1, 1), "": (1, 1)}


def test_a_visit_takes_its_properties_from_its_first_page_view():
    view(
        1,
        10,
        0,
        "/blog/a/",
        referrer="google.com",
        utm_source="news",
        utm_campaign="printemps",
        device="mobile",
    )
    view(1, 10, 5, "/audit/", referrer="bing.com", utm_campaign="autre", device="desktop", country="BE")
    view(2, 10, 0, "/blog/a/", country="")
    view(2, 12, 0, "/blog/a/", country="")  # the same visitor's second visit, direct

    rollups.rollup_day(day=DAY, today=TODAY)

    dims = {(row.dimension, row.value): (row.visits, row.visitors) for row in DailyDimension.objects.all()}
    assert dims[("referrer", "google.com")] == (1, 1)
    assert ("referrer", "bing.com") not in dims
    assert dims[("referrer", "")] == (2, 1)
    assert dims[("utm_campaign", "printemps")] == (1, 1)
    assert dims[("utm_source", "news")] == (1, 1)
    assert dims[("device", "mobile")] == (1, 1)
    assert dims[("country", "FR")] == (1, 1)
    assert dims[("country", "")] == (2, 1)
    page = DailyPage.objects.get(path="/blog/a/")
    assert (page.pageviews, page.visitors, page.entries) == (3, 2, 3)


def test_engagement_gives_page_averages_and_lengthens_the_visit():
    view(1, 10, 0, "/blog/a/")
    engagement(1, 10, 4, "/blog/a/", duration=200, scroll=80)
    view(2, 11, 0, "/blog/a/")
    engagement(2, 11, 1, "/blog/a/", duration=40, scroll=None)
    # Sent before any page view of the day (the page was opened the day before): counted for the page only.
    engagement(3, 0, 1, "/blog/b/", duration=60, scroll=100)

    rollups.rollup_day(day=DAY, today=TODAY)

    page = DailyPage.objects.get(day=DAY, path="/blog/a/")
    assert page.seconds_total / page.seconds_count == 120
    assert page.scroll_total / page.scroll_count == 80
    other = DailyPage.objects.get(day=DAY, path="/blog/b/")
    assert (other.pageviews, other.seconds_total, other.scroll_total) == (0, 60, 100)
    totals = DailyTotals.objects.get(day=DAY)
    # Two bounces, measured until their engagement beacon (4 and 1 minutes); the third visitor made no visit.
    assert (totals.visits, totals.bounces, totals.visitors) == (2, 2, 2)
    assert totals.visit_seconds == 4 * 60 + 60


def test_rollup_is_idempotent_and_follows_new_events():
    view(1, 10, 0, "/blog/a/", referrer="google.com")
    view(1, 10, 3, "/audit/")
    GoalFactory(at=paris(DAY, 10, 4), visitor=1)
    rollups.goals_attribute(now=paris(DAY, 10, 5))

    rollups.rollup_day(day=DAY, today=TODAY)
    first = rows_of(DAY)
    rollups.rollup_day(day=DAY, today=TODAY)
    assert rows_of(DAY) == first
    assert first["DailyGoal"] and first["DailyPage"] and first["DailyDimension"]

    view(3, 15, 0, "/blog/a/")
    rollups.rollup_day(day=DAY, today=TODAY)
    assert DailyPage.objects.get(day=DAY, path="/blog/a/").pageviews == 2
    assert DailyTotals.objects.filter(day=DAY).count() == 1


def test_rollup_of_a_day_leaves_other_days_alone():
    other = DAY - datetime.timedelta(days=1)
    view(1, 10, 0, "/", day=other)
    view(1, 10, 0, "/")
    rollups.rollup_day(day=other, today=TODAY)
    before = rows_of(other)
    rollups.rollup_day(day=DAY, today=TODAY)
    assert rows_of(other) == before


def test_goals_of_the_day_are_counted_by_attribution():
    GoalFactory(name="audit_completed", entry_path="/blog/a/", referrer="google.com", attributed=True)
    GoalFactory(name="audit_completed", entry_path="/blog/a/", referrer="google.com", attributed=True)
    GoalFactory(name="audit_completed")
    GoalFactory(name="call_booked", entry_path="/blog/a/", utm_campaign="printemps", attributed=True)

    rollups.rollup_day(day=DAY, today=TODAY)

    counts = {
        (row.name, row.entry_path, row.referrer, row.utm_campaign): row.count
        for row in DailyGoal.objects.all()
    }
    assert counts == {
        ("audit_completed", "/blog/a/", "google.com", ""): 2,
        ("audit_completed", "", "", ""): 1,
        ("call_booked", "/blog/a/", "", "printemps"): 1,
    }


# --- Retention -----------------------------------------------------------------------------------------------


@pytest.fixture
def retention(settings):
    settings.ANALYTICS_RAW_RETENTION_DAYS = 30
    return 30


def test_prune_deletes_old_raw_events_and_keeps_their_rollups(retention):
    old = TODAY - datetime.timedelta(days=retention + 1)
    kept = TODAY - datetime.timedelta(days=retention)
    view(1, 10, 0, "/blog/a/", day=old)
    view(1, 10, 5, "/audit/", day=old)
    GoalFactory(at=paris(old, 10, 6), entry_path="/blog/a/", attributed=True)
    rollups.rollup_day(day=old, today=old)
    rolled = rows_of(old)
    view(2, 10, 0, "/", day=kept)
    GoalFactory(at=paris(kept, 10, 0))

    deleted = rollups.raw_events_prune(today=TODAY)

    assert deleted == 3
    assert not Hit.objects.filter(day=old).exists() and not Goal.objects.filter(day=old).exists()
    assert Hit.objects.filter(day=kept).count() == 1 and Goal.objects.filter(day=kept).count() == 1
    assert rows_of(old) == rolled
    assert DailyTotals.objects.get(day=old).pageviews == 2


def test_prune_rolls_up_a_day_first_when_its_rollups_are_missing_or_out_of_date(retention):
    missing = TODAY - datetime.timedelta(days=retention + 3)
    stale = TODAY - datetime.timedelta(days=retention + 2)
    view(1, 10, 0, "/blog/a/", day=missing)
    GoalFactory(at=paris(missing, 10, 1), entry_path="/blog/a/", attributed=True)
    view(1, 10, 0, "/", day=stale)
    rollups.rollup_day(day=stale, today=stale)  # rolled up at 10:00; the evening never was
    view(1, 20, 0, "/formations/", day=stale)

    rollups.raw_events_prune(today=TODAY)

    assert not Hit.objects.exists()
    assert DailyTotals.objects.get(day=missing).pageviews == 1
    assert DailyGoal.objects.get(day=missing).entry_path == "/blog/a/"
    assert DailyTotals.objects.get(day=stale).visits == 2


def test_a_pruned_day_is_never_recomputed_to_zeros(retention):
    old = TODAY - datetime.timedelta(days=retention + 1)
    view(1, 10, 0, "/blog/a/", day=old)
    rollups.raw_events_prune(today=TODAY)
    assert DailyTotals.objects.get(day=old).pageviews == 1

    assert rollups.rollup_day(day=old, today=TODAY) is None
    # Even inside the retention window, a day with rollups and no raw events left keeps its rollups.
    assert rollups.rollup_day(day=old, today=old) is None
    assert DailyTotals.objects.get(day=old).pageviews == 1
    assert DailyPage.objects.get(day=old, path="/blog/a/").pageviews == 1


def test_a_day_past_the_horizon_is_not_recomputed_even_before_the_prune(retention):
    old = TODAY - datetime.timedelta(days=retention + 1)
    view(1, 10, 0, "/", day=old)
    assert rollups.rollup_day(day=old, today=TODAY) is None
    assert not DailyTotals.objects.filter(day=old).exists()
    assert rollups.rollup_day(day=old + datetime.timedelta(days=1), today=TODAY) is not None


def test_prune_without_old_events_deletes_nothing(retention):
    view(1, 10, 0, "/", day=TODAY)
    assert rollups.raw_events_prune(today=TODAY) == 0
    assert Hit.objects.count() == 1


# --- Salts ---------------------------------------------------------------------------------------------------


def test_salts_rotate_deletes_past_days_and_forgets_them():
    yesterday = TODAY - datetime.timedelta(days=1)
    hashing.salts_forget()
    number_yesterday = hashing.visitor_hash(ip="203.0.113.5", user_agent="Firefox", day=yesterday)
    number_today = hashing.visitor_hash(ip="203.0.113.5", user_agent="Firefox", day=TODAY)
    assert number_today != number_yesterday

    assert rollups.salts_rotate(today=TODAY) == 1

    # Today's is kept, tomorrow's is made ahead (the first beacon after midnight reads it, writes nothing).
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert sorted(Salt.objects.values_list("day", flat=True)) == [TODAY, tomorrow]
    assert yesterday not in hashing._salts
    # Today's number stays the same (its salt is kept); yesterday's cannot be made again.
    assert hashing.visitor_hash(ip="203.0.113.5", user_agent="Firefox", day=TODAY) == number_today
    assert hashing.visitor_hash(ip="203.0.113.5", user_agent="Firefox", day=yesterday) != number_yesterday


# --- The tick ------------------------------------------------------------------------------------------------


def test_tick_attributes_goals_and_rolls_up_yesterday_and_today():
    yesterday = TODAY - datetime.timedelta(days=1)
    view(1, 23, 0, "/blog/a/", day=yesterday, utm_campaign="hiver")
    view(5, 9, 0, "/blog/b/", day=TODAY)
    GoalFactory(at=paris(yesterday, 23, 5), visitor=1)
    view(9, 9, 0, "/", day=DAY - datetime.timedelta(days=1))  # a week-old day never rolled up

    result = rollups.analytics_tick(today=TODAY)

    assert result["days_rolled_up"] == 3
    assert DailyTotals.objects.get(day=yesterday).pageviews == 1
    assert DailyTotals.objects.get(day=TODAY).pageviews == 1
    assert DailyTotals.objects.get(day=DAY - datetime.timedelta(days=1)).pageviews == 1
    goal = DailyGoal.objects.get(day=yesterday)
    assert (goal.entry_path, goal.utm_campaign) == ("/blog/a/", "hiver")


# --- Goal attribution ----------------------------------------------------------------------------------------

NOW = paris(DAY, 18)


def attributed(goal: Goal) -> tuple:
    goal.refresh_from_db()
    return goal.attributed, goal.entry_path, goal.referrer, goal.utm_source, goal.utm_campaign


def test_a_goal_is_attributed_to_the_entry_article_of_its_visit():
    view(1, 9, 0, "/", referrer="bing.com")  # an earlier visit of the same visitor
    view(1, 14, 0, "/blog/x/", referrer="linkedin.com", utm_source="linkedin", utm_campaign="lancement")
    view(1, 14, 3, "/audit/")
    goal = GoalFactory(at=paris(DAY, 14, 9), visitor=1, subject="audit-1")
    other_visitor = GoalFactory(at=paris(DAY, 14, 9), visitor=2)

    rollups.goals_attribute(now=NOW)

    assert attributed(goal) == (True, "/blog/x/", "linkedin.com", "linkedin", "lancement")
    # Its page views are not written yet (a buffer): it waits.
    assert attributed(other_visitor)[0] is False
    rollups.rollup_day(day=DAY, today=TODAY)
    row = DailyGoal.objects.get(day=DAY, entry_path="/blog/x/")
    assert (row.name, row.utm_campaign, row.count) == ("audit_completed", "lancement", 1)


def test_a_goal_reached_long_after_its_visit_still_takes_the_last_visit_started_before_it():
    view(1, 9, 0, "/blog/x/", utm_campaign="lancement")
    late = GoalFactory(at=paris(DAY, 13, 0), visitor=1)
    view(1, 15, 0, "/blog/y/")
    # The first page view of the visit comes a moment after the request that reached the goal.
    early = GoalFactory(at=paris(DAY, 14, 59, 58), visitor=1)

    # Reached in a visit that ends; another visit starts 31 minutes after its last page view.
    view(1, 16, 0, "/blog/z/")
    view(1, 16, 10, "/audit/")
    within = GoalFactory(at=paris(DAY, 16, 12), visitor=1)
    view(1, 16, 41, "/formations/", referrer="google.com")

    rollups.goals_attribute(now=NOW)

    assert attributed(late)[:2] == (True, "/blog/x/")
    assert attributed(early)[:2] == (True, "/blog/y/")
    assert attributed(within)[:3] == (True, "/blog/z/", "")


def test_goals_without_visitor_inherit_from_the_first_goal_about_the_same_subject():
    view(1, 14, 0, "/blog/x/", referrer="google.com", utm_campaign="lancement")
    view(1, 14, 3, "/audit/")
    started = GoalFactory(name="audit_started", at=paris(DAY, 14, 4), visitor=1, subject="audit-1")
    completed = GoalFactory(name="audit_completed", at=paris(DAY, 14, 9), visitor=1, subject="audit-1")
    report = GoalFactory(name="report_sent", at=paris(DAY, 14, 10), subject="audit-1")
    booked = GoalFactory(
        name="call_booked", at=paris(DAY, 14, 12), visitor=1, subject="booking-1", follows="audit-1"
    )
    held = GoalFactory(name="call_held", at=paris(DAY, 16, 0), subject="booking-9", follows="audit-1")

    days = rollups.goals_attribute(now=NOW)

    assert days == {DAY}
    first_touch = (True, "/blog/x/", "google.com", "", "lancement")
    assert attributed(started) == attributed(completed) == first_touch
    assert attributed(report) == first_touch
    assert attributed(booked) == first_touch
    assert attributed(held) == first_touch


def test_a_call_held_days_later_follows_the_audit():
    earlier = DAY - datetime.timedelta(days=3)
    view(1, 14, 0, "/blog/x/", day=earlier, utm_campaign="lancement")
    audit = GoalFactory(at=paris(earlier, 14, 5), visitor=1, subject="audit-1")
    rollups.goals_attribute(now=paris(earlier, 15))
    assert attributed(audit)[1] == "/blog/x/"

    # Staff mark the call held: no visitor, a subject of its own, the audit it follows.
    held = GoalFactory(name="call_held", at=paris(DAY, 11), subject="booking-1", follows="audit-1")
    rollups.goals_attribute(now=NOW)
    assert attributed(held) == (True, "/blog/x/", "", "", "lancement")


def test_a_goal_without_visitor_waits_for_its_chain_then_gives_up_after_a_day():
    completed = GoalFactory(at=paris(DAY, 14, 9), visitor=1, subject="audit-1")  # page views not written yet
    report = GoalFactory(name="report_sent", at=paris(DAY, 14, 10), subject="audit-1")
    alone = GoalFactory(name="newsletter_confirmed", at=paris(DAY, 14, 11))  # DNT: nothing to wait for

    rollups.goals_attribute(now=NOW)
    assert attributed(completed)[0] is False
    assert attributed(report)[0] is False
    assert attributed(alone) == (True, "", "", "", "")

    view(1, 14, 0, "/blog/x/")
    rollups.goals_attribute(now=NOW)
    assert attributed(completed)[:2] == attributed(report)[:2] == (True, "/blog/x/")


def test_an_unresolved_goal_stays_direct_after_a_day():
    goal = GoalFactory(at=paris(DAY, 14, 9), visitor=1)
    rollups.goals_attribute(now=paris(DAY + datetime.timedelta(days=1), 14, 8))
    assert attributed(goal)[0] is False
    days = rollups.goals_attribute(now=paris(DAY + datetime.timedelta(days=1), 14, 10))
    assert attributed(goal) == (True, "", "", "", "")
    assert days == {DAY}


def test_a_direct_first_goal_lets_a_later_visit_attribute_the_next_one():
    direct = GoalFactory(at=paris(DAY, 9), subject="audit-1")  # DNT: no visitor, direct
    view(1, 14, 0, "/blog/x/")
    booked = GoalFactory(name="call_booked", at=paris(DAY, 14, 5), visitor=1, follows="audit-1")
    rollups.goals_attribute(now=NOW)
    assert attributed(direct) == (True, "", "", "", "")
    assert attributed(booked)[:2] == (True, "/blog/x/")


def test_tick_goes_on_when_the_buffer_cannot_be_read(monkeypatch, caplog):
    class Unreachable:
        def flush(self):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(rollups, "get_buffer", lambda: Unreachable())
    view(5, 9, 0, "/blog/b/", day=TODAY)
    result = rollups.analytics_tick(today=TODAY)
    assert result["flushed"] == 0
    assert DailyTotals.objects.get(day=TODAY).pageviews == 1
    assert "buffer not flushed" in caplog.text


def test_a_goal_inherits_only_from_earlier_goals():
    later = GoalFactory(at=paris(DAY, 11), subject="audit-1", entry_path="/blog/x/", attributed=True)
    earlier = GoalFactory(name="audit_started", at=paris(DAY, 10), subject="audit-1")
    rollups.goals_attribute(now=NOW)
    assert attributed(earlier) == (True, "", "", "", "")
    assert attributed(later)[1] == "/blog/x/"

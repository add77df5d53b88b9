"""The newsletter's figures on a small hand-built history: members per list over time, movements per period,
totals, and what became of each letter."""

import datetime

import pytest
from django.utils import timezone

from frenchbot.newsletter import stats
from frenchbot.newsletter.models import Delivery, Issue, MailingList, Subscriber, SubscriptionChange

pytestmark = pytest.mark.django_db

# Sunday 6 December 2026, noon in Paris.
NOW = timezone.make_aware(datetime.datetime(2026, 12, 6, 12, 0))


def paris(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def days_ago(n: int, hour: int = 10) -> datetime.datetime:
    return paris(NOW.date() - datetime.timedelta(days=n), hour)


def subscriber(email: str, **fields) -> Subscriber:
    return Subscriber.objects.create(email=email, **fields)


def change(sub, mailing_list, kind, at, issue=None) -> SubscriptionChange:
    return SubscriptionChange.objects.create(
        subscriber=sub, mailing_list=mailing_list, kind=kind, at=at, issue=issue
    )


@pytest.fixture
def lists():
    news = MailingList.objects.create(slug="actualites", name="Actualités de l'IA", position=1)
    events = MailingList.objects.create(slug="evenements", name="Formations et événements", position=2)
    return news, events


def test_three_joins_then_one_leave_read_three_then_two(lists):
    news, events = lists
    J, L = SubscriptionChange.Kind.JOINED, SubscriptionChange.Kind.LEFT
    people = [subscriber(f"p{i}@exemple.fr") for i in range(3)]
    for person in people:
        change(person, news, J, days_ago(5))
    change(people[0], news, L, days_ago(2))
    # Before the period: counted in the starting figure, not lost.
    change(people[1], events, J, days_ago(45))

    series = stats.subscribers_per_list(period=stats.PERIODS["30j"], now=NOW)

    assert len(series.buckets) == 30
    assert series.buckets[-1] == NOW.date()
    assert series.buckets[0] == NOW.date() - datetime.timedelta(days=29)
    by_list = {line.mailing_list.slug: line.values for line in series.lists}
    assert by_list["actualites"][-7] == 0  # 6 days ago
    assert by_list["actualites"][-6] == 3  # 5 days ago, end of the day
    assert by_list["actualites"][-3] == 2  # 2 days ago
    assert by_list["actualites"][-1] == 2
    assert set(by_list["evenements"]) == {1}
    # The data table: one row per day, one figure per list (in the lists' order).
    date, values = series.rows[-6]
    assert date == NOW.date() - datetime.timedelta(days=5) and values == [3, 1]


def test_a_change_late_in_the_evening_counts_in_its_paris_day(lists):
    news, _ = lists
    # 23:30 in Paris is 22:30 UTC the same day, and a bucket ends at Paris midnight.
    change(subscriber("soir@exemple.fr"), news, SubscriptionChange.Kind.JOINED, days_ago(3, hour=23))
    values = stats.subscribers_per_list(period=stats.PERIODS["30j"], now=NOW).lists[0].values
    assert values[-5] == 0 and values[-4] == 1


def test_weeks_and_months(lists):
    news, _ = lists
    J, B = SubscriptionChange.Kind.JOINED, SubscriptionChange.Kind.BOUNCED
    a, b = subscriber("a@exemple.fr"), subscriber("b@exemple.fr")
    change(a, news, J, days_ago(60))
    change(b, news, J, days_ago(10))
    change(b, news, B, days_ago(1))

    weeks = stats.subscribers_per_list(period=stats.PERIODS["12s"], now=NOW)
    assert len(weeks.buckets) == 12 and all(day.weekday() == 0 for day in weeks.buckets)
    assert weeks.buckets[-1] == datetime.date(2026, 11, 30)
    assert weeks.lists[0].values[-3:] == [1, 2, 1]  # the week of 23 Nov: b joins; this week: b bounces

    months = stats.subscribers_per_list(period=stats.PERIODS["12m"], now=NOW)
    assert months.buckets[0] == datetime.date(2026, 1, 1) and months.buckets[-1] == datetime.date(2026, 12, 1)
    assert months.lists[0].values[-3:] == [1, 2, 1]  # October: a; November: b; December: b bounced


def test_movements_per_period_and_totals(lists):
    subscriber("c1@exemple.fr", status=Subscriber.Status.CONFIRMED, confirmed_at=days_ago(1))
    subscriber("c2@exemple.fr", status=Subscriber.Status.CONFIRMED, confirmed_at=days_ago(1, hour=20))
    subscriber(
        "u@exemple.fr",
        status=Subscriber.Status.UNSUBSCRIBED,
        confirmed_at=days_ago(40),
        unsubscribed_at=days_ago(0, hour=9),
    )
    subscriber(
        "b@exemple.fr", status=Subscriber.Status.BOUNCING, confirmed_at=days_ago(3), bounced_at=days_ago(2)
    )
    subscriber("p@exemple.fr")

    movements = stats.subscriber_movements(period=stats.PERIODS["30j"], now=NOW)

    assert [(m.confirmed, m.unsubscribed, m.bounced) for m in movements[-4:]] == [
        (1, 0, 0),
        (0, 0, 1),
        (2, 0, 0),
        (0, 1, 0),
    ]
    assert sum(m.confirmed for m in movements) == 3  # the one confirmed 40 days ago is outside
    assert stats.subscriber_totals() == {"confirmed": 2, "pending": 1, "unsubscribed": 1, "bouncing": 1}


def test_each_issue_has_its_figures_and_its_unsubscribes(lists):
    news, events = lists
    letter = Issue.objects.create(
        slug="decembre", subject="Décembre", body_markdown="…", status=Issue.Status.SENT, sent_at=days_ago(3)
    )
    draft = Issue.objects.create(slug="brouillon", subject="Brouillon", body_markdown="…")
    D = Delivery.Status
    statuses = [D.SENT] * 4 + [D.BOUNCED, D.SKIPPED, D.FAILED, D.PENDING]
    people = [subscriber(f"r{i}@exemple.fr") for i in range(len(statuses))]
    for person, status in zip(people, statuses, strict=True):
        Delivery.objects.create(issue=letter, subscriber=person, status=status)
    # One person leaves both lists through the letter (counted once), another leaves without a letter.
    change(people[0], news, SubscriptionChange.Kind.LEFT, days_ago(2), issue=letter)
    change(people[0], events, SubscriptionChange.Kind.LEFT, days_ago(2), issue=letter)
    change(people[1], news, SubscriptionChange.Kind.LEFT, days_ago(2))

    issues = stats.issues_with_figures()

    assert [issue.slug for issue in issues] == ["decembre", "brouillon"]
    sent = issues[0]
    assert (sent.recipients, sent.sent, sent.bounced, sent.skipped, sent.failed, sent.waiting) == (
        8,
        4,
        1,
        1,
        1,
        1,
    )
    assert sent.unsubscribes == 1 and sent.unsubscribe_rate == 25.0
    assert issues[1].recipients == 0 and issues[1].unsubscribes == 0 and issues[1].unsubscribe_rate is None
    assert draft.pk == issues[1].pk


def test_subscriber_rows_carry_their_lists(lists):
    news, events = lists
    person = subscriber("=cmd@exemple.fr", status=Subscriber.Status.CONFIRMED, confirmed_at=paris(NOW.date()))
    person.lists.set([news, events])
    header, row = list(stats.subscriber_csv_rows())
    assert header == ["e-mail", "statut", "listes", "confirmé le", "inscrit depuis"]
    assert row[0] == "=cmd@exemple.fr"  # escaped when written (core.csvexport), not here
    assert row[1] == "Confirmé" and row[2] == "Actualités de l'IA, Formations et événements"
    assert row[3] == "2026-12-06 10:00"


def test_the_queries_do_not_grow_with_the_history(lists, django_assert_num_queries):
    news, events = lists
    people = [subscriber(f"n{i}@exemple.fr") for i in range(40)]
    SubscriptionChange.objects.bulk_create(
        SubscriptionChange(
            subscriber=person, mailing_list=news if i % 2 else events, kind="joined", at=days_ago(i % 35)
        )
        for i, person in enumerate(people)
    )
    letter = Issue.objects.create(slug="l", subject="L", body_markdown="…", sent_at=days_ago(1))
    Delivery.objects.bulk_create(Delivery(issue=letter, subscriber=person) for person in people)
    # The lists, the members before the period, the changes per bucket.
    with django_assert_num_queries(3):
        series = stats.subscribers_per_list(period=stats.PERIODS["30j"], now=NOW)
    assert sum(line.values[-1] for line in series.lists) == 40
    with django_assert_num_queries(3):
        stats.subscriber_movements(period=stats.PERIODS["12m"], now=NOW)
    # The letters with their deliveries counted, then the departures per letter.
    with django_assert_num_queries(2):
        [issue] = stats.issues_with_figures()
    assert issue.recipients == 40

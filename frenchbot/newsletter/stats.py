"""The newsletter's figures for the team: subscribers per list over time, confirmations, unsubscribes and bounces
per period, and what became of each letter. Pure reads, each one a few aggregate queries whatever the number of
subscribers: the database counts, Python only lays the counts out (a few lists × at most 30 periods).

Periods are counted in the site's time zone (Europe/Paris): a day ends at local midnight."""

import dataclasses
import datetime
from collections.abc import Iterator

from django.db.models import Case, Count, DateField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Issue, MailingList, Subscriber, SubscriptionChange


@dataclasses.dataclass(frozen=True)
class Period:
    """A choice of the period selector: `count` buckets of one `unit` ("day", "week", "month"), ending with the
    current one."""

    key: str
    label: str
    unit: str
    count: int


PERIODS = {
    period.key: period
    for period in (
        Period("30j", _("30 derniers jours"), "day", 30),
        Period("12s", _("12 dernières semaines"), "week", 12),
        Period("12m", _("12 derniers mois"), "month", 12),
    )
}
DEFAULT_PERIOD = "30j"


def _bucket_start(day: datetime.date, unit: str) -> datetime.date:
    if unit == "week":
        return day - datetime.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: datetime.date, unit: str) -> datetime.date:
    if unit == "week":
        return start + datetime.timedelta(days=7)
    if unit == "month":
        return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return start + datetime.timedelta(days=1)


def period_buckets(*, period: Period, today: datetime.date) -> list[datetime.date]:
    """The first day of each bucket of `period`, oldest first, the last one holding `today`."""
    starts = [_bucket_start(today, period.unit)]
    while len(starts) < period.count:
        previous = starts[0] - datetime.timedelta(days=1)
        starts.insert(0, _bucket_start(previous, period.unit))
    return starts


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _period_bounds(
    *, period: Period, now: datetime.datetime | None
) -> tuple[list[datetime.date], datetime.datetime, datetime.datetime]:
    now = now or timezone.now()
    buckets = period_buckets(period=period, today=timezone.localdate(now))
    return buckets, _local_midnight(buckets[0]), now


def _bucket_of(column: str, unit: str) -> Trunc:
    # Truncated in the current time zone (Europe/Paris), returned as a date: the bucket's first day.
    return Trunc(column, unit, output_field=DateField(), tzinfo=timezone.get_current_timezone())


# A membership change counted +1 when it joins a list, -1 when it leaves it (unsubscribe or bounce).
_DELTA = Case(
    When(kind=SubscriptionChange.Kind.JOINED, then=Value(1)), default=Value(-1), output_field=IntegerField()
)


@dataclasses.dataclass
class ListSeries:
    mailing_list: MailingList
    # Confirmed members at the end of each bucket (up to now for the current one).
    values: list[int]


@dataclasses.dataclass
class SubscriberSeries:
    period: Period
    buckets: list[datetime.date]
    lists: list[ListSeries]

    @property
    def rows(self) -> list[tuple[datetime.date, list[int]]]:
        """The chart's data table: one row per bucket, one figure per list."""
        return [
            (bucket, [series.values[i] for series in self.lists]) for i, bucket in enumerate(self.buckets)
        ]

    @property
    def maximum(self) -> int:
        return max((max(series.values, default=0) for series in self.lists), default=0)


def subscribers_per_list(*, period: Period, now: datetime.datetime | None = None) -> SubscriberSeries:
    """Members of each list at the end of each bucket of `period`, from the membership history
    (SubscriptionChange): those who joined before, minus those who left or bounced. Two grouped queries: the
    members before the period, then the net change of each list in each bucket."""
    buckets, start, end = _period_bounds(period=period, now=now)
    lists = list(MailingList.objects.all())
    before = dict(
        SubscriptionChange.objects.filter(at__lt=start)
        .order_by()
        .values_list("mailing_list")
        .annotate(net=Sum(_DELTA))
    )
    deltas = {
        (list_id, bucket): net
        for list_id, bucket, net in SubscriptionChange.objects.filter(at__gte=start, at__lte=end)
        .annotate(bucket=_bucket_of("at", period.unit))
        .order_by()
        .values_list("mailing_list", "bucket")
        .annotate(net=Sum(_DELTA))
    }
    series = []
    for mailing_list in lists:
        running = before.get(mailing_list.pk) or 0
        values = []
        for bucket in buckets:
            running += deltas.get((mailing_list.pk, bucket), 0)
            values.append(running)
        series.append(ListSeries(mailing_list=mailing_list, values=values))
    return SubscriberSeries(period=period, buckets=buckets, lists=series)


@dataclasses.dataclass
class Movement:
    bucket: datetime.date
    confirmed: int
    unsubscribed: int
    bounced: int


def subscriber_movements(*, period: Period, now: datetime.datetime | None = None) -> list[Movement]:
    """Per bucket of `period`: the addresses confirmed, unsubscribed (from everything) and found bouncing, read
    from each subscriber's `confirmed_at`, `unsubscribed_at` and `bounced_at` (the latest time each happened to
    an address). One grouped query per figure."""
    buckets, start, end = _period_bounds(period=period, now=now)
    counts: dict[str, dict[datetime.date, int]] = {}
    for column in ("confirmed_at", "unsubscribed_at", "bounced_at"):
        counts[column] = dict(
            Subscriber.objects.filter(**{f"{column}__gte": start, f"{column}__lte": end})
            .annotate(bucket=_bucket_of(column, period.unit))
            .order_by()
            .values_list("bucket")
            .annotate(n=Count("pk"))
        )
    return [
        Movement(
            bucket=bucket,
            confirmed=counts["confirmed_at"].get(bucket, 0),
            unsubscribed=counts["unsubscribed_at"].get(bucket, 0),
            bounced=counts["bounced_at"].get(bucket, 0),
        )
        for bucket in buckets
    ]


def subscriber_totals() -> dict[str, int]:
    """How many addresses are in each status now: `confirmed`, `pending`, `unsubscribed`, `bouncing` (one
    query)."""
    Status = Subscriber.Status
    return Subscriber.objects.aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in Status}
    )


def issues_with_figures(*, limit: int | None = None) -> list[Issue]:
    """Letters, the latest sent first (drafts last), each annotated with `recipients`, `sent`, `bounced`,
    `skipped`, `failed`, `waiting` (pending or being sent) and `unsubscribes`: the addresses that left a list
    through that letter's link. Two queries: deliveries counted per letter, then departures per letter."""
    D = Delivery.Status
    annotated = Issue.objects.annotate(
        recipients=Count("deliveries"),
        sent=Count("deliveries", filter=Q(deliveries__status=D.SENT)),
        bounced=Count("deliveries", filter=Q(deliveries__status=D.BOUNCED)),
        skipped=Count("deliveries", filter=Q(deliveries__status=D.SKIPPED)),
        failed=Count("deliveries", filter=Q(deliveries__status=D.FAILED)),
        waiting=Count("deliveries", filter=Q(deliveries__status__in=[D.PENDING, D.SENDING])),
    ).order_by(F("sent_at").desc(nulls_last=True), "-created_at")
    issues = list(annotated[:limit] if limit else annotated)
    # A person leaving two lists through one letter counts once.
    unsubscribes = dict(
        SubscriptionChange.objects.filter(kind=SubscriptionChange.Kind.LEFT, issue__in=[i.pk for i in issues])
        .order_by()
        .values_list("issue")
        .annotate(n=Count("subscriber", distinct=True))
    )
    for issue in issues:
        issue.unsubscribes = unsubscribes.get(issue.pk, 0)
        issue.unsubscribe_rate = round(100 * issue.unsubscribes / issue.sent, 1) if issue.sent else None
    return issues


ISSUE_CSV_HEADER = [
    "lettre",
    "statut",
    "envoyée le",
    "destinataires",
    "envoyés",
    "refusés",
    "annulés (désinscrits)",
    "échecs temporaires",
    "en attente",
    "désinscriptions depuis la lettre",
]


def issue_csv_rows() -> Iterator[list]:
    """The per-letter figures as CSV rows, the header first."""
    yield ISSUE_CSV_HEADER
    for issue in issues_with_figures():
        yield [
            issue.subject,
            issue.get_status_display(),
            timezone.localtime(issue.sent_at).strftime("%Y-%m-%d %H:%M") if issue.sent_at else "",
            issue.recipients,
            issue.sent,
            issue.bounced,
            issue.skipped,
            issue.failed,
            issue.waiting,
            issue.unsubscribes,
        ]


SUBSCRIBER_CSV_HEADER = ["e-mail", "statut", "listes", "confirmé le", "inscrit depuis"]


def subscriber_csv_rows() -> Iterator[list]:
    """Every subscriber (personal data: for staff allowed to see subscribers), read in chunks with their lists
    (one query per chunk), the header first."""
    yield SUBSCRIBER_CSV_HEADER
    subscribers = Subscriber.objects.order_by("email").prefetch_related("lists")
    for subscriber in subscribers.iterator(chunk_size=500):
        yield [
            subscriber.email,
            subscriber.get_status_display(),
            ", ".join(mailing_list.name for mailing_list in subscriber.lists.all()),
            timezone.localtime(subscriber.confirmed_at).strftime("%Y-%m-%d %H:%M")
            if subscriber.confirmed_at
            else "",
            subscriber.origin,
        ]

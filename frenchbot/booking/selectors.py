"""Reads of booking: which slots are free, for whom, and the month calendar a visitor picks a day from."""

from __future__ import annotations

import calendar
import datetime
import uuid
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from frenchbot.audits.selectors import audit_get

from .models import UNIT, ZONE_NAME_MAX, Booking, DateOverride, EventType, OccupiedUnit, TeamMember, zone_load

if TYPE_CHECKING:
    from frenchbot.audits.models import Audit

UTC = datetime.UTC
_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Slot:
    """A start a visitor may book, with the members free then (best round-robin choice first)."""

    start: datetime.datetime  # aware, UTC
    end: datetime.datetime
    member_ids: tuple[int, ...] = field(default=(), compare=False)


def zone_get(tz: str | datetime.tzinfo) -> datetime.tzinfo:
    """The zone named `tz` (a tzinfo passes through); raises ValueError when the name is unknown."""
    if isinstance(tz, datetime.tzinfo):
        return tz
    try:
        return zone_load(tz)
    except ValueError:
        raise ValueError(f"Fuseau horaire inconnu : {str(tz)[:ZONE_NAME_MAX]!r}.") from None


def event_types_active() -> QuerySet[EventType]:
    return EventType.objects.filter(is_active=True).order_by("position", "name")


def event_type_get_active(*, slug: str) -> EventType | None:
    return event_types_active().filter(slug=slug).first()


def booking_get(*, public_id) -> Booking | None:
    try:
        return (
            Booking.objects.select_related("event_type", "member__user", "lead")
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, TypeError):  # not a UUID at all
        return None


def _at(day: datetime.date, time: datetime.time, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    # zoneinfo resolves each wall-clock time with that day's offset: 9 h in Paris is 8 h UTC in winter and
    # 7 h UTC in summer, and an interval crossing the change (2 h → 3 h in March) simply has its real length.
    return datetime.datetime.combine(day, time, tzinfo=zone).astimezone(UTC)


def _subtract(intervals, cut_start, cut_end):
    result = []
    for start, end in intervals:
        if cut_end <= start or cut_start >= end:
            result.append((start, end))
            continue
        if start < cut_start:
            result.append((start, cut_start))
        if cut_end < end:
            result.append((cut_end, end))
    return result


def member_availability(
    *, member: TeamMember, day: datetime.date, rules_by_weekday: dict, overrides: list[DateOverride]
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The member's open intervals (UTC) on `day` of their own calendar: weekly hours, then that day's
    overrides (closed all day; closed some hours; extra hours)."""
    zone = member.zone
    if any(o.kind == DateOverride.Kind.CLOSED and o.start_time is None for o in overrides):
        return []
    intervals = [
        (_at(day, r.start_time, zone), _at(day, r.end_time, zone))
        for r in rules_by_weekday.get(day.weekday(), [])
    ]
    intervals += [
        (_at(day, o.start_time, zone), _at(day, o.end_time, zone))
        for o in overrides
        if o.kind == DateOverride.Kind.EXTRA and o.start_time and o.end_time
    ]
    for o in overrides:
        if o.kind == DateOverride.Kind.CLOSED and o.start_time and o.end_time:
            intervals = _subtract(intervals, _at(day, o.start_time, zone), _at(day, o.end_time, zone))
    intervals.sort()
    merged: list[tuple[datetime.datetime, datetime.datetime]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif start < end:
            merged.append((start, end))
    return merged


def units_of(
    *, start: datetime.datetime, end: datetime.datetime, event_type: EventType
) -> list[datetime.datetime]:
    """The 15-minute units a booking from `start` to `end` holds, its buffers included."""
    unit = start - event_type.buffer_before
    last = end + event_type.buffer_after
    units = []
    while unit < last:
        units.append(unit)
        unit += UNIT
    return units


def members_round_robin(*, member_ids) -> list[int]:
    """Members in the order they should get the next booking: the least recently booked first (a member
    never booked comes first), ties broken by id. Deterministic for a given database state."""
    last = dict(
        Booking.objects.filter(member_id__in=list(member_ids))
        .values_list("member_id")
        .annotate(last=Max("created_at"))
    )
    never = datetime.datetime.min.replace(tzinfo=UTC)
    return sorted(member_ids, key=lambda pk: (last.get(pk) or never, pk))


def slots_available(
    *,
    event_type: EventType,
    start_date: datetime.date,
    end_date: datetime.date,
    tz: str | zoneinfo.ZoneInfo,
    now: datetime.datetime | None = None,
) -> list[Slot]:
    """Free starts of `event_type` from `start_date` to `end_date` included, these days read in zone `tz`.

    A start is offered when, for at least one active member who takes the event type: the meeting lies
    inside that member's availability (weekly hours in their zone, date overrides), it is at least
    `min_notice_minutes` from `now` and at most `booking_window_days` ahead, the member's day (in their
    zone) has fewer than `max_per_day` bookings of this type, and no unit of the meeting or of its buffers
    is held by another booking. Raises ValueError for an unknown zone.
    """
    zone = zone_get(tz)
    now = now or timezone.now()
    if end_date < start_date:
        return []
    range_start = _at(start_date, datetime.time(0), zone)
    range_end = _at(end_date + datetime.timedelta(days=1), datetime.time(0), zone)
    earliest = max(range_start, now + datetime.timedelta(minutes=event_type.min_notice_minutes))
    latest = min(range_end, now + datetime.timedelta(days=event_type.booking_window_days))
    if earliest >= latest:
        return []

    first_day = earliest.date() - datetime.timedelta(days=1)
    last_day = latest.date() + datetime.timedelta(days=1)
    members = list(
        event_type.members.filter(is_active=True).prefetch_related(
            "rules",
            Prefetch(
                "overrides", queryset=DateOverride.objects.filter(date__gte=first_day, date__lte=last_day)
            ),
        )
    )
    if not members:
        return []
    member_ids = [m.pk for m in members]
    busy: dict[int, set] = defaultdict(set)
    for member_id, unit in OccupiedUnit.objects.filter(
        member_id__in=member_ids,
        start__gte=earliest - event_type.buffer_before - UNIT,
        start__lt=latest + event_type.duration + event_type.buffer_after,
    ).values_list("member_id", "start"):
        busy[member_id].add(unit)
    per_day: Counter = Counter()
    if event_type.max_per_day:
        zones = {m.pk: m.zone for m in members}
        for member_id, start in Booking.objects.filter(
            event_type=event_type,
            member_id__in=member_ids,
            status=Booking.Status.CONFIRMED,
            start__gte=earliest - datetime.timedelta(days=2),
            start__lt=latest + datetime.timedelta(days=2),
        ).values_list("member_id", "start"):
            per_day[(member_id, start.astimezone(zones[member_id]).date())] += 1

    duration = event_type.duration
    step = datetime.timedelta(minutes=event_type.slot_step_minutes)
    # Offsets from a start of the units its meeting and buffers hold (the hot loop adds them, no lists).
    unit_offsets = [u - _EPOCH for u in units_of(start=_EPOCH, end=_EPOCH + duration, event_type=event_type)]
    free: dict[datetime.datetime, list[int]] = defaultdict(list)
    for member in members:
        rules_by_weekday: dict[int, list] = defaultdict(list)
        for rule in member.rules.all():
            rules_by_weekday[rule.weekday].append(rule)
        overrides_by_day: dict[datetime.date, list] = defaultdict(list)
        for override in member.overrides.all():
            overrides_by_day[override.date].append(override)
        member_busy = busy[member.pk]
        day = earliest.astimezone(member.zone).date()
        last_local_day = latest.astimezone(member.zone).date()
        while day <= last_local_day:
            if event_type.max_per_day and per_day[(member.pk, day)] >= event_type.max_per_day:
                day += datetime.timedelta(days=1)
                continue
            for open_start, open_end in member_availability(
                member=member, day=day, rules_by_weekday=rules_by_weekday, overrides=overrides_by_day[day]
            ):
                start = open_start
                while start + duration <= open_end:
                    if earliest <= start < latest and not (
                        member_busy and any(start + offset in member_busy for offset in unit_offsets)
                    ):
                        free[start].append(member.pk)
                    start += step
            day += datetime.timedelta(days=1)

    if not free:
        return []
    order = {pk: rank for rank, pk in enumerate(members_round_robin(member_ids=member_ids))}
    return [
        Slot(start=start, end=start + duration, member_ids=tuple(sorted(ids, key=order.__getitem__)))
        for start, ids in sorted(free.items())
    ]


def slot_find(
    *, event_type: EventType, start: datetime.datetime, now: datetime.datetime | None = None
) -> Slot | None:
    """The free slot starting exactly at `start` (aware), or None."""
    start = start.astimezone(UTC)
    day = start.date()
    for slot in slots_available(
        event_type=event_type,
        start_date=day - datetime.timedelta(days=1),
        end_date=day + datetime.timedelta(days=1),
        tz=UTC,
        now=now,
    ):
        if slot.start == start:
            return slot
    return None


def slots_near(
    *,
    event_type: EventType,
    around: datetime.datetime,
    tz,
    days: int = 7,
    now: datetime.datetime | None = None,
) -> list[Slot]:
    """Fresh slots to offer instead of one just taken: that day (in `tz`) and the following ones."""
    zone = zone_get(tz)
    day = around.astimezone(zone).date()
    today = (now or timezone.now()).astimezone(zone).date()
    day = max(day, today)
    return slots_available(
        event_type=event_type,
        start_date=day,
        end_date=day + datetime.timedelta(days=days - 1),
        tz=zone,
        now=now,
    )


@dataclass(frozen=True)
class CalendarDay:
    date: datetime.date
    in_month: bool
    slot_count: int


@dataclass(frozen=True)
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[CalendarDay]]
    slots_by_day: dict[datetime.date, list[Slot]]
    previous: datetime.date | None  # first day of the previous month, when it can hold slots
    next: datetime.date | None

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)


def calendar_month(
    *, event_type: EventType, year: int, month: int, tz, now: datetime.datetime | None = None
) -> CalendarMonth:
    """The month as weeks of days (Monday first), each with its number of free slots in zone `tz`."""
    zone = zone_get(tz)
    now = now or timezone.now()
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    slots = slots_available(event_type=event_type, start_date=first, end_date=last, tz=zone, now=now)
    by_day: dict[datetime.date, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.start.astimezone(zone).date()].append(slot)
    weeks = [
        [
            CalendarDay(date=day, in_month=day.month == month, slot_count=len(by_day.get(day, [])))
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    today = now.astimezone(zone).date()
    window_end = (now + datetime.timedelta(days=event_type.booking_window_days)).astimezone(zone).date()
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    return CalendarMonth(
        year=year,
        month=month,
        weeks=weeks,
        slots_by_day=dict(by_day),
        previous=previous if first > today else None,
        next=following if following <= window_end else None,
    )


def slot_first_available(*, event_type: EventType, tz, now: datetime.datetime | None = None) -> Slot | None:
    """The earliest free slot within the booking window, to open the calendar on the right month."""
    zone = zone_get(tz)
    now = now or timezone.now()
    today = now.astimezone(zone).date()
    slots = slots_available(
        event_type=event_type,
        start_date=today,
        end_date=today + datetime.timedelta(days=event_type.booking_window_days + 1),
        tz=zone,
        now=now,
    )
    return slots[0] if slots else None


def bookings_upcoming(*, now: datetime.datetime | None = None) -> QuerySet[Booking]:
    """Confirmed bookings still to come, soonest first (for the team)."""
    return (
        Booking.objects.filter(status=Booking.Status.CONFIRMED, end__gt=now or timezone.now())
        .select_related("event_type", "member", "lead")
        .order_by("start")
    )


def bookings_past(*, now: datetime.datetime | None = None, days: int = 30) -> QuerySet[Booking]:
    """Confirmed bookings of the last `days` days that are over, latest first: the team notes whether each
    call was held."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            end__lte=now,
            start__gte=now - datetime.timedelta(days=days),
        )
        .select_related("event_type", "member", "lead")
        .order_by("-start", "-id")
    )


def bookings_upcoming_count() -> int:
    """How many confirmed bookings are still to come (one indexed count, for the metrics)."""
    return Booking.objects.filter(status=Booking.Status.CONFIRMED, end__gt=timezone.now()).count()


def audit_for_booking(value) -> Audit | None:
    """The audit report a visitor brings to their booking, from its id as text (None when not a known id)."""
    try:
        audit_id = uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
    return audit_get(audit_id=audit_id)

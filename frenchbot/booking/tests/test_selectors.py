"""Slot computation: availability in the member's zone, notice, buffers, daily maximum, overrides, time zones
and daylight saving — read with a fixed `now` so that the dates never depend on the day the suite runs."""

import contextlib
import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frenchbot.booking import selectors, services
from frenchbot.booking.models import DateOverride, OccupiedUnit

from .factories import EventTypeFactory, TeamMemberFactory
from .helpers import MONDAY, NEW_YORK, PARIS, UTC, last_sunday, paris

pytestmark = pytest.mark.django_db

NOW = paris(2027, 2, 22, 9)  # a week before MONDAY


def _local_times(slots, zone=PARIS):
    return [s.start.astimezone(zone).strftime("%H:%M") for s in slots]


def _book(event_type, start, email="v@example.fr", now=NOW):
    return services.booking_create(
        event_type=event_type,
        start=start,
        name="Visiteur",
        email=email,
        consent=True,
        consent_text="oui",
        now=now,
    )


def test_weekday_hours_give_the_expected_slots():
    event_type = EventTypeFactory(booking_window_days=60)
    slots = selectors.slots_available(
        event_type=event_type, start_date=MONDAY, end_date=MONDAY, tz="Europe/Paris", now=NOW
    )
    assert _local_times(slots) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30",
    ]  # fmt: skip
    assert all(s.end - s.start == datetime.timedelta(minutes=30) for s in slots)
    weekend = selectors.slots_available(
        event_type=event_type,
        start_date=MONDAY - datetime.timedelta(days=2),
        end_date=MONDAY - datetime.timedelta(days=1),
        tz="Europe/Paris",
        now=NOW,
    )
    assert weekend == []


def test_minimum_notice_and_booking_window():
    event_type = EventTypeFactory(min_notice_minutes=240, booking_window_days=3)
    now = paris(2027, 3, 1, 10, 5)
    today = selectors.slots_available(
        event_type=event_type, start_date=MONDAY, end_date=MONDAY, tz=PARIS, now=now
    )
    assert _local_times(today)[0] == "14:30"  # 10 h 05 + 4 h = 14 h 05
    later = selectors.slots_available(
        event_type=event_type,
        start_date=MONDAY,
        end_date=MONDAY + datetime.timedelta(days=10),
        tz=PARIS,
        now=now,
    )
    assert max(s.start for s in later) <= now + datetime.timedelta(days=3)


def test_bookings_and_their_buffers_block_slots():
    event_type = EventTypeFactory(buffer_after_minutes=15, booking_window_days=60)
    _book(event_type, paris(2027, 3, 1, 10))
    slots = selectors.slots_available(
        event_type=event_type, start_date=MONDAY, end_date=MONDAY, tz=PARIS, now=NOW
    )
    # 9 h 30 would run its buffer into 10 h; 10 h 30 falls in the booking's own buffer.
    assert _local_times(slots)[:3] == ["09:00", "11:00", "11:30"]


def test_maximum_per_day_closes_the_members_day():
    event_type = EventTypeFactory(max_per_day=1, booking_window_days=60)
    _book(event_type, paris(2027, 3, 1, 9))
    monday = selectors.slots_available(
        event_type=event_type, start_date=MONDAY, end_date=MONDAY, tz=PARIS, now=NOW
    )
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert monday == []
    assert (
        len(
            selectors.slots_available(
                event_type=event_type, start_date=tuesday, end_date=tuesday, tz=PARIS, now=NOW
            )
        )
        == 14
    )


def test_date_overrides_close_days_hours_and_add_extra_hours():
    member = TeamMemberFactory()
    event_type = EventTypeFactory(members=[member], booking_window_days=60)
    tuesday, saturday = MONDAY + datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=5)
    DateOverride.objects.create(member=member, date=MONDAY, kind="closed")
    DateOverride.objects.create(
        member=member, date=tuesday, kind="closed", start_time=datetime.time(14), end_time=datetime.time(16)
    )
    DateOverride.objects.create(
        member=member, date=saturday, kind="extra", start_time=datetime.time(10), end_time=datetime.time(11)
    )

    def day(d):
        return _local_times(
            selectors.slots_available(event_type=event_type, start_date=d, end_date=d, tz=PARIS, now=NOW)
        )

    assert day(MONDAY) == []
    assert day(tuesday) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "16:00",
        "16:30",
        "17:00",
        "17:30",
    ]
    assert day(saturday) == ["10:00", "10:30"]


def test_spring_change_keeps_paris_hours_and_moves_utc():
    event_type = EventTypeFactory(booking_window_days=400)
    change = last_sunday(2027, 3)
    friday, monday = change - datetime.timedelta(days=2), change + datetime.timedelta(days=1)
    slots = selectors.slots_available(
        event_type=event_type, start_date=friday, end_date=monday, tz=PARIS, now=NOW
    )
    firsts = {s.start.astimezone(PARIS).date(): s.start for s in reversed(slots)}
    assert firsts[friday].astimezone(UTC).hour == 8  # 9 h in Paris, winter time (UTC+1)
    assert firsts[monday].astimezone(UTC).hour == 7  # 9 h in Paris, summer time (UTC+2)
    assert _local_times([s for s in slots if s.start.astimezone(PARIS).date() == monday])[0] == "09:00"


def test_spring_change_night_has_no_slot_in_the_missing_hour():
    member = TeamMemberFactory(hours=[])
    event_type = EventTypeFactory(members=[member], booking_window_days=400, min_notice_minutes=0)
    change = last_sunday(2027, 3)
    DateOverride.objects.create(
        member=member, date=change, kind="extra", start_time=datetime.time(1), end_time=datetime.time(5)
    )
    slots = selectors.slots_available(
        event_type=event_type, start_date=change, end_date=change, tz=PARIS, now=NOW
    )
    # 1 h–5 h that night lasts three real hours: 2 h–3 h does not exist.
    assert _local_times(slots) == ["01:00", "01:30", "03:00", "03:30", "04:00", "04:30"]
    assert [s.start.astimezone(UTC).strftime("%H:%M") for s in slots] == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "02:00",
        "02:30",
    ]


def test_autumn_change_night_offers_the_repeated_hour_twice():
    member = TeamMemberFactory(hours=[])
    event_type = EventTypeFactory(members=[member], booking_window_days=400, min_notice_minutes=0)
    change = last_sunday(2027, 10)
    DateOverride.objects.create(
        member=member, date=change, kind="extra", start_time=datetime.time(1), end_time=datetime.time(4)
    )
    slots = selectors.slots_available(
        event_type=event_type, start_date=change, end_date=change, tz=PARIS, now=NOW
    )
    # 1 h–4 h that night lasts four real hours: 2 h–3 h happens twice, once in summer time, once in winter time.
    assert _local_times(slots) == ["01:00", "01:30", "02:00", "02:30", "02:00", "02:30", "03:00", "03:30"]
    assert len({s.start for s in slots}) == 8
    assert [s.start.astimezone(PARIS).utcoffset().total_seconds() / 3600 for s in slots[2:6]] == [2, 2, 1, 1]


def test_autumn_change_weekday_hours_move_in_utc():
    event_type = EventTypeFactory(booking_window_days=400)
    change = last_sunday(2027, 10)
    friday, monday = change - datetime.timedelta(days=2), change + datetime.timedelta(days=1)
    slots = selectors.slots_available(
        event_type=event_type, start_date=friday, end_date=monday, tz=PARIS, now=NOW
    )
    by_day = {}
    for slot in slots:
        by_day.setdefault(slot.start.astimezone(PARIS).date(), slot.start)
    assert by_day[friday].astimezone(UTC).hour == 7  # summer time
    assert by_day[monday].astimezone(UTC).hour == 8  # winter time


def test_visitor_zone_shows_the_same_slots_in_their_own_hours():
    event_type = EventTypeFactory(booking_window_days=400)
    # Between the American change (14 March 2027) and the European one (28 March) New York is 5 h behind Paris,
    # 6 h after.
    before = datetime.date(2027, 3, 22)
    after = datetime.date(2027, 3, 29)
    for day, expected in ((before, "04:00"), (after, "03:00")):
        slots = selectors.slots_available(
            event_type=event_type, start_date=day, end_date=day, tz=NEW_YORK, now=NOW
        )
        assert _local_times(slots, NEW_YORK)[0] == expected
    # A day read in New York reaches into the next Paris day: 20 h in New York is 1 h in Paris.
    late = selectors.slots_available(
        event_type=event_type, start_date=before, end_date=before, tz=NEW_YORK, now=NOW
    )
    assert all(s.start.astimezone(NEW_YORK).date() == before for s in late)


def test_unknown_zone_is_refused():
    event_type = EventTypeFactory()
    for bad in ("Mars/Olympus", "", "../../etc/passwd", "Europe/Paris\x00"):
        with pytest.raises(ValueError):
            selectors.slots_available(
                event_type=event_type, start_date=MONDAY, end_date=MONDAY, tz=bad, now=NOW
            )


def test_round_robin_gives_the_least_recently_booked_free_member():
    a, b = TeamMemberFactory(), TeamMemberFactory()
    event_type = EventTypeFactory(members=[a, b], booking_window_days=60)
    first = _book(event_type, paris(2027, 3, 1, 9), email="un@example.fr")
    second = _book(event_type, paris(2027, 3, 1, 9), email="deux@example.fr")
    third = _book(event_type, paris(2027, 3, 1, 14), email="trois@example.fr")
    fourth = _book(event_type, paris(2027, 3, 1, 15), email="quatre@example.fr")
    assert [first.member, second.member, third.member, fourth.member] == [a, b, a, b]
    slot = selectors.slots_available(
        event_type=event_type, start_date=MONDAY, end_date=MONDAY, tz=PARIS, now=NOW
    )[0]
    assert slot.member_ids == (a.pk, b.pk)  # a was booked longest ago


@pytest.mark.parametrize("month", [3, 10])
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_slot_overlaps_a_booking_or_leaves_availability(month, data):
    """Property: whatever the hours, buffers and bookings around a daylight-saving change, every offered slot
    lies inside the member's hours (in Paris) and none of its units or buffers meets an occupied unit."""
    from django.db import transaction

    change = last_sunday(2027, month)
    with transaction.atomic():
        start_hour = data.draw(st.integers(0, 20), label="start_hour")
        length = data.draw(st.integers(1, 6), label="hours")
        end_hour = min(start_hour + length, 23)
        member = TeamMemberFactory(
            hours=[(d, datetime.time(start_hour), datetime.time(end_hour)) for d in range(7)]
        )
        event_type = EventTypeFactory(
            members=[member],
            booking_window_days=400,
            min_notice_minutes=0,
            duration_minutes=data.draw(st.sampled_from([15, 30, 45, 60]), label="duration"),
            buffer_before_minutes=data.draw(st.sampled_from([0, 15]), label="before"),
            buffer_after_minutes=data.draw(st.sampled_from([0, 15, 30]), label="after"),
            slot_step_minutes=data.draw(st.sampled_from([15, 30]), label="step"),
        )
        first, last = change - datetime.timedelta(days=1), change + datetime.timedelta(days=1)
        offered = selectors.slots_available(
            event_type=event_type, start_date=first, end_date=last, tz=PARIS, now=NOW
        )
        for slot in (
            data.draw(st.lists(st.sampled_from(offered), max_size=4, unique=True), label="booked")
            if offered
            else []
        ):
            # A pick may be taken by a previous pick's buffers: that refusal is fine here.
            with contextlib.suppress(services.BookingError):
                _book(event_type, slot.start)
        held = set(OccupiedUnit.objects.values_list("start", flat=True))
        for slot in selectors.slots_available(
            event_type=event_type, start_date=first, end_date=last, tz=PARIS, now=NOW
        ):
            # Compared as instants (in UTC): the hours as that day's clock in Paris reads them.
            day = slot.start.astimezone(PARIS).date()
            opens = datetime.datetime.combine(day, datetime.time(start_hour), tzinfo=PARIS).astimezone(UTC)
            closes = datetime.datetime.combine(day, datetime.time(end_hour), tzinfo=PARIS).astimezone(UTC)
            assert opens <= slot.start and slot.end <= closes
            assert slot.end - slot.start == event_type.duration
            assert not held & set(selectors.units_of(start=slot.start, end=slot.end, event_type=event_type))
        transaction.set_rollback(True)

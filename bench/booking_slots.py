"""Booking: how long the free slots of 60 days take to compute for 5 team members, and how many bookings per
second the service takes from concurrent visitors without an error.

Everything goes to a temporary database (SQLite under a temporary folder, or DATABASE_URL), never the site's.

    .venv/bin/python bench/booking_slots.py [--runs 30] [--bookings 200] [--threads 8] [--json]
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="slot computations measured")
    parser.add_argument("--bookings", type=int, default=200, help="bookings attempted for the throughput")
    parser.add_argument("--threads", type=int, default=8, help="concurrent visitors")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("FRENCHBOT_VAR_DIR", tempfile.mkdtemp(prefix="frenchbot-booking-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from frenchbot.booking.models import AvailabilityRule, Booking, EventType, TeamMember
    from frenchbot.booking.selectors import slots_available
    from frenchbot.booking.services import BookingError, booking_create

    call_command("migrate", verbosity=0)
    Booking.objects.all().delete()
    EventType.objects.all().delete()
    TeamMember.objects.all().delete()
    members = []
    for number in range(5):
        user = get_user_model().objects.create(username=f"bench-{number}-{time.time_ns()}", is_staff=True)
        member = TeamMember.objects.create(
            user=user, display_name=f"Membre {number}", timezone="Europe/Paris"
        )
        AvailabilityRule.objects.bulk_create(
            AvailabilityRule(member=member, weekday=weekday, start_time=start, end_time=end)
            for weekday in range(5)
            for start, end in ((datetime.time(9), datetime.time(12)), (datetime.time(14), datetime.time(18)))
        )
        members.append(member)
    event_type = EventType.objects.create(
        slug="appel-audit",
        name="Appel d'audit offert",
        duration_minutes=30,
        buffer_before_minutes=5,
        buffer_after_minutes=10,
        min_notice_minutes=120,
        max_per_day=6,
        booking_window_days=90,
    )
    event_type.members.add(*members)
    today = timezone.localdate()
    start, end = today, today + datetime.timedelta(days=59)

    # Throughput: concurrent visitors book the first slots (several ask for the same one, as real visitors would).
    free = slots_available(event_type=event_type, start_date=start, end_date=end, tz="Europe/Paris")
    wanted = [free[i // 2].start for i in range(min(args.bookings, 2 * len(free)))]
    outcomes = {"booked": 0, "taken": 0, "errors": 0}
    failures: dict[str, int] = {}
    lock = threading.Lock()
    cursor = iter(range(len(wanted)))

    def visitor() -> None:
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            try:
                booking_create(
                    event_type=event_type,
                    start=wanted[index],
                    name="Visiteur de test",
                    email=f"visiteur{index}@example.fr",
                    consent=True,
                    consent_text="J'accepte d'être recontacté.",
                    ip=f"10.0.{index // 250}.{index % 250}",
                )
                result = "booked"
            except BookingError:
                result = "taken"
            except Exception as exc:  # noqa: BLE001 - counted: the target is zero
                result = "errors"
                with lock:
                    failures[type(exc).__name__ + ": " + str(exc)[:160]] = (
                        failures.get(type(exc).__name__ + ": " + str(exc)[:160], 0) + 1
                    )
            with lock:
                outcomes[result] += 1
        connections.close_all()

    began = time.perf_counter()
    threads = [threading.Thread(target=visitor) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    # Slot computation with those bookings in place.
    timings = []
    for _ in range(args.runs):
        began_run = time.perf_counter()
        slots = slots_available(event_type=event_type, start_date=start, end_date=end, tz="Europe/Paris")
        timings.append((time.perf_counter() - began_run) * 1000)
    timings.sort()
    result = {
        "database": connection.vendor,
        "members": len(members),
        "days": 60,
        "slots": len(slots),
        "slots_p50_ms": round(statistics.median(timings), 1),
        "slots_p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "attempts": len(wanted),
        "threads": args.threads,
        **outcomes,
        "bookings_per_s": round(len(wanted) / elapsed, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['database']}: {result['slots']} free slots over 60 days for 5 members in "
            f"p50 {result['slots_p50_ms']} ms, p95 {result['slots_p95_ms']} ms; {result['attempts']} booking "
            f"attempts by {args.threads} visitors at {result['bookings_per_s']}/s: {outcomes['booked']} booked, "
            f"{outcomes['taken']} told the slot was taken, {outcomes['errors']} errors"
        )
    for failure, count in failures.items():
        print(f"  {count} × {failure}", file=sys.stderr)
    return 0 if outcomes["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

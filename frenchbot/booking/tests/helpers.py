"""Fixed moments for tests that must not depend on today's date (daylight saving, minimum notice)."""

import datetime
import zoneinfo

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = datetime.UTC


def paris(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def last_sunday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, 31)
    while day.weekday() != 6:
        day -= datetime.timedelta(days=1)
    return day


# A Monday well before the spring change of 2027 (28 March) from which "now" is taken in these tests.
MONDAY = datetime.date(2027, 3, 1)

"""Raw analytics rows for tests: page views, engagement beacons and goals of a fixed day (Europe/Paris)."""

import datetime
import zoneinfo

import factory

from frenchbot.analytics.models import Goal, GoalName, Hit

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    """An aware datetime at `hour:minute` of `day` in Europe/Paris (the day of the rows)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=PARIS)


class HitFactory(factory.django.DjangoModelFactory):
    """A page view; pass `kind=Hit.Kind.ENGAGEMENT` with `duration`/`scroll` for an engagement beacon."""

    class Meta:
        model = Hit

    at = factory.LazyFunction(lambda: paris(datetime.date(2026, 3, 10), 10))
    day = factory.LazyAttribute(lambda o: o.at.astimezone(PARIS).date())
    visitor = factory.Sequence(lambda n: 1_000 + n)
    kind = Hit.Kind.PAGEVIEW
    path = "/"
    referrer = ""
    utm_source = ""
    utm_medium = ""
    utm_campaign = ""
    device = "desktop"
    country = "FR"
    duration = None
    scroll = None


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    at = factory.LazyFunction(lambda: paris(datetime.date(2026, 3, 10), 10))
    day = factory.LazyAttribute(lambda o: o.at.astimezone(PARIS).date())
    name = GoalName.AUDIT_COMPLETED
    visitor = None
    subject = ""
    follows = ""

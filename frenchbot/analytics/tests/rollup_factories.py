"""Daily rollup rows as the rollup job writes them, for the tests of what reads them (the dashboard, the weekly
report): these tests never go through raw events."""

import datetime

import factory

from frenchbot.analytics.models import DailyDimension, DailyGoal, DailyPage, DailyTotals

DAY = datetime.date(2026, 11, 30)


class DailyTotalsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyTotals
        django_get_or_create = ("day",)

    day = DAY
    visitors = 80
    visits = 100
    pageviews = 250
    bounces = 40
    visit_seconds = 100 * 95


class DailyPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyPage

    day = DAY
    path = factory.Sequence(lambda n: f"/page-{n}/")
    pageviews = 10
    visitors = 8
    entries = 5
    exits = 5
    seconds_total = 600
    seconds_count = 10
    scroll_total = 500
    scroll_count = 10


class DailyDimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyDimension

    day = DAY
    dimension = "referrer"
    value = "www.google.com"
    visits = 10
    visitors = 9


class DailyGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyGoal

    day = DAY
    name = "audit_completed"
    entry_path = "/"
    count = 1

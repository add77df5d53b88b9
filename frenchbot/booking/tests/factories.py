import datetime

import factory
from django.contrib.auth import get_user_model

from frenchbot.booking.models import AvailabilityRule, EventType, TeamMember

PARIS_HOURS = [(datetime.time(9), datetime.time(12)), (datetime.time(14), datetime.time(18))]


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"membre{n}")
    first_name = "Camille"
    email = factory.LazyAttribute(lambda o: f"{o.username}@thefrenchbot.fr")
    is_staff = True


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember
        skip_postgeneration_save = True

    user = factory.SubFactory(StaffUserFactory)
    display_name = factory.Sequence(lambda n: f"Camille {n}")
    timezone = "Europe/Paris"

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        """Weekly hours: `hours=[(weekday, start, end), ...]`; by default Monday–Friday 9–12 h and 14–18 h."""
        if not create:
            return
        rules = extracted if extracted is not None else [(d, s, e) for d in range(5) for s, e in PARIS_HOURS]
        AvailabilityRule.objects.bulk_create(
            AvailabilityRule(member=self, weekday=d, start_time=s, end_time=e) for d, s, e in rules
        )


def every_day(start=datetime.time(8), end=datetime.time(20)):
    """Hours on all seven days, so that tests relying on the real clock always find slots tomorrow."""
    return [(d, start, end) for d in range(7)]


class EventTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventType
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"appel-audit-{n}")
    name = "Appel d'audit offert"
    description = "30 minutes pour voir où l'IA peut vous aider."
    duration_minutes = 30
    slot_step_minutes = 30
    min_notice_minutes = 240
    booking_window_days = 30

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create:
            self.members.add(*(extracted if extracted is not None else [TeamMemberFactory()]))

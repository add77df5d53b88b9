import pytest
from django.core.management import call_command

from frenchbot.booking import selectors
from frenchbot.booking.models import AvailabilityRule, EventType, TeamMember

pytestmark = pytest.mark.django_db


def test_demo_loads_booking_once_with_slots(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_login=True)
    assert set(EventType.objects.values_list("name", flat=True)) == {
        "Appel d'audit offert",
        "Découverte formation entreprise",
    }
    member = TeamMember.objects.get()
    assert member.user.is_staff and not member.user.has_usable_password()
    assert AvailabilityRule.objects.count() == 10
    for event_type in EventType.objects.all():
        assert selectors.slot_first_available(event_type=event_type, tz="Europe/Paris") is not None
    call_command("demo", quiet_login=True)
    assert EventType.objects.count() == 2
    assert TeamMember.objects.count() == 1

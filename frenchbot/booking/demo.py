"""Demo data for booking: one team member (Camille), weekday hours, the two event types of the offer.
`frenchbot demo` loads it once."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import AvailabilityRule, EventType, TeamMember

EVENT_TYPES = [
    {
        "slug": "appel-audit-offert",
        "name": "Appel d'audit offert",
        "description": (
            "30 minutes pour regarder avec vous où l'IA peut vous faire gagner du temps : vos outils, vos tâches "
            "répétitives, vos données. Sans engagement."
        ),
        "duration_minutes": 30,
        "buffer_after_minutes": 15,
        "max_per_day": 6,
        "position": 0,
    },
    {
        "slug": "decouverte-formation-entreprise",
        "name": "Découverte formation entreprise",
        "description": (
            "45 minutes pour construire la formation de votre équipe : niveau de départ, cas d'usage de vos "
            "métiers, format (sur site ou à distance) et financement."
        ),
        "duration_minutes": 45,
        "buffer_before_minutes": 15,
        "buffer_after_minutes": 15,
        "max_per_day": 3,
        "position": 1,
    },
]

HOURS = [(datetime.time(9), datetime.time(12)), (datetime.time(14), datetime.time(18))]


def booking_demo_load() -> dict[str, int]:
    """Create the demo booking set-up unless an event type already exists; returns what was created."""
    if EventType.objects.exists():
        return {"members": 0, "event_types": 0}
    user_model = get_user_model()
    with transaction.atomic():
        user, created = user_model.objects.get_or_create(
            username="camille",
            defaults={
                "first_name": "Camille",
                "last_name": "Laurent",
                "email": "camille@thefrenchbot.fr",
                "is_staff": True,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        member, _ = TeamMember.objects.get_or_create(
            user=user, defaults={"display_name": "Camille Laurent", "timezone": "Europe/Paris"}
        )
        if not member.rules.exists():
            AvailabilityRule.objects.bulk_create(
                AvailabilityRule(member=member, weekday=weekday, start_time=start, end_time=end)
                for weekday in range(5)
                for start, end in HOURS
            )
        for data in EVENT_TYPES:
            event_type = EventType.objects.create(**data)
            event_type.members.add(member)
    return {"members": 1, "event_types": len(EVENT_TYPES)}


def demo_report() -> str:
    """Load the demo booking set-up for `frenchbot demo` and say what was created ("" when it was there)."""
    created = booking_demo_load()
    if not created["event_types"]:
        return ""
    return (
        f"Rendez-vous : {created['event_types']} types de rendez-vous, Camille disponible "
        "du lundi au vendredi (9 h–12 h, 14 h–18 h)."
    )


@transaction.atomic
def demo_remove() -> str:
    """Take the demo team member (Camille) out of the calendar: deleted with her account when no booking names
    her, else no longer taking bookings. The event types stay: they are the company's own calls, to give to
    real team members in the admin. Says what was done."""
    member = TeamMember.objects.filter(user__username="camille").select_related("user").first()
    if member is None:
        return ""
    if member.bookings.exists():
        TeamMember.objects.filter(pk=member.pk).update(is_active=False)
        return "Rendez-vous : Camille Laurent (démonstration) ne prend plus de rendez-vous."
    member.user.delete()
    return (
        "Rendez-vous : Camille Laurent (démonstration) retirée ; donnez les types de rendez-vous à votre équipe "
        "dans l'administration."
    )

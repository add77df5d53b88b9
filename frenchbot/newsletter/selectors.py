"""Reads of the newsletter: the lists offered in the forms, and what is kept about one subscriber."""

from django.db.models import QuerySet

from .models import MailingList, Subscriber


def lists_public() -> QuerySet[MailingList]:
    """The lists offered at sign-up and on the preferences page, in their order."""
    return MailingList.objects.filter(is_public=True).order_by("position", "name")


def lists_default_slugs() -> list[str]:
    """The lists ticked in a fresh form (all the public ones when none is marked as default)."""
    public = list(lists_public())
    return [m.slug for m in public if m.is_default] or [m.slug for m in public]


def subscriber_for_email(*, email: str) -> Subscriber | None:
    """The subscriber of `email` (case-insensitive), for a signed-in person's own address only: never to tell a
    visitor whether an address is subscribed."""
    address = (email or "").strip().lower()
    if not address:
        return None
    return Subscriber.objects.filter(email=address).prefetch_related("lists").first()


def subscriber_kept_data(*, subscriber: Subscriber) -> dict:
    """What is kept about the subscriber, for the « ce que nous conservons » part of the preferences page."""
    return {
        "email": subscriber.email,
        "status": subscriber.get_status_display(),
        "lists": [m.name for m in subscriber.lists.all()],
        "origin": subscriber.origin,
        "consent_text": subscriber.consent_text,
        "consent_at": subscriber.consent_at,
        "confirmed_at": subscriber.confirmed_at,
        "unsubscribed_at": subscriber.unsubscribed_at,
        "created_at": subscriber.created_at,
    }

"""Reads of the newsletter: the lists offered in the forms, what is kept about one subscriber, and the
archive and progress of the letters."""

from django.db.models import Count, Q, QuerySet

from .models import Delivery, Issue, MailingList, Subscriber


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


# --- The archive and the sends ---------------------------------------------------------------------------


def issues_archived() -> QuerySet[Issue]:
    """The letters of the public archive: sent and published there, newest first."""
    return Issue.objects.filter(status=Issue.Status.SENT, in_archive=True).order_by("-sent_at", "-pk")


def issue_get_archived(*, slug: str) -> Issue | None:
    """A letter of the archive by its address. A letter being sent is readable already (its e-mail links
    to this page), but listed only once sent."""
    return Issue.objects.filter(
        slug=slug, in_archive=True, status__in=[Issue.Status.SENDING, Issue.Status.SENT]
    ).first()


def issue_send_progress(*, issue: Issue) -> dict[str, int]:
    """Rows of the send per outcome: total, sent, bounced, failed, skipped, waiting (pending or in progress)."""
    by_status = Delivery.objects.filter(issue=issue).aggregate(
        total=Count("id"),
        sent=Count("id", filter=Q(status=Delivery.Status.SENT)),
        bounced=Count("id", filter=Q(status=Delivery.Status.BOUNCED)),
        failed=Count("id", filter=Q(status=Delivery.Status.FAILED)),
        skipped=Count("id", filter=Q(status=Delivery.Status.SKIPPED)),
        waiting=Count("id", filter=Q(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])),
    )
    return by_status

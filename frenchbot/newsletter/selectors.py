"""Reads of the newsletter."""

from django.db.models import Count, Q, QuerySet

from .models import Delivery, Issue

# --- Sending and archive (the writing and sending part) ----------------------------------------------------------


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

"""Background work of the blog, run by the task queue so that no request waits for SMTP."""

import logging
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from frenchbot.core.mail import mail_send_templated, staff_notification_recipients

from .models import Comment, PollVote

logger = logging.getLogger(__name__)


@task()
def notify_staff_of_held_comment(comment_id: int) -> int:
    """E-mail the moderators about one comment waiting for them; 0 when it was moderated meanwhile."""
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return 0
    return mail_send_templated(
        to=staff_notification_recipients(),
        subject=_("Commentaire à modérer : %(title)s") % {"title": comment.article.title},
        template="blog/email/comment_held.txt",
        context={
            "comment": comment,
            "admin_path": reverse("admin:blog_comment_change", args=[comment.pk]),
            "queue_path": reverse("admin:blog_comment_changelist") + "?status__exact=pending",
        },
    )


@task()
def poll_fingerprints_prune() -> int:
    """Blank the address fingerprint of poll votes older than RETENTION_POLL_FINGERPRINTS_DAYS (0 keeps it):
    it only stops repeated votes for a day (the privacy policy says so); the votes stay counted."""
    days = settings.RETENTION_POLL_FINGERPRINTS_DAYS
    if not days:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    blanked = (
        PollVote.objects.filter(created_at__lt=cutoff).exclude(ip_fingerprint="").update(ip_fingerprint="")
    )
    logger.info("Rétention : empreintes d'adresse effacées sur %d votes (plus de %d jours)", blanked, days)
    return blanked

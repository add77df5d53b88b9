"""Background work of the blog, run by the task queue so that no request waits for SMTP."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from frenchbot.core.mail import mail_send_templated, staff_notification_recipients

from .models import Comment


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

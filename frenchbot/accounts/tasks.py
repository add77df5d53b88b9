"""Background work of accounts: the account e-mails leave through the task queue, never during the request."""

from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import task

from frenchbot.core.mail import mail_send


@task()
def send_account_email(
    *, subject: str, body: str, to: list[str], from_email: str, html: str | None = None
) -> int:
    """Send one e-mail already rendered in the request (in the visitor's language); returns 1 when sent. Only
    for messages without a credential: the task's arguments are kept in the task-results table."""
    return mail_send(to=to, subject=subject, body=body, html=html, from_email=from_email)


@task()
def send_account_link_email(*, template_prefix: str, email: str, user_id: int, language: str) -> int:
    """Render and send the password-reset or confirmation e-mail of `user_id` at `email`, making its link here:
    the arguments name who and what, never the link, which is a credential. Returns 1 when sent, 0 when the
    account is gone or inactive, or the address no longer needs confirming."""
    from .adapter import AccountAdapter, account_link_email_context

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    with translation.override(language):
        context = account_link_email_context(template_prefix=template_prefix, user=user, email=email)
        if context is None:
            return 0
        message = AccountAdapter().render_mail(template_prefix, email, context)
    html = next(
        (content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), None
    )
    return mail_send(
        to=list(message.to),
        subject=message.subject,
        body=message.body,
        html=html,
        from_email=message.from_email,
    )

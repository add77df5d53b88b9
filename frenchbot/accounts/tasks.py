"""Background work of accounts: the account e-mails leave through the task queue, never during the request."""

from django_tasks import task

from frenchbot.core.mail import mail_send


@task()
def send_account_email(
    *, subject: str, body: str, to: list[str], from_email: str, html: str | None = None
) -> int:
    """Send one e-mail already rendered in the request (in the visitor's language); returns 1 when sent."""
    return mail_send(to=to, subject=subject, body=body, html=html, from_email=from_email)

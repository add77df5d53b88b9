"""Background work of accounts: the account e-mails leave through the task queue, never during the request."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_account_email(
    *, subject: str, body: str, to: list[str], from_email: str, html: str | None = None
) -> int:
    """Send one e-mail already rendered in the request (in the visitor's language); returns 1 when sent."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()

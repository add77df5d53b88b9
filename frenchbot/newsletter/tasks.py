"""Background work of the newsletter: its e-mails leave through the task queue, never during a request."""

from django_tasks import task

from .models import Subscriber

# --- Sign-up -------------------------------------------------------------------------------------------------


@task()
def send_signup_email(subscriber_id: int, kind: str) -> int:
    """The confirmation link (`kind` "confirm") or the « vous êtes déjà inscrit » notice ("already") of a sign-up;
    0 when the address changed state meanwhile (confirmed before the e-mail left, unsubscribed…). The arguments
    name who and what, never the link, which is a credential made here."""
    from . import signup_emails

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return 0
    if kind == "confirm" and subscriber.status == Subscriber.Status.PENDING:
        return signup_emails.send_confirmation(subscriber=subscriber)
    if kind == "already" and subscriber.status == Subscriber.Status.CONFIRMED:
        return signup_emails.send_already_subscribed(subscriber=subscriber)
    return 0

"""Sending e-mails written as templates, in the recipient's language."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def mail_send_templated(
    *, to: list[str], subject: str, template: str, context: dict, language: str | None = None
) -> int:
    """Render `template` (plain text) and send it; returns the number of messages sent."""
    if not to:
        return 0
    with translation.override(language or settings.LANGUAGE_CODE):
        body = render_to_string(template, {"site_url": settings.SITE_URL, **context})
        message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
        return message.send()


def staff_notification_recipients() -> list[str]:
    """Who hears about things to moderate: the configured list, else every active staff member."""
    if settings.STAFF_NOTIFICATION_EMAILS:
        return list(settings.STAFF_NOTIFICATION_EMAILS)
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return sorted({user.email for user in users})

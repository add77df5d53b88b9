"""The one way e-mails leave the site: built here, sent through Django's configured backend.

Every app sends through ``mail_send`` (a body already rendered) or ``mail_send_templated`` (a plain-text template
rendered in the recipient's language). Both put the subject on one line, so a visitor's name cannot add a header,
and take the sender from ``DEFAULT_FROM_EMAIL`` unless told otherwise. They are called from the task queue, never
during a request.
"""

from collections.abc import Iterable
from email.mime.base import MIMEBase

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .text import single_line

# (filename, content, mimetype), or a MIME part built by the caller (an ICS invitation with its METHOD).
Attachment = tuple[str, bytes, str] | MIMEBase


def mail_send(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
    connection=None,
) -> int:
    """Send one message: a plain-text ``body``, an optional ``html`` alternative and ``attachments``.

    Returns the number of messages sent (0 when ``to`` is empty); SMTP errors propagate, so the task queue can
    retry the task. ``connection`` (from ``django.core.mail.get_connection``) lets a batch reuse one open SMTP
    session for many messages.
    """
    if not to:
        return 0
    message = EmailMultiAlternatives(
        subject=single_line(str(subject)),
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
        headers=headers,
        connection=connection,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        if isinstance(attachment, MIMEBase):
            message.attach(attachment)
        else:
            filename, content, mimetype = attachment
            message.attach(filename, content, mimetype)
    return message.send()


def mail_send_templated(
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict,
    language: str | None = None,
    attachments: Iterable[Attachment] = (),
    reply_to: list[str] | None = None,
) -> int:
    """Render ``template`` (plain text) in ``language`` (default: the site's) with ``site_url`` in its context,
    and send it with ``mail_send``; returns the number of messages sent."""
    if not to:
        return 0
    with translation.override(language or settings.LANGUAGE_CODE):
        body = render_to_string(template, {"site_url": settings.SITE_URL, **context})
        return mail_send(to=to, subject=str(subject), body=body, attachments=attachments, reply_to=reply_to)


def staff_notification_recipients() -> list[str]:
    """Who hears about things to moderate: the configured list, else every active staff member."""
    if settings.STAFF_NOTIFICATION_EMAILS:
        return list(settings.STAFF_NOTIFICATION_EMAILS)
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return sorted({user.email for user in users})

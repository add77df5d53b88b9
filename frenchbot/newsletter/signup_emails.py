"""The e-mails of the sign-up: plain text, with a simple HTML alternative in the brand's colours, from
NEWSLETTER_FROM_EMAIL."""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from frenchbot.core.mail import mail_send

from .models import Subscriber
from .services.subscriptions import subscriber_links, subscriber_token


def _send(*, subscriber: Subscriber, subject: str, template: str, context: dict) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, "SITE_NAME": getattr(settings, "SITE_NAME", ""), **context}
        context["subject"] = subject
        body = render_to_string(f"newsletter/email/{template}.txt", context)
        html = render_to_string(f"newsletter/email/{template}.html", context)
    return mail_send(
        to=[subscriber.email],
        subject=subject,
        body=body,
        html=html,
        from_email=settings.NEWSLETTER_FROM_EMAIL,
    )


def send_confirmation(*, subscriber: Subscriber) -> int:
    """The double opt-in link: signed, valid NEWSLETTER_CONFIRM_MAX_AGE_DAYS days."""
    token = subscriber_token(subscriber=subscriber, action="confirm")
    days = settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS
    expires = timezone.localtime(timezone.now() + datetime.timedelta(days=days))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Confirmez votre inscription à la lettre de The French Bot")
        expires_text = date_format(expires, "j F Y")
    return _send(
        subscriber=subscriber,
        subject=subject,
        template="confirm",
        context={
            "confirm_url": settings.SITE_URL + reverse("newsletter:confirm", args=[token]),
            "days": days,
            "expires": expires_text,
            "lists": [m.name for m in subscriber.lists.all()],
        },
    )


def send_already_subscribed(*, subscriber: Subscriber) -> int:
    """To a confirmed address signed up again: nothing changed, here is the link to the preferences."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Vous êtes déjà inscrit à la lettre de The French Bot")
    links = subscriber_links(subscriber=subscriber)
    return _send(
        subscriber=subscriber,
        subject=subject,
        template="already",
        context={
            "preferences_url": links["preferences"],
            "unsubscribe_url": links["unsubscribe"],
            "lists": [m.name for m in subscriber.lists.all()],
        },
    )

"""What the visitor can do inside the chat: book the audit call in one of the slots shown, leave a message for the
team, sign up for the letter, open a training. Each action is a dict with a ``type`` (the name of the stream's event that carries it,
``slots``, ``trainings`` or ``form``) and what the widget and the page need to draw it.

The writes go through the owning apps' services (``booking.booking_create``, ``leads.contact_submit``): a booking
made in the chat has the same database guarantees, lead record and e-mails as one made on ``/rendez-vous/``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from frenchbot.booking.emails import when_text, zone_label
from frenchbot.booking.forms import CONSENT_TEXT as BOOKING_CONSENT_TEXT
from frenchbot.booking.forms import parse_start
from frenchbot.booking.models import EventType
from frenchbot.booking.selectors import (
    Slot,
    event_type_get_active,
    event_types_active,
    slots_available,
    zone_get,
)
from frenchbot.booking.services import BookingError, booking_create, booking_rate_limit, booking_token
from frenchbot.core.errors import DomainError
from frenchbot.core.text import french_typography, single_line
from frenchbot.leads.forms import CONTACT_CONSENT_TEXT
from frenchbot.leads.models import Source
from frenchbot.leads.services import ContactError, ContactSubject, contact_rate_limited, contact_submit
from frenchbot.newsletter.errors import NewsletterError
from frenchbot.newsletter.forms import CONSENT_TEXT as NEWSLETTER_CONSENT_TEXT
from frenchbot.newsletter.selectors import lists_default_slugs, lists_public
from frenchbot.newsletter.services.subscriptions import subscription_request

from .models import Conversation, Message

# How many slots the chat shows, and at most how many of them on one day (a visitor choosing between Tuesday
# and Thursday is better served than one choosing between 10:00 and 10:30 on Tuesday).
SLOTS_SHOWN = 6
SLOTS_PER_DAY = 2
# How far ahead the chat looks for them.
SLOTS_DAYS = 14
# How much of the conversation goes with a message to the team.
TRANSCRIPT_MESSAGES = 20


class ActionError(DomainError):
    """An action refused in the chat (a taken slot, an invalid e-mail, no consent…): ``message`` for the visitor,
    ``field`` as the chat's form names it, ``extra["slots"]`` the fresh slots when the one chosen was taken."""


# ---------------------------------------------------------------------------------------------------------------
# Offers (read)


def _safe_zone(tz: str) -> str:
    try:
        zone_get(tz)
    except ValueError:
        return settings.TIME_ZONE
    return tz


def _event_type() -> EventType | None:
    slug = settings.ASSISTANT_BOOKING_EVENT_TYPE
    return (event_type_get_active(slug=slug) if slug else None) or event_types_active().first()


def slot_label(moment: datetime.datetime, tz: str) -> str:
    """« mardi 8 décembre à 10 h » (« à 14 h 30 ») in the visitor's zone, as the brand writes hours."""
    local = moment.astimezone(zone_get(tz))
    time = f"{local.hour}\u00a0h" + (f"\u00a0{local.minute:02d}" if local.minute else "")
    return _("%(date)s à %(time)s") % {"date": date_format(local, "l j F"), "time": time}


def slots_out(slots: list[Slot], tz: str) -> list[dict]:
    zone = zone_get(tz)
    return [
        {
            "start": slot.start.astimezone(zone).isoformat(),
            "end": slot.end.astimezone(zone).isoformat(),
            "label": slot_label(slot.start, tz),
        }
        for slot in slots
    ]


def _spread(slots: list[Slot], tz: str) -> list[Slot]:
    zone = zone_get(tz)
    chosen, per_day = [], {}
    for slot in slots:
        day = slot.start.astimezone(zone).date()
        if per_day.get(day, 0) >= SLOTS_PER_DAY:
            continue
        per_day[day] = per_day.get(day, 0) + 1
        chosen.append(slot)
        if len(chosen) == SLOTS_SHOWN:
            break
    return chosen


def slots_offer(*, tz: str, now: datetime.datetime | None = None) -> dict | None:
    """The ``slots`` action: the next free slots of the audit call in the visitor's zone, with what booking one
    from the chat needs; None when no call is offered or nothing is free in the coming days."""
    event_type = _event_type()
    if event_type is None:
        return None
    tz = _safe_zone(tz)
    now = now or timezone.now()
    today = now.astimezone(zone_get(tz)).date()
    days = min(SLOTS_DAYS, event_type.booking_window_days or SLOTS_DAYS)
    free = slots_available(
        event_type=event_type,
        start_date=today,
        end_date=today + datetime.timedelta(days=days),
        tz=tz,
        now=now,
    )
    chosen = _spread(free, tz)
    if not chosen:
        return None
    return {
        "type": "slots",
        "event_type": event_type.slug,
        "title": _("%(name)s (%(minutes)d min)")
        % {"name": event_type.name, "minutes": event_type.duration_minutes},
        "timezone": tz,
        "timezone_label": str(zone_label(tz)),
        "slots": slots_out(chosen, tz),
        "url": reverse("booking:calendar", args=[event_type.slug]),
        "consent_text": str(BOOKING_CONSENT_TEXT),
    }


def handoff_form() -> dict:
    """The ``form`` action that leaves a message for the team, the conversation attached."""
    return {
        "type": "form",
        "form": "handoff",
        "consent_text": str(CONTACT_CONSENT_TEXT),
        "submit_label": _("Envoyer à l'équipe"),
        "fields": [
            {"name": "name", "label": _("Votre nom"), "type": "text", "required": True},
            {"name": "email", "label": _("Votre e-mail"), "type": "email", "required": True},
            {
                "name": "message",
                "label": _("Votre message (facultatif)"),
                "type": "textarea",
                "required": False,
            },
        ],
    }


def newsletter_form() -> dict | None:
    """The ``form`` action that signs up for the letter (double opt-in) with the default lists; None when no list
    is open to sign-ups."""
    slugs = set(lists_default_slugs())
    if not slugs:
        return None
    return {
        "type": "form",
        "form": "newsletter",
        "consent_text": str(NEWSLETTER_CONSENT_TEXT),
        "submit_label": _("M'inscrire"),
        "next": _("Vous recevrez un e-mail pour confirmer votre inscription."),
        "lists": [m.name for m in lists_public() if m.slug in slugs],
        "fields": [{"name": "email", "label": _("Votre e-mail"), "type": "email", "required": True}],
    }


def trainings_cards(trainings) -> dict:
    """The ``trainings`` action: one card per training of the catalogue."""
    return {
        "type": "trainings",
        "trainings": [
            {
                "title": training.title,
                "url": training.get_absolute_url(),
                "audience": str(training.get_audience_display()),
                "duration": hours_text(training.duration_hours),
                "price": french_typography(training.price_text or ""),
                "summary": training.summary,
            }
            for training in trainings
        ],
    }


def hours_text(value) -> str:
    hours = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{hours} h"


def actions_for(*, actions: list[dict], conversation_id: str) -> list[dict]:
    """The actions with the address their form posts to in this conversation (``submit``)."""
    names = {
        ("slots", None): "api:assistant_booking",
        ("form", "handoff"): "api:assistant_handoff",
        ("form", "newsletter"): "api:assistant_newsletter",
    }
    return [
        {**action, "submit": reverse(names[key], args=[conversation_id])}
        if (key := (action.get("type"), action.get("form"))) in names
        else action
        for action in actions
    ]


# ---------------------------------------------------------------------------------------------------------------
# Acting (write)


_BOOKING_FIELDS = {"tz": "timezone", "event_type": "start"}


def _bot_message(*, conversation: Conversation, text: str) -> Message:
    message = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, content=french_typography(text)
    )
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return message


def chat_booking_create(
    *,
    conversation: Conversation,
    event_type: str,
    start: str,
    name: str,
    email: str,
    consent: bool,
    tz: str,
    ip: str,
) -> tuple[object, Message]:
    """Book one of the slots the chat offered, through the booking service (same checks, same lead record, same
    e-mails), and add the bot's confirmation to the conversation. Raises ActionError: code "taken" with the
    fresh slots in ``extra["slots"]``, "rate_limited", or the field's own code; nothing is written then."""
    tz = _safe_zone(tz)
    try:
        booking_rate_limit(ip=ip)
        kind = event_type_get_active(slug=(event_type or "").strip()[:80])
        if kind is None:
            raise BookingError(
                _(
                    "Ce type de rendez-vous n'est plus proposé : choisissez un créneau sur la page des rendez-vous."
                ),
                field="start",
                code="event_type",
            )
        with transaction.atomic():
            booking = booking_create(
                event_type=kind,
                start=parse_start(start),
                name=single_line(name),
                email=email,
                consent=consent,
                consent_text=str(BOOKING_CONSENT_TEXT),
                locale="fr",
                tz=tz,
                ip=ip,
            )
            manage_url = reverse("booking:view", args=[booking_token(booking=booking, action="view")])
            when = when_text(booking.start, tz)
            message = _bot_message(
                conversation=conversation,
                text=_(
                    "C'est réservé : **%(event)s**, le %(when)s, avec %(member)s. Une confirmation part à "
                    "%(email)s avec l'invitation pour votre agenda.\n\n[Voir ou déplacer mon rendez-vous](%(url)s)"
                )
                % {
                    "event": kind.name,
                    "when": when,
                    "member": booking.member.display_name,
                    "email": booking.email,
                    "url": manage_url + "?nouveau=1",
                },
            )
    except BookingError as error:
        extra = {"slots": slots_out(error.fresh_slots, tz)} if error.code == "taken" else {}
        raise ActionError(
            error.message, field=_BOOKING_FIELDS.get(error.field, error.field), code=error.code, extra=extra
        ) from None
    booking.manage_url = manage_url + "?nouveau=1"
    booking.label = slot_label(booking.start, tz)
    return booking, message


def _transcript(conversation: Conversation) -> str:
    messages = list(
        conversation.messages.exclude(content="").order_by("-created_at", "-id")[:TRANSCRIPT_MESSAGES]
    )
    lines = []
    for message in reversed(messages):
        who = _("Visiteur") if message.role == Message.Role.USER else _("Bot")
        lines.append(f"{who} : {message.content.strip()}")
    return "\n\n".join(lines)


def chat_handoff_send(
    *, conversation: Conversation, name: str, email: str, message: str, consent: bool, ip: str
) -> Message:
    """Hand the conversation over to the team: the visitor's lead is created or updated with a timeline event
    carrying their message and the conversation, the team is e-mailed (through the task queue), and the bot
    says so in the chat. Raises ActionError (``errors`` per field, or "rate_limited"); nothing is written then."""
    if contact_rate_limited(ip=ip):
        raise ActionError(
            _("Trop de messages envoyés en peu de temps : réessayez dans quelques minutes."),
            code="rate_limited",
        )
    text = (message or "").strip() or _("(pas de message : voir la conversation ci-dessous)")
    try:
        with transaction.atomic():
            lead = contact_submit(
                name=name,
                email=email,
                company="",
                subject=ContactSubject.OTHER,
                message=text,
                consent=consent,
                consent_text=str(CONTACT_CONSENT_TEXT),
                ip=ip,
                source=Source.ASSISTANT,
                conversation=_transcript(conversation),
            )
            reply = _bot_message(
                conversation=conversation,
                text=_(
                    "Merci %(name)s, c'est transmis : une personne de l'équipe vous répond à %(email)s sous deux "
                    "jours ouvrés, avec notre conversation sous les yeux."
                )
                % {"name": single_line(name), "email": lead.email},
            )
    except ContactError as error:
        raise ActionError(error.message, field=error.field, code="invalid", errors=error.errors) from None
    return reply


def chat_newsletter_subscribe(*, conversation: Conversation, email: str, consent: bool, ip: str) -> Message:
    """Sign up for the letter from the chat, through the newsletter's own service (same checks, same double
    opt-in, at most one e-mail per address and hour), and add the bot's answer to the conversation; the answer
    is the same whether or not the address was subscribed. Raises ActionError (the field and French message of
    the refusal); nothing is written then."""
    try:
        with transaction.atomic():
            subscriber = subscription_request(
                email=email,
                list_slugs=None,
                consent=consent,
                consent_text=str(NEWSLETTER_CONSENT_TEXT),
                origin="assistant",
                ip=ip,
            )
            reply = _bot_message(
                conversation=conversation,
                text=_(
                    "Merci ! Un e-mail de confirmation part à %(email)s : cliquez sur son lien pour recevoir la "
                    "lettre. Rien ne vous sera envoyé sans cette confirmation. Pas d'e-mail d'ici quelques minutes ? "
                    "Regardez dans vos courriers indésirables."
                )
                % {"email": subscriber.email},
            )
    except NewsletterError as error:
        raise ActionError(error.message, field=error.field, code=error.code) from None
    return reply

"""The booking API: event types, free slots, and booking a slot (the same rules as the pages).

A refusal is a BookingError (a DomainError) raised by a service or by the parse helpers below; the API's one
handler (`config/api.py`) answers it: 422 for invalid input, 409 with the free slots when the slot was just
taken, 429 over the rate limit, each with `detail`, `field` and `code`.
"""

import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from frenchbot.core.net import client_ip
from frenchbot.core.schemas import ErrorOut

from . import selectors, services
from .forms import CONSENT_TEXT, parse_start
from .models import EventType
from .schemas import BookingIn, BookingOut, EventTypeOut, SlotOut, TakenOut
from .services import BookingError

router = Router(tags=["Rendez-vous"])

MAX_RANGE_DAYS = 62


class SlotsQuery(Schema):
    event_type: str = NinjaField("", description="Slug du type de rendez-vous.")
    start: str = NinjaField("", description="Premier jour, AAAA-MM-JJ, dans le fuseau `tz`.")
    end: str = NinjaField("", description="Dernier jour inclus, AAAA-MM-JJ (62 jours au plus après `start`).")
    tz: str = NinjaField(
        "Europe/Paris", description="Fuseau IANA dans lequel lire les jours et écrire les heures."
    )


def _event_type(slug: str | None) -> EventType:
    event_type = selectors.event_type_get_active(slug=slug or "")
    if event_type is None:
        raise BookingError(
            _("Type de rendez-vous inconnu : voyez /api/booking/event-types."), field="event_type"
        )
    return event_type


def _zone(tz: str) -> datetime.tzinfo:
    try:
        return selectors.zone_get(tz)
    except ValueError:
        raise BookingError(
            _("Fuseau horaire inconnu : donnez un nom IANA comme Europe/Paris."), field="tz"
        ) from None


def _days(start: str, end: str) -> tuple[datetime.date, datetime.date]:
    try:
        first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    except ValueError:
        raise BookingError(
            _("Donnez les dates au format AAAA-MM-JJ (start et end)."), field="start"
        ) from None
    if last < first:
        raise BookingError(_("La date de fin précède la date de début."), field="end")
    if (last - first).days > MAX_RANGE_DAYS:
        raise BookingError(_("Demandez au plus %(n)d jours à la fois.") % {"n": MAX_RANGE_DAYS}, field="end")
    return first, last


def _start(value: str | None) -> datetime.datetime:
    start = parse_start(value or "")
    if start is None:
        raise BookingError(
            _("Donnez le début au format ISO 8601 avec son décalage, par exemple 2026-11-27T14:30:00+01:00."),
            field="start",
        )
    return start


def _audit(value: str | None):
    if not value:
        return None
    audit = selectors.audit_for_booking(value)
    if audit is None:
        raise BookingError(_("Ce rapport d'audit est introuvable : vérifiez son identifiant."), field="audit")
    return audit


def _consent(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"true", "1", "on", "yes", "oui"}


@router.get("/event-types", response=list[EventTypeOut], summary="Types de rendez-vous proposés")
def event_types(request: HttpRequest):
    return list(selectors.event_types_active())


@router.get(
    "/slots",
    response={200: list[SlotOut], 422: ErrorOut},
    summary="Créneaux libres",
    description="Les débuts libres entre deux dates incluses, dans le fuseau demandé, triés.",
)
def slots(request: HttpRequest, query: Query[SlotsQuery]):
    event_type = _event_type(query.event_type)
    zone = _zone(query.tz)
    start, end = _days(query.start, query.end)
    found = selectors.slots_available(event_type=event_type, start_date=start, end_date=end, tz=zone)
    return [{"start": s.start.astimezone(zone), "end": s.end.astimezone(zone)} for s in found]


@router.post(
    "/bookings",
    response={201: BookingOut, 409: TakenOut, 422: ErrorOut, 429: ErrorOut},
    summary="Réserver un créneau",
    description=(
        "Réserve un créneau libre. 201 : réservé, e-mails envoyés. 409 : le créneau vient d'être pris, avec les "
        "créneaux encore libres. 422 : donnée invalide (message en français, champ concerné). 429 : trop de "
        "demandes depuis cette adresse."
    ),
)
def booking_create(request: HttpRequest, payload: BookingIn):
    ip = client_ip(request)
    services.booking_rate_limit(ip=ip)
    event_type = _event_type(payload.event_type)
    start = _start(payload.start)
    audit = _audit(payload.audit)
    booking = services.booking_create(
        event_type=event_type,
        start=start,
        name=payload.name or "",
        email=payload.email or "",
        consent=_consent(payload.consent),
        consent_text=(payload.consent_text or "").strip() or str(CONSENT_TEXT),
        company=payload.company or "",
        message=payload.message or "",
        locale=(payload.locale or "fr")[:2],
        tz=payload.tz or "Europe/Paris",
        ip=ip,
        audit=audit,
    )
    zone = booking.zone
    token = services.booking_token(booking=booking, action="view")
    return Status(
        201,
        {
            "id": str(booking.public_id),
            "event_type": event_type.slug,
            "start": booking.start.astimezone(zone),
            "end": booking.end.astimezone(zone),
            "status": booking.status,
            "member": booking.member.display_name,
            "manage_url": settings.SITE_URL + reverse("booking:view", args=[token]),
        },
    )

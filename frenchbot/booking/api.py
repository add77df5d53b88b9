"""The booking API: event types, free slots, and booking a slot (the same rules as the pages)."""

import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from frenchbot.core.net import client_ip

from . import selectors, services
from .forms import CONSENT_TEXT, parse_start
from .schemas import BookingIn, BookingOut, ErrorOut, EventTypeOut, SlotOut, TakenOut

router = Router(tags=["Rendez-vous"])

MAX_RANGE_DAYS = 62


class SlotsQuery(Schema):
    event_type: str = NinjaField("", description="Slug du type de rendez-vous.")
    start: str = NinjaField("", description="Premier jour, AAAA-MM-JJ, dans le fuseau `tz`.")
    end: str = NinjaField("", description="Dernier jour inclus, AAAA-MM-JJ (62 jours au plus après `start`).")
    tz: str = NinjaField(
        "Europe/Paris", description="Fuseau IANA dans lequel lire les jours et écrire les heures."
    )


def _error(message: str, field: str | None = None) -> dict:
    return {"detail": message, "field": field}


def _slots_out(slots, zone) -> list[dict]:
    return [{"start": s.start.astimezone(zone), "end": s.end.astimezone(zone)} for s in slots]


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
    event_type = selectors.event_type_get_active(slug=query.event_type)
    if event_type is None:
        return Status(
            422, _error(_("Type de rendez-vous inconnu : voyez /api/booking/event-types."), "event_type")
        )
    try:
        zone = selectors.zone_get(query.tz)
    except ValueError:
        return Status(422, _error(_("Fuseau horaire inconnu : donnez un nom IANA comme Europe/Paris."), "tz"))
    try:
        start = datetime.date.fromisoformat(query.start)
        end = datetime.date.fromisoformat(query.end)
    except ValueError:
        return Status(422, _error(_("Donnez les dates au format AAAA-MM-JJ (start et end)."), "start"))
    if end < start:
        return Status(422, _error(_("La date de fin précède la date de début."), "end"))
    if (end - start).days > MAX_RANGE_DAYS:
        return Status(
            422, _error(_("Demandez au plus %(n)d jours à la fois.") % {"n": MAX_RANGE_DAYS}, "end")
        )
    found = selectors.slots_available(event_type=event_type, start_date=start, end_date=end, tz=zone)
    return Status(200, _slots_out(found, zone))


def _consent(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"true", "1", "on", "yes", "oui"}


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
    if services.booking_rate_limited(ip=ip):
        return Status(429, _error(_("Trop de demandes en peu de temps : réessayez dans quelques minutes.")))
    event_type = selectors.event_type_get_active(slug=payload.event_type or "")
    if event_type is None:
        return Status(
            422, _error(_("Type de rendez-vous inconnu : voyez /api/booking/event-types."), "event_type")
        )
    start = parse_start(payload.start or "")
    if start is None:
        return Status(
            422,
            _error(
                _(
                    "Donnez le début au format ISO 8601 avec son décalage, par exemple 2026-11-27T14:30:00+01:00."
                ),
                "start",
            ),
        )
    tz = payload.tz or "Europe/Paris"
    audit = None
    if payload.audit:
        audit = selectors.audit_for_booking(payload.audit)
        if audit is None:
            return Status(
                422, _error(_("Ce rapport d'audit est introuvable : vérifiez son identifiant."), "audit")
            )
    try:
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
            tz=tz,
            ip=ip,
            audit=audit,
        )
    except services.BookingError as error:
        if error.code == "taken":
            try:
                zone = selectors.zone_get(tz)
            except ValueError:
                zone = datetime.UTC
            return Status(
                409,
                {
                    "detail": error.message,
                    "field": "start",
                    "slots": _slots_out(error.fresh_slots, zone),
                },
            )
        return Status(422, _error(error.message, error.field))
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

"""The visitor's booking pages: event type → month calendar → slots → form → confirmation; and the links
from the e-mails to view, cancel or move a booking without an account. Every page works without JavaScript."""

import datetime
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.core.net import client_ip

from . import selectors, services
from .emails import when_text, zone_label
from .forms import CONSENT_TEXT, BookingForm, RescheduleForm, format_start, parse_start, zone_choices

DEFAULT_TZ = "Europe/Paris"


def _zone_from(request: HttpRequest) -> tuple[str, str | None]:
    """The zone asked for in the query, else Paris; with a French notice when the one asked for is unknown."""
    tz = (request.GET.get("tz") or request.POST.get("tz") or DEFAULT_TZ).strip()
    try:
        selectors.zone_get(tz)
    except ValueError:
        return DEFAULT_TZ, _("Fuseau horaire inconnu : les heures sont affichées à l'heure de Paris.")
    return tz, None


def _event_type_or_404(slug: str):
    event_type = selectors.event_type_get_active(slug=slug)
    if event_type is None:
        raise Http404(_("Ce type de rendez-vous n'existe pas ou n'est plus proposé."))
    return event_type


def _locale() -> str:
    return (translation.get_language() or "fr")[:2]


def _slot_items(slots, tz: str, url: str, extra: dict | None = None) -> list[dict]:
    zone = selectors.zone_get(tz)
    items = []
    for slot in slots:
        local = slot.start.astimezone(zone)
        query = urlencode({"debut": format_start(slot.start), "tz": tz, **(extra or {})})
        items.append(
            {
                "start": slot.start,
                "local": local,
                "value": format_start(slot.start),
                "url": f"{url}?{query}",
                "label": when_text(slot.start, tz),
            }
        )
    return items


AUDIT_SESSION_KEY = "booking_audit"


def _audit_of(request: HttpRequest):
    """The audit report this visitor came from (`?audit=` on arrival, kept in their session), or None."""
    audit_id = request.session.get(AUDIT_SESSION_KEY)
    return selectors.audit_for_booking(audit_id) if audit_id else None


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    audit = selectors.audit_for_booking(request.GET["audit"]) if request.GET.get("audit") else None
    if audit is not None:
        # Kept for the rest of the visit, so that the calendar's links need not carry it.
        request.session[AUDIT_SESSION_KEY] = str(audit.pk)
    else:
        audit = _audit_of(request) if request.session.session_key else None
    return render(
        request, "booking/start.html", {"event_types": list(selectors.event_types_active()), "audit": audit}
    )


def _parse_month(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


def _parse_day(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _calendar_context(request: HttpRequest, event_type, *, page_url: str, slot_url: str) -> dict:
    tz, tz_notice = _zone_from(request)
    zone = selectors.zone_get(tz)
    now = timezone.now()
    day = _parse_day(request.GET.get("jour", ""))
    month = _parse_month(request.GET.get("mois", "")) or (day.replace(day=1) if day else None)
    if month is None:
        first = selectors.slot_first_available(event_type=event_type, tz=zone, now=now)
        month = (first.start.astimezone(zone).date() if first else now.astimezone(zone).date()).replace(day=1)
    # A month far from today is not an error: the calendar shows it, empty, with the way back.
    today = now.astimezone(zone).date()
    if abs((month - today.replace(day=1)).days) > 400:
        month = today.replace(day=1)
    cal = selectors.calendar_month(
        event_type=event_type, year=month.year, month=month.month, tz=zone, now=now
    )
    if day is not None and (day.year, day.month) != (month.year, month.month):
        day = None
    day_slots = cal.slots_by_day.get(day, []) if day else []

    def link(**params):
        return f"{page_url}?{urlencode({'tz': tz, **params})}"

    weeks = [
        [
            {
                "date": d.date,
                "in_month": d.in_month,
                "slot_count": d.slot_count,
                "url": link(mois=f"{month:%Y-%m}", jour=d.date.isoformat()) + "#creneaux",
                "selected": d.date == day,
                "today": d.date == today,
            }
            for d in week
        ]
        for week in cal.weeks
    ]
    return {
        "event_type": event_type,
        "tz": tz,
        "tz_label": zone_label(tz),
        "tz_notice": tz_notice,
        "zones": zone_choices(tz),
        "month": month,
        "weeks": weeks,
        "previous_url": link(mois=f"{cal.previous:%Y-%m}") if cal.previous else None,
        "next_url": link(mois=f"{cal.next:%Y-%m}") if cal.next else None,
        "days_with_slots": sum(1 for week in cal.weeks for d in week if d.in_month and d.slot_count),
        "selected_day": day,
        "day_slots": _slot_items(day_slots, tz, slot_url),
        "page_url": page_url,
    }


@require_safe
def calendar_view(request: HttpRequest, slug: str) -> HttpResponse:
    event_type = _event_type_or_404(slug)
    page_url = reverse("booking:calendar", args=[slug])
    context = _calendar_context(
        request, event_type, page_url=page_url, slot_url=reverse("booking:book", args=[slug])
    )
    return render(request, "booking/calendar.html", context)


def _fresh_items(error: services.BookingError, tz: str, url: str, limit: int = 12) -> list[dict]:
    return _slot_items(error.fresh_slots[:limit], tz, url)


@require_http_methods(["GET", "HEAD", "POST"])
def book(request: HttpRequest, slug: str) -> HttpResponse:
    event_type = _event_type_or_404(slug)
    calendar_url = reverse("booking:calendar", args=[slug])
    book_url = reverse("booking:book", args=[slug])
    fresh: list[dict] = []
    slot_error = None
    status = 200
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.booking_rate_limit(ip=client_ip(request))
                booking = services.booking_create(
                    event_type=event_type,
                    start=data["start"],
                    name=data["name"],
                    email=data["email"],
                    company=data["company"],
                    message=data["message"],
                    consent=data["consent"],
                    consent_text=str(CONSENT_TEXT),
                    locale=_locale(),
                    tz=data["tz"],
                    ip=client_ip(request),
                    audit=_audit_of(request),
                )
            except services.BookingError as error:
                if error.code == "rate_limited":
                    # The page's own words: what the visitor typed is still in the form below.
                    form.add_error(
                        None,
                        _(
                            "Vous avez fait beaucoup de demandes en peu de temps. Patientez quelques minutes puis renvoyez celle-ci : vos informations sont conservées."
                        ),
                    )
                    status = 429
                else:
                    form.add_error(
                        error.field if error.field in form.fields and error.field != "start" else None,
                        error.message,
                    )
                    fresh = _fresh_items(error, data["tz"], book_url)
                    status = 409 if error.code == "taken" else 400
            else:
                token = services.booking_token(booking=booking, action="view")
                return redirect(reverse("booking:view", args=[token]) + "?nouveau=1")
        else:
            status = 400
        tz = form.cleaned_data.get("tz") or _zone_from(request)[0]
        start = form.cleaned_data.get("start") or parse_start(request.POST.get("start", ""))
    else:
        tz, _notice = _zone_from(request)
        start = parse_start(request.GET.get("debut", ""))
        form = BookingForm(initial={"start": format_start(start) if start else "", "tz": tz})
        if start is None:
            return redirect(f"{calendar_url}?{urlencode({'tz': tz})}")
        try:
            services._check_start(event_type=event_type, start=start, tz=tz, now=timezone.now())
        except services.BookingError as error:
            slot_error = error.message
            fresh = _fresh_items(error, tz, book_url)
            status = 409 if error.code == "taken" else 400
    context = {
        "event_type": event_type,
        "form": form,
        "tz": tz,
        "start": start,
        "when": when_text(start, tz) if start else "",
        "fresh_slots": fresh,
        "slot_error": slot_error,
        "calendar_url": f"{calendar_url}?{urlencode({'tz': tz})}",
        "consent_text": CONSENT_TEXT,
        "audit": _audit_of(request) if request.session.session_key else None,
    }
    return render(request, "booking/book.html", context, status=status)


def _link_error(request: HttpRequest, error: services.BookingLinkError) -> HttpResponse:
    return render(
        request,
        "booking/link_invalid.html",
        {"message": error.message, "book_url": reverse("booking:start")},
        status=410 if error.expired else 400,
    )


def _booking_context(booking) -> dict:
    return {
        "booking": booking,
        "when": when_text(booking.start, booking.timezone),
        "cancel_url": reverse(
            "booking:cancel", args=[services.booking_token(booking=booking, action="cancel")]
        ),
        "reschedule_url": reverse(
            "booking:reschedule", args=[services.booking_token(booking=booking, action="reschedule")]
        ),
        "is_past": booking.start <= timezone.now(),
    }


@require_safe
def view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = services.booking_from_token(token=token, action="view")
    except services.BookingLinkError as error:
        return _link_error(request, error)
    context = _booking_context(booking)
    context["just_booked"] = request.GET.get("nouveau") == "1"
    context["moved_to"] = (
        getattr(booking, "rescheduled_to", None) if booking.status == booking.Status.CANCELLED else None
    )
    if context["moved_to"] is not None:
        context["moved_to_url"] = reverse(
            "booking:view", args=[services.booking_token(booking=context["moved_to"], action="view")]
        )
    return render(request, "booking/view.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = services.booking_from_token(token=token, action="cancel")
    except services.BookingLinkError as error:
        return _link_error(request, error)
    error_message = None
    status = 200
    # Cancelling takes a button press (POST): mail scanners open links, they must not cancel anything.
    if request.method == "POST":
        try:
            booking = services.booking_cancel(booking=booking)
        except services.BookingError as error:
            error_message = error.message
            status = 400
        else:
            return render(
                request,
                "booking/cancelled.html",
                {"booking": booking, "when": when_text(booking.start, booking.timezone)},
            )
    context = _booking_context(booking)
    context["error_message"] = error_message
    return render(request, "booking/cancel.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = services.booking_from_token(token=token, action="reschedule")
    except services.BookingLinkError as error:
        return _link_error(request, error)
    page_url = reverse("booking:reschedule", args=[token])
    if booking.status != booking.Status.CONFIRMED or booking.start <= timezone.now():
        context = _booking_context(booking)
        context["error_message"] = (
            _("Ce rendez-vous est annulé : réservez un nouveau créneau.")
            if booking.status != booking.Status.CONFIRMED
            else _("Ce rendez-vous est déjà passé : il ne peut plus être déplacé en ligne.")
        )
        return render(request, "booking/view.html", context, status=400)
    status = 200
    fresh: list[dict] = []
    error_message = None
    chosen = parse_start(
        request.POST.get("start", "") if request.method == "POST" else request.GET.get("debut", "")
    )
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                new = services.booking_reschedule(booking=booking, start=form.cleaned_data["start"])
            except services.BookingError as error:
                error_message = error.message
                fresh = _fresh_items(error, booking.timezone, page_url)
                status = 409 if error.code == "taken" else 400
            else:
                token = services.booking_token(booking=new, action="view")
                return redirect(reverse("booking:view", args=[token]) + "?nouveau=1")
        else:
            error_message = form.errors["start"][0]
            status = 400
    if chosen is not None:
        # A slot picked: confirm the move with a button (POST).
        context = _booking_context(booking)
        context.update(
            {
                "chosen": chosen,
                "chosen_value": format_start(chosen),
                "chosen_when": when_text(chosen, request.GET.get("tz") or booking.timezone)
                if _valid_tz(request.GET.get("tz"))
                else when_text(chosen, booking.timezone),
                "error_message": error_message,
                "fresh_slots": fresh,
                "page_url": page_url,
            }
        )
        return render(request, "booking/reschedule_confirm.html", context, status=status)
    context = _calendar_context(request, booking.event_type, page_url=page_url, slot_url=page_url)
    context.update(
        {"booking": booking, "when": when_text(booking.start, booking.timezone), "rescheduling": True}
    )
    return render(request, "booking/calendar.html", context, status=status)


def _valid_tz(tz: str | None) -> bool:
    if not tz:
        return False
    try:
        selectors.zone_get(tz)
    except ValueError:
        return False
    return True

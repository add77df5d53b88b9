"""Writes of booking: book a slot, cancel, move, remind. Every write is one transaction."""

import datetime
from contextlib import suppress
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from frenchbot.analytics.goals import goal_record
from frenchbot.core.errors import DomainError
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import single_line
from frenchbot.leads.models import Lead, LeadEvent, Source
from frenchbot.leads.services import LeadError, lead_event_record, lead_normalize_email, lead_touch

from . import selectors
from .models import Booking, EventType, OccupiedUnit, TeamMember

UTC = datetime.UTC
_TOKEN_SALT = "frenchbot.booking.link"  # noqa: S105 - a signing namespace, not a secret
TOKEN_ACTIONS = ("view", "cancel", "reschedule")
# What the cancellation e-mails read about the visitor (their address, name, language and zone).
VISITOR_CONTACT_FIELDS = ("name", "email", "company", "locale", "timezone")
# The address an anonymised booking keeps: the field needs one, and `.invalid` reaches nobody (RFC 2606).
ERASED_EMAIL = "efface@anonyme.invalid"


class BookingError(DomainError):
    """A refusal to show the visitor: `message` is French (translated), `field` where it belongs in a form.

    `code` gives the API's status (``core.errors``): "taken" → 409, "rate_limited" → 429; booking's own codes
    ("past", "too_soon", "not_offered", "cancelled"…) → 422. A refused slot comes with `fresh_slots`, the free
    slots around it; when it was just taken, the API's answer lists them as "slots" (see `_offer`).
    """

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message, field=field, code=code)
        self.fresh_slots: list[selectors.Slot] = []


@dataclass
class _Visitor:
    name: str
    email: str
    company: str = ""
    message: str = ""
    locale: str = "fr"
    timezone: str = "Europe/Paris"
    extra: dict = field(default_factory=dict)


def booking_rate_limit(*, ip: str) -> None:
    """Count one booking write from `ip`; raises BookingError (code "rate_limited") when it is over
    BOOKING_RATE_LIMIT in the window."""
    if rate_limit_hit(
        scope="booking",
        key=ip,
        limit=settings.BOOKING_RATE_LIMIT,
        window_seconds=settings.BOOKING_RATE_WINDOW,
    ):
        raise BookingError(
            _("Trop de demandes en peu de temps : réessayez dans quelques minutes."), code="rate_limited"
        )


def _offer(
    error: BookingError, *, event_type: EventType, around: datetime.datetime, tz: str, now: datetime.datetime
) -> BookingError:
    """`error` with the free slots to choose instead: that day (in `tz`) and the following ones. A slot just
    taken answers 409 over the API with them as "slots", in the zone the visitor asked for."""
    error.fresh_slots = selectors.slots_near(event_type=event_type, around=around, tz=tz, now=now)
    if error.code == "taken":
        zone = selectors.zone_get(tz)
        error.extra["slots"] = [
            {"start": slot.start.astimezone(zone), "end": slot.end.astimezone(zone)}
            for slot in error.fresh_slots
        ]
    return error


def _when_text(moment: datetime.datetime, zone) -> str:
    return date_format(moment.astimezone(zone), "DATETIME_FORMAT")


def _check_start(
    *, event_type: EventType, start: datetime.datetime, tz: str, now: datetime.datetime
) -> tuple[datetime.datetime, list[int]]:
    """The slot's start in UTC and the members free then (round-robin order), or a BookingError saying why not."""
    if start is None or timezone.is_naive(start):
        raise BookingError(_("Choisissez un créneau dans le calendrier."), field="start", code="start")
    start = start.astimezone(UTC)
    if start <= now:
        raise _offer(
            BookingError(
                _("Ce créneau est déjà passé : choisissez-en un autre."), field="start", code="past"
            ),
            event_type=event_type,
            around=now,
            tz=tz,
            now=now,
        )
    if start < now + datetime.timedelta(minutes=event_type.min_notice_minutes):
        raise _offer(
            BookingError(
                _("Ce créneau est trop proche : réservez au moins %(hours)s à l'avance.")
                % {"hours": _notice_text(event_type.min_notice_minutes)},
                field="start",
                code="too_soon",
            ),
            event_type=event_type,
            around=now,
            tz=tz,
            now=now,
        )
    slot = selectors.slot_find(event_type=event_type, start=start, now=now)
    if slot is not None:
        return start, list(slot.member_ids)
    raise _unavailable(event_type=event_type, start=start, tz=tz, now=now)


def _notice_text(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return translation.ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours}
    return translation.ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _unavailable(
    *, event_type: EventType, start: datetime.datetime, tz: str, now: datetime.datetime
) -> BookingError:
    """Tell a slot someone else holds (409, "just taken") from one that was never offered (422)."""
    units = selectors.units_of(start=start, end=start + event_type.duration, event_type=event_type)
    held = OccupiedUnit.objects.filter(
        member__in=event_type.members.filter(is_active=True), start__in=units
    ).exists()
    if held or _offered_when_free(event_type=event_type, start=start, now=now):
        error = BookingError(_("Ce créneau vient d'être réservé."), field="start", code="taken")
    else:
        error = BookingError(
            _("Ce créneau n'est pas proposé : choisissez l'un des créneaux libres du calendrier."),
            field="start",
            code="not_offered",
        )
    return _offer(error, event_type=event_type, around=start, tz=tz, now=now)


def _offered_when_free(*, event_type: EventType, start: datetime.datetime, now: datetime.datetime) -> bool:
    # Reaching the day's maximum also takes a slot that was offered a moment ago.
    if not event_type.max_per_day:
        return False
    original = event_type.max_per_day
    try:
        event_type.max_per_day = 0
        return selectors.slot_find(event_type=event_type, start=start, now=now) is not None
    finally:
        event_type.max_per_day = original


def _member_can_take(*, member: TeamMember, event_type: EventType, start: datetime.datetime) -> bool:
    """Re-checked under the member's row lock: no unit held, and the day's maximum not reached."""
    end = start + event_type.duration
    units = selectors.units_of(start=start, end=end, event_type=event_type)
    if OccupiedUnit.objects.filter(member=member, start__in=units).exists():
        return False
    if event_type.max_per_day:
        zone = member.zone
        local_day = start.astimezone(zone).date()
        day_start = datetime.datetime.combine(local_day, datetime.time(0), tzinfo=zone)
        day_end = datetime.datetime.combine(
            local_day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
        )
        count = Booking.objects.filter(
            member=member,
            event_type=event_type,
            status=Booking.Status.CONFIRMED,
            start__gte=day_start,
            start__lt=day_end,
        ).count()
        if count >= event_type.max_per_day:
            return False
    return True


def _claim(
    *, event_type: EventType, start: datetime.datetime, member_ids: list[int], visitor: _Visitor, **extra
) -> Booking | None:
    """Inside the caller's transaction: the first free member (round-robin order) gets the booking and its
    units, or None when every one of them was taken meanwhile."""
    end = start + event_type.duration
    # On PostgreSQL the row locks queue the bookings of these members, so the checks below see the winner's
    # units; on SQLite BEGIN IMMEDIATE already serialises writers. The unique constraint stays the guard.
    # All candidates are locked at once and in key order: locking them one by one in each request's
    # round-robin order let two requests take the same two members in opposite orders (deadlocks, measured
    # by bench/booking_slots.py on PostgreSQL: 46 of 200 concurrent attempts).
    locked = {
        member.pk: member
        for member in TeamMember.objects.select_for_update()
        .filter(pk__in=member_ids, is_active=True)
        .order_by("pk")
    }
    for member_id in member_ids:
        member = locked.get(member_id)
        if member is None or not _member_can_take(member=member, event_type=event_type, start=start):
            continue
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    event_type=event_type,
                    member=member,
                    start=start,
                    end=end,
                    name=visitor.name,
                    email=visitor.email,
                    company=visitor.company,
                    message=visitor.message,
                    locale=visitor.locale,
                    timezone=visitor.timezone,
                    reminder_due_at=_reminder_due(start),
                    **extra,
                )
                OccupiedUnit.objects.bulk_create(
                    OccupiedUnit(member=member, start=unit, booking=booking)
                    for unit in selectors.units_of(start=start, end=end, event_type=event_type)
                )
        except IntegrityError:
            continue
        return booking
    return None


def _reminder_due(start: datetime.datetime) -> datetime.datetime | None:
    """24 h before (BOOKING_REMINDER_HOURS); none when the booking is made closer to the call than that."""
    due = start - datetime.timedelta(hours=settings.BOOKING_REMINDER_HOURS)
    return due if due > timezone.now() else None


def _validate_visitor(
    *, name: str, email: str, company: str, message: str, locale: str, tz: str, consent: bool
) -> _Visitor:
    # Name and company end up in e-mail subjects and the team's headers: one line each, so a « \r\nBcc: »
    # neither adds a header nor makes the mail backend refuse the message (and the team miss the booking).
    name = single_line(name)
    if not name:
        raise BookingError(_("Indiquez votre nom."), field="name", code="name")
    try:
        email = lead_normalize_email(email)
    except LeadError as error:
        raise BookingError(error.message, field="email", code="email") from None
    if not consent:
        raise BookingError(
            _("Cochez la case de consentement : sans elle, nous ne pouvons pas enregistrer votre demande."),
            field="consent",
            code="consent",
        )
    try:
        selectors.zone_get(tz)
    except ValueError:
        raise BookingError(
            _("Fuseau horaire inconnu : choisissez-en un dans la liste."), field="tz", code="tz"
        ) from None
    return _Visitor(
        name=name[:120],
        email=email,
        company=single_line(company)[:160],
        message=(message or "").strip()[:5000],
        locale=locale if locale in Booking.Locale.values else Booking.Locale.FR,
        timezone=tz,
    )


def booking_create(
    *,
    event_type: EventType,
    start: datetime.datetime | None,
    name: str,
    email: str,
    consent: bool,
    consent_text: str,
    company: str = "",
    message: str = "",
    locale: str = "fr",
    tz: str = "Europe/Paris",
    ip: str = "",
    audit=None,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book `start` (aware) of `event_type` for a visitor, all or nothing.

    `audit` (an audits.Audit, optional) is the report the visitor completed before booking: the team
    member's e-mail carries it (summary and PDF) and the booking keeps the link.

    Checks the input (name, e-mail, consent, zone), then that the slot is offered (future, past the minimum
    notice, inside someone's availability and the booking window); assigns the least recently booked free
    member; records the lead (`lead_touch`, source "booking", the consent text as shown) and moves it to
    "audit réservé". The confirmation and the team's e-mails leave through the task queue once committed,
    and the reminder is scheduled.

    Raises BookingError: code "taken" (with `fresh_slots`) when the slot was just booked by someone else —
    the database's unique constraint on occupied units decides between racing requests —, other codes for
    invalid input. Nothing is written when it raises.
    """
    now = now or timezone.now()
    if event_type is None or not event_type.is_active:
        raise BookingError(
            _("Ce type de rendez-vous n'existe pas ou n'est plus proposé."),
            field="event_type",
            code="event_type",
        )
    visitor = _validate_visitor(
        name=name, email=email, company=company, message=message, locale=locale, tz=tz, consent=consent
    )
    start, member_ids = _check_start(event_type=event_type, start=start, tz=visitor.timezone, now=now)
    with transaction.atomic():
        booking = _claim(
            event_type=event_type, start=start, member_ids=member_ids, visitor=visitor, audit=audit
        )
        if booking is not None:
            booking.lead = _touch_lead(
                booking=booking, consent_text=consent_text, ip=ip, event=LeadEvent.Kind.BOOKING_CREATED
            )
            booking.save(update_fields=["lead", "updated_at"])
            transaction.on_commit(lambda: _after_commit_booked(booking.pk))
            # The chat's booking goes through here too; the report brought to the call is what it follows.
            goal_record(name="call_booked", subject=booking, follows=booking.audit)
    if booking is None:
        raise _offer(
            BookingError(_("Ce créneau vient d'être réservé."), field="start", code="taken"),
            event_type=event_type,
            around=start,
            tz=visitor.timezone,
            now=now,
        )
    return booking


def _touch_lead(*, booking: Booking, consent_text: str | None, ip: str, event: str) -> Lead:
    with translation.override("fr"):
        summary = f"{booking.event_type.name} — {_when_text(booking.start, booking.member.zone)}"
    return lead_touch(
        email=booking.email,
        name=booking.name,
        company=booking.company,
        source=Source.BOOKING,
        consent_text=consent_text,
        event=event,
        summary=summary,
        payload={
            "booking": str(booking.public_id),
            "event_type": booking.event_type.slug,
            "start": booking.start.isoformat(),
            "member": booking.member.display_name,
            **({"audit_id": str(booking.audit_id)} if booking.audit_id else {}),
        },
        ip=ip,
        advance_to=Lead.Status.AUDIT_BOOKED,
    )


def _after_commit_booked(booking_id: int) -> None:
    from . import tasks

    tasks.send_booking_confirmation.enqueue(booking_id=booking_id)
    tasks.reminder_schedule(booking_id=booking_id)


def booking_cancel(
    *,
    booking: Booking,
    now: datetime.datetime | None = None,
    by_team: bool = False,
    contact_in_notice: bool = False,
) -> Booking:
    """Cancel a confirmed booking that has not started: its time is free again at once, no reminder goes
    out, the visitor and the member get a cancellation (METHOD:CANCEL invitation), the lead's timeline says so.
    Raises BookingError when it is already cancelled or past.

    `contact_in_notice`: the visitor's contact (`VISITOR_CONTACT_FIELDS`) as it is now travels with the
    cancellation task, for a booking anonymised before the task runs (an erasure under the RGPD): the e-mails
    still reach and name the person instead of the anonymised row."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .select_related("event_type", "member__user")
            .get(pk=booking.pk)
        )
        if booking.status == Booking.Status.CANCELLED:
            raise BookingError(_("Ce rendez-vous est déjà annulé."), code="cancelled")
        if booking.start <= now:
            raise BookingError(
                _("Ce rendez-vous est déjà passé : il ne peut plus être annulé en ligne."), code="past"
            )
        _release(booking, now=now)
        if booking.lead_id:
            with translation.override("fr"):
                summary = f"{booking.event_type.name} — {_when_text(booking.start, booking.member.zone)}"
            lead_event_record(
                lead_id=booking.lead_id,
                kind=LeadEvent.Kind.BOOKING_CANCELLED,
                summary=summary + (" (par l'équipe)" if by_team else ""),
                payload={"booking": str(booking.public_id)},
                at=now,
            )
        booking_id = booking.pk
        visitor = (
            {name: getattr(booking, name) for name in VISITOR_CONTACT_FIELDS} if contact_in_notice else None
        )

        def notify():
            from . import tasks

            if visitor is None:
                tasks.send_booking_cancellation.enqueue(booking_id=booking_id)
            else:
                tasks.send_booking_cancellation.enqueue(booking_id=booking_id, visitor=visitor)

        transaction.on_commit(notify)
    return booking


def bookings_erase(*, bookings: QuerySet[Booking], now: datetime.datetime | None = None) -> int:
    """Erase a person's bookings (a request under the RGPD); returns how many were anonymised.

    A booking still to come is first cancelled as the visitor would cancel it (the slot is free again, the
    person and the member get the usual cancellation, which still carries the person's contact since the row is
    anonymised before the task runs). Then every booking loses the person's name, address, company, message,
    zone and language; its time, type, member, status and outcome stay for the statistics.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(bookings.values_list("pk", flat=True))
        if not ids:
            return 0
        upcoming = Booking.objects.filter(pk__in=ids, status=Booking.Status.CONFIRMED, start__gt=now)
        for booking in upcoming:
            # Cancelled or started in the meantime: there is nothing left to cancel, only to anonymise.
            with suppress(BookingError):
                booking_cancel(booking=booking, now=now, contact_in_notice=True)
        Booking.objects.filter(pk__in=ids).update(
            name="",
            email=ERASED_EMAIL,
            company="",
            message="",
            locale=Booking._meta.get_field("locale").default,
            timezone=Booking._meta.get_field("timezone").default,
            updated_at=timezone.now(),
        )
    return len(ids)


def _first_booked(booking: Booking) -> Booking:
    """The booking a moved one descends from: the one its « call_booked » goal is about."""
    seen = {booking.pk}
    while booking.rescheduled_from_id and booking.rescheduled_from_id not in seen:
        seen.add(booking.rescheduled_from_id)
        booking = booking.rescheduled_from
    return booking


def booking_outcome_set(
    *, booking: Booking, outcome: str, by, now: datetime.datetime | None = None
) -> Booking:
    """Note whether the visitor came to a call that has started (`Booking.Outcome`: "held" or "no_show"),
    for the team's follow-up and the funnel.

    The lead's timeline records the change (`by`, the staff member noting it, is its author; None for a
    script), and the first time a call is marked held the « call_held » goal is recorded for the journey.
    Marking it again with the same outcome changes nothing; a correction is allowed either way. Raises
    BookingError for an unknown outcome, a cancelled booking or one that has not started yet."""
    now = now or timezone.now()
    if outcome not in (Booking.Outcome.HELD, Booking.Outcome.NO_SHOW):
        raise BookingError(_("Choisissez « Tenu » ou « Absent »."), field="outcome", code="outcome")
    with transaction.atomic():
        # The audit (nullable) is read later: PostgreSQL locks no row of an outer join.
        booking = (
            Booking.objects.select_for_update().select_related("event_type", "member").get(pk=booking.pk)
        )
        if booking.status == Booking.Status.CANCELLED:
            raise BookingError(
                _("Ce rendez-vous a été annulé : sa présence ne peut pas être notée."), code="cancelled"
            )
        if booking.start > now:
            raise BookingError(
                _("Ce rendez-vous n'a pas encore commencé : notez la présence une fois l'heure venue."),
                code="not_started",
            )
        if booking.outcome == outcome:
            return booking
        # Once held, always counted once: a call first marked absent by mistake, then held, counts then.
        first_held = outcome == Booking.Outcome.HELD and not _ever_held(booking)
        booking.outcome = outcome
        booking.outcome_at = now
        booking.save(update_fields=["outcome", "outcome_at", "updated_at"])
        if booking.lead_id:
            with translation.override("fr"):
                summary = f"{booking.event_type.name} — {_when_text(booking.start, booking.member.zone)}"
            event = lead_event_record(
                lead_id=booking.lead_id,
                kind=(
                    LeadEvent.Kind.BOOKING_HELD
                    if outcome == Booking.Outcome.HELD
                    else LeadEvent.Kind.BOOKING_NO_SHOW
                ),
                summary=summary,
                payload={"booking": str(booking.public_id)},
                at=now,
            )
            if by is not None:
                # The timeline names who noted it, as it does for the team's notes.
                event.author = by
                event.save(update_fields=["author"])
        if first_held:
            # Staff note it, so it has no visitor: it takes the attribution of the audit the call follows, or of
            # the booking first made when the call was moved (a moved call is a new row without the audit).
            follows = booking.audit if booking.audit_id else None
            if follows is None and booking.rescheduled_from_id:
                follows = _first_booked(booking)
            goal_record(name="call_held", subject=booking, follows=follows, by_visitor=False)
    return booking


def _ever_held(booking: Booking) -> bool:
    # The timeline remembers a « held » that was later corrected to « absent »: the goal is not counted twice.
    if booking.outcome == Booking.Outcome.HELD:
        return True
    if not booking.lead_id:
        return False
    return LeadEvent.objects.filter(
        lead_id=booking.lead_id, kind=LeadEvent.Kind.BOOKING_HELD, payload__booking=str(booking.public_id)
    ).exists()


def _release(booking: Booking, *, now: datetime.datetime) -> None:
    OccupiedUnit.objects.filter(booking=booking).delete()
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.reminder_due_at = None
    booking.save(update_fields=["status", "cancelled_at", "reminder_due_at", "updated_at"])


def booking_reschedule(
    *, booking: Booking, start: datetime.datetime | None, now: datetime.datetime | None = None
) -> Booking:
    """Move a confirmed booking to another free `start`: a new booking (same invitation UID, next SEQUENCE)
    replaces the old one, which is cancelled, in one transaction — if the new slot is taken, the old booking
    stays as it was. The visitor gets the updated invitation, the member too."""
    now = now or timezone.now()
    event_type = booking.event_type
    if booking.status != Booking.Status.CONFIRMED:
        raise BookingError(_("Ce rendez-vous est annulé : réservez un nouveau créneau."), code="cancelled")
    if booking.start <= now:
        raise BookingError(
            _("Ce rendez-vous est déjà passé : il ne peut plus être déplacé en ligne."), code="past"
        )
    if start is None or timezone.is_naive(start):
        raise BookingError(_("Choisissez un créneau dans le calendrier."), field="start", code="start")
    start = start.astimezone(UTC)
    if start == booking.start:
        raise BookingError(
            _("C'est déjà l'heure de votre rendez-vous : choisissez un autre créneau."),
            field="start",
            code="same",
        )
    visitor = _Visitor(
        name=booking.name,
        email=booking.email,
        company=booking.company,
        message=booking.message,
        locale=booking.locale,
        timezone=booking.timezone,
    )
    new = None
    try:
        with transaction.atomic():
            old = Booking.objects.select_for_update().get(pk=booking.pk)
            if old.status != Booking.Status.CONFIRMED:
                raise BookingError(
                    _("Ce rendez-vous est annulé : réservez un nouveau créneau."), code="cancelled"
                )
            # The old time is freed first, so that moving by a quarter of an hour works.
            _release(old, now=now)
            member_ids = _check_start(event_type=event_type, start=start, tz=visitor.timezone, now=now)[1]
            # Keep the same person when they are free: the visitor may already have written to them.
            if old.member_id in member_ids:
                member_ids.remove(old.member_id)
                member_ids.insert(0, old.member_id)
            new = _claim(
                event_type=event_type,
                start=start,
                member_ids=member_ids,
                visitor=visitor,
                ics_uid=old.ics_uid,
                ics_sequence=old.ics_sequence + 1,
                rescheduled_from=old,
                lead=old.lead,
            )
            if new is None:
                raise BookingError(_("Ce créneau vient d'être réservé."), field="start", code="taken")
            if new.lead_id:
                with translation.override("fr"):
                    summary = (
                        f"{event_type.name} — {_when_text(old.start, new.member.zone)} → "
                        f"{_when_text(new.start, new.member.zone)}"
                    )
                lead_event_record(
                    lead_id=new.lead_id,
                    kind=LeadEvent.Kind.BOOKING_RESCHEDULED,
                    summary=summary,
                    payload={"from": str(old.public_id), "to": str(new.public_id)},
                    at=now,
                )
            new_id, old_member_id = new.pk, old.member_id

            def notify():
                from . import tasks

                tasks.send_booking_confirmation.enqueue(booking_id=new_id, rescheduled=True)
                tasks.reminder_schedule(booking_id=new_id)
                if old_member_id != new.member_id:
                    tasks.send_booking_cancellation.enqueue(booking_id=booking.pk, notify_visitor=False)

            transaction.on_commit(notify)
    except BookingError as error:
        if error.code in ("taken", "not_offered", "past", "too_soon"):
            # Read again once rolled back: the slots offered must count the old booking as still held.
            _offer(error, event_type=event_type, around=start, tz=visitor.timezone, now=now)
        raise
    return new


# --- Links that work without an account -------------------------------------------------------------------
def booking_token(*, booking: Booking, action: str) -> str:
    """A signed, time-stamped token for a link to view, cancel or move `booking` (checked by `booking_from_token`)."""
    assert action in TOKEN_ACTIONS
    return signing.dumps({"b": booking.public_id.hex, "a": action}, salt=_TOKEN_SALT, compress=True)


class BookingLinkError(DomainError):
    """A link from an e-mail that leads nowhere: altered, for another action, or (code "expired") too old."""

    @property
    def expired(self) -> bool:
        return self.code == "expired"


def booking_from_token(*, token: str, action: str) -> Booking:
    """The booking a link points to; raises BookingLinkError (French message) when the link was altered,
    is for another action, has expired (BOOKING_LINK_MAX_AGE_DAYS) or points to nothing."""
    try:
        data = signing.loads(
            token, salt=_TOKEN_SALT, max_age=datetime.timedelta(days=settings.BOOKING_LINK_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        raise BookingLinkError(
            _(
                "Ce lien a expiré. Pour modifier votre rendez-vous, répondez simplement à l'e-mail de confirmation."
            ),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise BookingLinkError(
            _(
                "Ce lien n'est pas valide : il a peut-être été coupé ou modifié. Copiez-le en entier depuis l'e-mail reçu."
            )
        ) from None
    if not isinstance(data, dict) or data.get("a") != action:
        raise BookingLinkError(_("Ce lien n'est pas valide pour cette action."))
    booking = selectors.booking_get(public_id=data.get("b"))
    if booking is None:
        raise BookingLinkError(_("Ce rendez-vous n'existe plus."))
    return booking


def booking_reminders_enqueue_due(*, now: datetime.datetime | None = None) -> int:
    """Queue the reminder of every confirmed booking whose reminder is due and not sent (for cron or
    `frenchbot send_reminders`); the task claims each one, so overlapping runs send it once."""
    from . import tasks

    now = now or timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        reminder_due_at__lte=now,
        reminder_sent_at__isnull=True,
        start__gt=now,
    ).values_list("pk", flat=True)
    count = 0
    for booking_id in list(due):
        tasks.send_booking_reminder.enqueue(booking_id=booking_id)
        count += 1
    return count


def booking_reminder_claim(*, booking_id: int, now: datetime.datetime | None = None) -> bool:
    """Mark the reminder sent if it is due, not sent and the booking still confirmed; True for the one caller
    that should send it (a single UPDATE, so two workers never both send)."""
    now = now or timezone.now()
    return bool(
        Booking.objects.filter(
            pk=booking_id,
            status=Booking.Status.CONFIRMED,
            reminder_due_at__isnull=False,
            reminder_due_at__lte=now + datetime.timedelta(minutes=1),
            reminder_sent_at__isnull=True,
            start__gt=now,
        ).update(reminder_sent_at=now)
    )

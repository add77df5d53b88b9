"""Registering to an event, cancelling, the waiting list and the reminders; the signed links of the e-mails."""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frenchbot.analytics.goals import goal_record
from frenchbot.core.dates import when_text
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import french_typography, single_line
from frenchbot.leads.models import LeadEvent, Source
from frenchbot.leads.services import LeadError, lead_event_record, lead_normalize_email, lead_touch

from ..errors import EventError, EventLinkError
from ..models import Event, Registration

logger = logging.getLogger(__name__)

_TOKEN_SALT = "frenchbot.events.registration"  # noqa: S105 (a signing salt, not a secret)
# "view": the registrant's page (join link, invitation, cancel); "cancel"; "survey": the satisfaction survey.
TOKEN_ACTIONS = ("view", "cancel", "survey")


def registration_token(*, registration: Registration, action: str) -> str:
    """A signed, time-stamped token for a link to `action` on `registration` (no account needed)."""
    assert action in TOKEN_ACTIONS
    return signing.dumps({"r": registration.public_id.hex, "a": action}, salt=_TOKEN_SALT, compress=True)


def registration_url(*, registration: Registration, action: str) -> str:
    """The absolute address of that link, for the e-mails."""
    names = {"view": "events:registration", "cancel": "events:cancel", "survey": "events:survey"}
    token = registration_token(registration=registration, action=action)
    return settings.SITE_URL + reverse(names[action], args=[token])


def registration_from_token(*, token: str, action: str) -> Registration:
    """The registration a link points to; raises EventLinkError (French message) when the link was altered, is
    for another action, has expired (EVENTS_LINK_MAX_AGE_DAYS) or points to nothing."""
    try:
        data = signing.loads(
            token, salt=_TOKEN_SALT, max_age=datetime.timedelta(days=settings.EVENTS_LINK_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        raise EventLinkError(
            _("Ce lien a expiré. Pour toute question sur votre inscription, répondez à l'e-mail reçu."),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise EventLinkError(
            _(
                "Ce lien n'est pas valide : il a peut-être été coupé ou modifié. Copiez-le en entier depuis "
                "l'e-mail reçu."
            ),
            code="invalid",
        ) from None
    if not isinstance(data, dict) or data.get("a") != action:
        raise EventLinkError(_("Ce lien n'est pas valide pour cette action."), code="invalid")
    registration = Registration.objects.select_related("event").filter(public_id=data.get("r")).first()
    if registration is None:
        raise EventLinkError(_("Cette inscription n'existe plus."), code="gone")
    return registration


# --- Registering, cancelling, the waiting list --------------------------------------------------------------
def registration_rate_limit(*, ip: str) -> None:
    """Count one registration from `ip`; raises EventError (code "rate_limited") when it is over
    EVENTS_REGISTRATION_RATE_LIMIT within EVENTS_REGISTRATION_RATE_WINDOW seconds."""
    if ip and rate_limit_hit(
        scope="events-registration",
        key=ip,
        limit=settings.EVENTS_REGISTRATION_RATE_LIMIT,
        window_seconds=settings.EVENTS_REGISTRATION_RATE_WINDOW,
    ):
        raise EventError(
            _(
                "Vous avez fait beaucoup d'inscriptions en peu de temps. Patientez quelques minutes puis "
                "renvoyez celle-ci : vos informations sont conservées."
            ),
            code="rate_limited",
        )


def event_when_text(event: Event, *, with_zone: bool = True) -> str:
    """« mardi 15 décembre 2026 à 14 h 00 (heure de Paris) »: the start of `event` in Paris, for
    people, with the non-breaking spaces that keep a time on one line."""
    return french_typography(when_text(event.starts_at, "Europe/Paris", with_zone=with_zone))


def event_lead_summary(event: Event, suffix: str = "") -> str:
    """The line a lead's timeline shows for this event (in French, whoever acts)."""
    with translation.override("fr"):
        return f"{event.title} — {event_when_text(event)}{suffix}"


def _duplicate_error() -> EventError:
    return EventError(
        _(
            "Vous êtes déjà inscrit(e) à cet événement avec cette adresse : inutile de recommencer. Le lien de "
            "votre inscription (pour l'annuler ou ajouter l'événement à votre agenda) est dans l'e-mail de "
            "confirmation reçu."
        ),
        field="email",
        code="duplicate",
    )


def _live(event: Event):
    return Registration.objects.filter(event=event).exclude(status=Registration.Status.CANCELLED)


def _lowest_free_seat(event: Event) -> int | None:
    taken = set(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).values_list(
            "seat", flat=True
        )
    )
    return next((seat for seat in range(1, event.seats + 1) if seat not in taken), None)


def _check_open(event: Event | None, *, now: datetime.datetime) -> None:
    if event is None or not event.is_published:
        raise EventError(
            _("Cet événement n'existe pas ou n'est plus proposé."), field=None, code="unavailable"
        )
    if event.starts_at <= now:
        raise EventError(
            _(
                "Cet événement a déjà commencé ou est passé : les inscriptions sont closes. Retrouvez les "
                "prochains événements sur la page « Événements »."
            ),
            code="past",
        )


def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    company: str = "",
    consent: bool,
    consent_text: str,
    ip: str = "",
    now: datetime.datetime | None = None,
) -> Registration:
    """Register a person to `event`: the lowest free seat (status CONFIRMED), or the waiting list when it is
    full (status WAITLISTED; its place is `registration_waitlist_position`).

    Checks the input (name, e-mail, consent), that the event is published and has not started, that the
    address is not already registered, and the rate limit of `ip` (none when `ip` is empty: internal calls).
    Records the lead (`lead_touch`, source EVENT, the consent text as shown, an EVENT_REGISTERED event) in
    the same transaction; the e-mail (confirmation with the invitation, or the waiting-list notice) and the
    reminders are queued once committed.

    No over-booking whatever the concurrency: the unique constraint on (event, seat) decides between racing
    requests; a request that loses a seat tries the next one inside a savepoint, then the waiting list.
    Raises EventError (French message, `field`, `code`): "name", "email", "consent", "unavailable", "past",
    "duplicate", "rate_limited". Nothing is written when it raises.
    """
    now = now or timezone.now()
    _check_open(event, now=now)
    name = single_line(name)[:120]
    if not name:
        raise EventError(_("Indiquez votre nom."), field="name", code="name")
    try:
        email = lead_normalize_email(email)
    except LeadError as error:
        raise EventError(error.message, field="email", code="email") from None
    if not consent:
        raise EventError(
            _(
                "Cochez la case de consentement : sans elle, nous ne pouvons pas enregistrer votre inscription."
            ),
            field="consent",
            code="consent",
        )
    company = single_line(company)[:160]
    if _live(event).filter(email=email).exists():
        raise _duplicate_error()
    registration_rate_limit(ip=ip)

    fields = {"event": event, "name": name, "email": email, "company": company, "consent_text": consent_text}
    with transaction.atomic():
        registration = _claim_seat_or_wait(event=event, fields=fields)
        waitlisted = registration.status == Registration.Status.WAITLISTED
        registration.lead = lead_touch(
            email=email,
            name=name,
            company=company,
            source=Source.EVENT,
            consent_text=consent_text,
            event=LeadEvent.Kind.EVENT_REGISTERED,
            summary=event_lead_summary(event, " (liste d'attente)" if waitlisted else ""),
            payload={
                "registration": str(registration.public_id),
                "event": event.slug,
                "starts_at": event.starts_at.isoformat(),
                "status": registration.status,
            },
            ip=ip,
        )
        registration.save(update_fields=["lead", "updated_at"])
        registration_id = registration.pk
        transaction.on_commit(lambda: _after_registered(registration_id, waitlisted=waitlisted))
        # A place on the waiting list counts too: the person asked to come (a promotion later is not a
        # second registration).
        goal_record(name="event_registered", subject=registration)
    return registration


def _claim_seat_or_wait(*, event: Event, fields: dict) -> Registration:
    # Each try reads the seats taken (a fresh snapshot per statement on PostgreSQL) and inserts the lowest
    # free one; a racing request that committed that seat first makes the insert fail on the constraint,
    # rolled back to the savepoint, and the next try sees it. Every failure means one more seat taken, so
    # there are at most `seats` of them.
    for _attempt in range(event.seats + 1):
        seat = _lowest_free_seat(event)
        status = Registration.Status.CONFIRMED if seat else Registration.Status.WAITLISTED
        try:
            with transaction.atomic():
                return Registration.objects.create(status=status, seat=seat, **fields)
        except IntegrityError:
            if _live(event).filter(email=fields["email"]).exists():
                # The same person pressed twice: the other request registered them.
                raise _duplicate_error() from None
            if seat is None:
                raise
    raise EventError(_("Trop d'inscriptions en même temps : réessayez dans un instant."), code="busy")


def _after_registered(registration_id: int, *, waitlisted: bool) -> None:
    from .. import tasks

    if waitlisted:
        tasks.send_registration_waitlisted.enqueue(registration_id=registration_id)
    else:
        tasks.send_registration_confirmation.enqueue(registration_id=registration_id)
        tasks.reminders_schedule(registration_id=registration_id)


def registration_cancel(
    *, registration: Registration, now: datetime.datetime | None = None, address_in_task: bool = False
) -> Registration:
    """Cancel a registration (confirmed or waitlisted) before the event starts: its seat is freed and, in the
    same transaction, given to the first person of the waiting list (by `created_at`), who gets an e-mail
    « une place s'est libérée » with the invitation. The registrant gets a cancellation (METHOD:CANCEL
    invitation when they held a seat); the lead's timeline says so.

    `address_in_task`: the caller anonymises the row right after, in the same transaction (an erasure); the
    cancellation e-mail, which runs once committed, then carries the registrant's address and name itself.

    Idempotent: cancelling a cancelled registration returns it unchanged and sends nothing. Raises
    EventError (code "past") once the event has started."""
    now = now or timezone.now()
    with transaction.atomic():
        # The event's row lock queues the cancellations of one event, so two freed seats never go to the
        # same waiting person; the (event, seat) constraint still guards the seat itself.
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        registration.event = event
        if registration.status == Registration.Status.CANCELLED:
            return registration
        if event.starts_at <= now:
            raise EventError(
                _(
                    "L'événement a déjà commencé : l'inscription ne peut plus être annulée en ligne. "
                    "Écrivez-nous si besoin."
                ),
                code="past",
            )
        freed = registration.seat
        registration.status = Registration.Status.CANCELLED
        registration.seat = None
        registration.cancelled_at = now
        registration.save(update_fields=["status", "seat", "cancelled_at", "updated_at"])
        if registration.lead_id:
            lead_event_record(
                lead_id=registration.lead_id,
                kind=LeadEvent.Kind.EVENT_CANCELLED,
                summary=event_lead_summary(event),
                payload={"registration": str(registration.public_id), "event": event.slug},
                at=now,
            )
        promoted = _promote_first(event=event, seat=freed, now=now) if freed else None
        registration_id = registration.pk
        promoted_id = promoted.pk if promoted else None
        # Only when the row will not hold them any more: a task's arguments are stored with the queue.
        address = {"email": registration.email, "name": registration.name} if address_in_task else {}

        def notify():
            from .. import tasks

            tasks.send_registration_cancellation.enqueue(
                registration_id=registration_id, had_seat=freed is not None, **address
            )
            if promoted_id:
                tasks.send_registration_promoted.enqueue(registration_id=promoted_id)
                tasks.reminders_schedule(registration_id=promoted_id)

        transaction.on_commit(notify)
    return registration


def _promote_first(*, event: Event, seat: int, now: datetime.datetime) -> Registration | None:
    """Inside the caller's transaction (the event's row locked): the first waiting person takes `seat`."""
    waiting = (
        Registration.objects.select_for_update(skip_locked=True)
        .filter(event=event, status=Registration.Status.WAITLISTED)
        .order_by("created_at", "id")
        .first()
    )
    if waiting is None:
        return None
    waiting.status = Registration.Status.CONFIRMED
    waiting.seat = seat
    waiting.promoted_at = now
    waiting.save(update_fields=["status", "seat", "promoted_at", "updated_at"])
    return waiting


def event_waitlist_fill(*, event: Event, now: datetime.datetime | None = None) -> list[Registration]:
    """Give every free seat to the waiting list, in order (after staff add seats to a full event); each person
    promoted gets the « une place s'est libérée » e-mail. Returns them."""
    now = now or timezone.now()
    if event.starts_at <= now:
        return []
    promoted = []
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        while (seat := _lowest_free_seat(event)) is not None:
            registration = _promote_first(event=event, seat=seat, now=now)
            if registration is None:
                break
            promoted.append(registration)
        ids = [registration.pk for registration in promoted]

        def notify():
            from .. import tasks

            for registration_id in ids:
                tasks.send_registration_promoted.enqueue(registration_id=registration_id)
                tasks.reminders_schedule(registration_id=registration_id)

        transaction.on_commit(notify)
    return promoted


# The details of an event its registrants' invitations carry: changing one of them tells them.
SCHEDULE_FIELDS = ("starts_at", "duration_minutes", "place", "join_url")


def event_schedule_change(*, event: Event, now: datetime.datetime | None = None) -> int:
    """After staff moved `event` (already saved) or changed its place or join link: the event's version goes
    up, the reminders still to come under the new time are re-armed, and every person holding a seat gets the
    new details with the updated invitation (same UID, next SEQUENCE: their calendar moves the event). Nothing
    for an event already over. Returns how many people are told."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.ends_at <= now:
            return 0
        event.schedule_version += 1
        event.save(update_fields=["schedule_version", "updated_at"])
        seated = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        for hours in reminder_hours():
            if reminder_due_at(event=event, hours=hours) > now:
                seated.update(**{_reminder_field(hours): None})
        ids = list(seated.values_list("pk", flat=True))
        version = event.schedule_version

        def notify():
            from .. import tasks

            for registration_id in ids:
                tasks.send_registration_update.enqueue(registration_id=registration_id, version=version)
                tasks.reminders_schedule(registration_id=registration_id)

        transaction.on_commit(notify)
    return len(ids)


# --- Reminders ------------------------------------------------------------------------------------------
# The two columns that remember a reminder went out, for the two values of EVENTS_REMINDER_HOURS (the earlier
# reminder first: 24 h, then 1 h). A third value would have no column and is ignored.
_REMINDER_FIELDS = ("reminder_day_sent_at", "reminder_hour_sent_at")


def reminder_hours() -> list[int]:
    """The hours before an event its reminders go out, earliest reminder first, one per column."""
    return sorted({int(hours) for hours in settings.EVENTS_REMINDER_HOURS if int(hours) > 0}, reverse=True)[
        : len(_REMINDER_FIELDS)
    ]


def _reminder_field(hours: int) -> str | None:
    hours_list = reminder_hours()
    return _REMINDER_FIELDS[hours_list.index(hours)] if hours in hours_list else None


def reminder_due_at(*, event: Event, hours: int) -> datetime.datetime:
    return event.starts_at - datetime.timedelta(hours=hours)


def reminder_applies(*, registration: Registration, hours: int) -> bool:
    """Whether the `hours` reminder concerns `registration` at all: it holds a seat, and it got it before the
    reminder's time (no « dans 24 heures » to someone who registered or was promoted 3 hours before)."""
    if registration.status != Registration.Status.CONFIRMED:
        return False
    seated_at = registration.promoted_at or registration.created_at
    return seated_at < reminder_due_at(event=registration.event, hours=hours)


def registration_reminder_claim(
    *, registration_id: int, hours: int, now: datetime.datetime | None = None
) -> bool:
    """Mark the `hours` reminder of a registration sent, if it is due, not sent, the registration still
    confirmed and the event not started; True for the one caller that should send it (a single UPDATE on the
    registration's row, so two workers never both send)."""
    now = now or timezone.now()
    field = _reminder_field(hours)
    if field is None:
        return False
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None or not reminder_applies(registration=registration, hours=hours):
        return False
    due = reminder_due_at(event=registration.event, hours=hours)
    if not (due <= now + datetime.timedelta(minutes=1) and now < registration.event.starts_at):
        return False
    seated_before_due = {"promoted_at__lt": due} if registration.promoted_at else {"created_at__lt": due}
    return bool(
        Registration.objects.filter(
            pk=registration_id,
            status=Registration.Status.CONFIRMED,
            **{f"{field}__isnull": True},
            **seated_before_due,
        ).update(**{field: now})
    )


def registration_reminders_enqueue_due(*, now: datetime.datetime | None = None) -> int:
    """Queue every reminder that is due and not sent (the worker's periodic job, every few minutes, so that
    nothing is missed when deferred tasks are not available or were lost); the task claims each one, so
    overlapping runs send it once. Returns how many were queued."""
    from .. import tasks

    now = now or timezone.now()
    count = 0
    for hours in reminder_hours():
        field = _reminder_field(hours)
        candidates = Registration.objects.select_related("event").filter(
            status=Registration.Status.CONFIRMED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + datetime.timedelta(hours=hours),
            **{f"{field}__isnull": True},
        )
        for registration in candidates:
            if reminder_applies(registration=registration, hours=hours):
                tasks.send_registration_reminder.enqueue(registration_id=registration.pk, hours=hours)
                count += 1
    return count

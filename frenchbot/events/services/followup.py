"""After an event: attendance marked by staff, the replay and the satisfaction survey sent to attendees.

Who receives what (`event_followup_send`, once per event):
- a confirmed registrant marked present: the replay link (when there is one) and the survey link;
- any other confirmed registrant (marked absent, or not marked): the replay only, and only when there is one,
  in words that fit both cases (« le replay est en ligne »), so that a person present but left unmarked is
  not told they missed it. Waitlisted and cancelled registrations receive nothing.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frenchbot.leads.models import LeadEvent, Source
from frenchbot.leads.services import lead_event_record, lead_touch

from ..errors import EventError
from ..models import Event, Registration, SurveyResponse
from .registrations import event_lead_summary

# Follow-up kinds, as the task receives them.
FOLLOWUP_ATTENDED = "attended"
FOLLOWUP_REPLAY = "replay"
SURVEY_COMMENT_MAX_LENGTH = 3000
# The lead timeline's kind for a survey answer (leads' own kinds cover registering, cancelling, attending).
LEAD_EVENT_SURVEY = "event_survey"


def registration_attendance_mark(*, registration: Registration, attended: bool, by=None) -> Registration:
    """Record whether a confirmed registrant came. Only once the event has started (raises EventError, code
    "not_started", before; code "status" for a waitlisted or cancelled registration).

    Marking someone present puts EVENT_ATTENDED on their lead's timeline (the lead is created from the
    registration if it has none); marking again, or changing one's mind, adds nothing twice."""
    now = timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        )
        event = registration.event
        if event.starts_at > now:
            raise EventError(
                _("La présence ne peut être notée qu'une fois l'événement commencé."), code="not_started"
            )
        if registration.status != Registration.Status.CONFIRMED:
            raise EventError(
                _("Seule une inscription confirmée peut être marquée présente ou absente."), code="status"
            )
        was_present = registration.attended is True
        registration.attended = bool(attended)
        fields = ["attended", "updated_at"]
        # Present, then absent, then present again: the timeline already says this person came.
        already_recorded = (
            bool(registration.lead_id)
            and LeadEvent.objects.filter(
                lead_id=registration.lead_id,
                kind=LeadEvent.Kind.EVENT_ATTENDED,
                payload__registration=str(registration.public_id),
            ).exists()
        )
        if registration.attended and not was_present and not already_recorded:
            payload = {"event": event.slug, "registration": str(registration.public_id)}
            if by is not None:
                payload["by"] = by.pk
            if registration.lead_id:
                lead_event_record(
                    lead_id=registration.lead_id,
                    kind=LeadEvent.Kind.EVENT_ATTENDED,
                    summary=event_lead_summary(event),
                    payload=payload,
                    at=now,
                )
            else:
                # A registration from before leads were recorded (or loaded by hand): it becomes one now.
                # No consent text is repeated here: the registration keeps the one the person agreed to.
                lead = lead_touch(
                    email=registration.email,
                    name=registration.name,
                    company=registration.company,
                    source=Source.EVENT,
                    event=LeadEvent.Kind.EVENT_ATTENDED,
                    summary=event_lead_summary(event),
                    payload=payload,
                )
                registration.lead = lead
                fields.append("lead")
        registration.save(update_fields=fields)
    return registration


def event_followup_recipients(*, event: Event) -> list[tuple[int, str]]:
    """(registration id, follow-up kind) for each confirmed registrant who gets a follow-up e-mail."""
    recipients = []
    registrations = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).order_by(
        "pk"
    )
    for registration_id, attended in registrations.values_list("pk", "attended"):
        if attended:
            recipients.append((registration_id, FOLLOWUP_ATTENDED))
        elif event.replay_url:
            recipients.append((registration_id, FOLLOWUP_REPLAY))
    return recipients


def event_followup_send(*, event: Event) -> int:
    """Queue, once per event, the replay link and the satisfaction survey to every registrant marked present
    (and the replay alone, when there is one, to the other confirmed registrants); returns how many e-mails
    were queued (0 when already sent). Raises EventError (code "not_ended") while the event is not over, and
    (code "not_marked") while it has confirmed registrants none of whom is marked present or absent: sent then,
    it would go out once and for all as the replay alone, and the attendees would never get their survey.

    The event is claimed by one UPDATE on `followup_sent_at`: two workers, or the button pressed twice, send
    once."""
    now = timezone.now()
    if event.ends_at > now:
        raise EventError(_("Le suivi ne peut être envoyé qu'une fois l'événement terminé."), code="not_ended")
    confirmed = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
    if confirmed.exists() and not confirmed.filter(attended__isnull=False).exists():
        raise EventError(
            _(
                "Notez d'abord qui était présent : le questionnaire ne part qu'aux personnes notées présentes, "
                "et le suivi ne s'envoie qu'une fois."
            ),
            code="not_marked",
        )
    with transaction.atomic():
        if not Event.objects.filter(pk=event.pk, followup_sent_at__isnull=True).update(followup_sent_at=now):
            return 0
        event.followup_sent_at = now
        recipients = event_followup_recipients(event=event)

        def enqueue():
            from .. import tasks

            for registration_id, kind in recipients:
                tasks.send_event_followup.enqueue(registration_id=registration_id, kind=kind)

        transaction.on_commit(enqueue)
    return len(recipients)


def events_followup_due(*, now: datetime.datetime | None = None) -> list[Event]:
    """Events whose follow-up the worker sends by itself: over for EVENTS_FOLLOWUP_DELAY_HOURS, not yet
    followed up, and with attendance marked for at least one registrant."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(hours=settings.EVENTS_FOLLOWUP_DELAY_HOURS)
    marked = Registration.objects.filter(event=OuterRef("pk"), attended__isnull=False)
    candidates = Event.objects.filter(followup_sent_at__isnull=True, starts_at__lte=limit).filter(
        Exists(marked)
    )
    return [event for event in candidates.order_by("starts_at") if event.ends_at <= limit]


def event_followups_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send the follow-up of every due event; returns how many e-mails were queued."""
    return sum(event_followup_send(event=event) for event in events_followup_due(now=now))


def survey_rating_clean(rating) -> int:
    """The rating as a whole number from 1 to 5, or EventError (field "rating")."""
    try:
        value = int(str(rating).strip())
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise EventError(
            _("Choisissez une note de 1 (décevant) à 5 (excellent)."), field="rating", code="rating"
        )
    return value


def survey_allowed(*, registration: Registration) -> bool:
    """Whether this registrant may answer the survey: confirmed, marked present, and the event started."""
    return (
        registration.status == Registration.Status.CONFIRMED
        and registration.attended is True
        and registration.event.starts_at <= timezone.now()
    )


def survey_submit(*, registration: Registration, rating, comment: str = "") -> SurveyResponse:
    """Keep a present registrant's rating (1 to 5) and comment of a past event. Answering again replaces the
    first answer (a person may correct a slip), never adds a second one.

    Raises EventError: field "rating" for a rating outside 1–5, field "comment" for a comment too long, code
    "not_attended" for anyone not marked present at an event that has started."""
    value = survey_rating_clean(rating)
    comment = (comment or "").strip()
    if len(comment) > SURVEY_COMMENT_MAX_LENGTH:
        raise EventError(
            _(
                "Votre commentaire dépasse %(limit)d caractères (il en compte %(count)d) : raccourcissez-le un peu."
            )
            % {"limit": SURVEY_COMMENT_MAX_LENGTH, "count": len(comment)},
            field="comment",
            code="comment",
        )
    try:
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
            )
            if not survey_allowed(registration=registration):
                raise EventError(
                    _("Ce questionnaire est réservé aux personnes présentes à l'événement."),
                    code="not_attended",
                )
            response, created = SurveyResponse.objects.update_or_create(
                registration=registration, defaults={"rating": value, "comment": comment}
            )
            if created and registration.lead_id:
                with translation.override("fr"):
                    summary = _("Avis %(rating)d/5 — %(event)s") % {
                        "rating": value,
                        "event": registration.event,
                    }
                lead_event_record(
                    lead_id=registration.lead_id,
                    kind=LEAD_EVENT_SURVEY,
                    summary=summary,
                    text=comment,
                    payload={"event": registration.event.slug, "rating": value},
                )
    except IntegrityError:
        # Two submissions at the same instant: the other one created the answer; this one replaces it.
        SurveyResponse.objects.filter(registration=registration).update(rating=value, comment=comment)
        response = SurveyResponse.objects.get(registration=registration)
    return response

"""Writes of the leads pipeline. Every form of the site that collects an e-mail calls `lead_touch`; the lead's
timeline is written here only (`lead_event_record` for the other apps)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from frenchbot.core.errors import DomainError
from frenchbot.core.net import ip_fingerprint
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import single_line

from .models import CLOSED_STATUSES, PIPELINE, ConsentRecord, Lead, LeadEvent, Source


class LeadError(DomainError):
    """A refusal to show a person: `message` is French (translated), `field` where it belongs in a form, and
    leads' own `code` ("email", "source", "status", "empty"), which answers 422 over the API."""


def lead_normalize_email(email: str) -> str:
    """The one spelling of an address the pipeline keys on; raises LeadError when it is not an address."""
    normalized = (email or "").strip().lower()
    try:
        validate_email(normalized)
    except ValidationError:
        raise LeadError(
            _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
            field="email",
            code="email",
        ) from None
    return normalized


def email_is_disposable(email: str) -> bool:
    """True when the address is at a throwaway-mailbox provider (or one of its sub-domains), from the list the
    `disposable-email-domains` package ships and keeps up to date. The forms that must reach the person later
    (the newsletter, a gated guide) refuse such addresses."""
    from disposable_email_domains import blocklist

    domain = email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    parts = domain.split(".")
    return any(".".join(parts[i:]) in blocklist for i in range(len(parts) - 1))


def _moves_forward(current: str, target: str) -> bool:
    if current in CLOSED_STATUSES or target not in PIPELINE or current not in PIPELINE:
        return False
    return PIPELINE.index(target) > PIPELINE.index(current)


def lead_touch(
    *,
    email: str,
    name: str = "",
    source: str,
    consent_text: str | None = None,
    event: str,
    payload: dict | None = None,
    company: str = "",
    summary: str = "",
    text: str = "",
    ip: str = "",
    advance_to: str | None = None,
) -> Lead:
    """Create or update the one lead of `email` (case-insensitive) and append `event` to its timeline.

    - `source`: a `Source` value; it becomes the lead's origin when the lead is new.
    - `consent_text`: the exact words the person agreed to; when given, a `ConsentRecord` keeps them with the
      time and a keyed hash of `ip` (never the address itself).
    - `event`: the timeline kind (`LeadEvent.Kind` values, or another app's own kind such as
      `audit_completed`), with an optional French `summary` for staff, a longer `text` shown on the
      back-office timeline (a visitor's message) and a JSON-serialisable `payload`.
    - `name` / `company`: when given, they replace what was known (people correct their details).
    - `advance_to`: a pipeline status the lead moves to if it is further than where the lead stands; a lead
      never moves back, and a client or lost lead stays where staff put it.

    Runs in one transaction (joins the caller's): the booking that calls this rolls the lead back with it.
    Raises LeadError for an invalid address or an unknown source.
    """
    now = timezone.now()
    with transaction.atomic():
        lead = _lead_upsert(
            email=email,
            name=name,
            company=company,
            source=source,
            consent_text=consent_text,
            ip=ip,
            advance_to=advance_to,
            at=now,
        )
        _event_create(lead_id=lead.pk, kind=event, summary=summary, text=text, payload=payload)
    return lead


def _lead_upsert(
    *,
    email: str,
    name: str,
    company: str,
    source: str,
    consent_text: str | None,
    ip: str,
    advance_to: str | None,
    at: datetime.datetime,
) -> Lead:
    """Inside the caller's transaction: the lead of `email`, locked, created when new, with its details, status
    and consent brought up to date (the rules of `lead_touch`, which then records the person's event)."""
    email = lead_normalize_email(email)
    if source not in Source.values:
        raise LeadError(_("Origine de prospect inconnue."), code="source")
    # The columns' lengths, whichever form sent them (PostgreSQL refuses longer values; SQLite would keep them).
    name, company = name.strip()[:120], company.strip()[:160]
    lead = Lead.objects.select_for_update().filter(email=email).first()
    if lead is None:
        try:
            # A savepoint: two first contacts racing meet the unique constraint, and the loser reads the
            # winner's row instead of failing the caller's transaction.
            with transaction.atomic():
                lead = Lead.objects.create(email=email, name=name, company=company, source=source)
        except IntegrityError:
            lead = Lead.objects.select_for_update().get(email=email)
    changed = ["last_activity_at", "updated_at"]
    lead.last_activity_at = at
    if name and name != lead.name:
        lead.name = name
        changed.append("name")
    if company and company != lead.company:
        lead.company = company
        changed.append("company")
    old_status = lead.status
    if advance_to and _moves_forward(old_status, advance_to):
        lead.status = advance_to
        changed.append("status")
    lead.save(update_fields=changed)
    if lead.status != old_status:
        _event_create(
            lead_id=lead.pk,
            kind=LeadEvent.Kind.STATUS_CHANGED,
            summary=_status_summary(old_status, advance_to),
            payload={"from": old_status, "to": advance_to, "automatic": True},
        )
    if consent_text:
        ConsentRecord.objects.create(
            lead=lead, purpose=source, text=consent_text, ip_fingerprint=ip_fingerprint(ip) if ip else ""
        )
    return lead


def lead_event_record(
    *,
    lead_id: int,
    kind: str,
    summary: str = "",
    text: str = "",
    payload: dict | None = None,
    at: datetime.datetime | None = None,
) -> LeadEvent:
    """Append one thing the person did to the timeline of lead `lead_id`, and mark the lead active at `at`
    (default: now).

    The one way the other apps write to a lead's timeline (a booking cancelled or moved, an audit…); a new
    contact goes through `lead_touch`, which calls this. `kind` is a `LeadEvent.Kind` value or another app's own
    kind, `summary` a French line for staff, `text` a longer text shown on the back-office timeline, `payload`
    JSON-serialisable; `kind` and `summary` are cut to their columns' lengths. Joins the caller's transaction.
    """
    with transaction.atomic():
        event = _event_create(lead_id=lead_id, kind=kind, summary=summary, text=text, payload=payload)
        Lead.objects.filter(pk=lead_id).update(last_activity_at=at or timezone.now())
    return event


def _event_create(*, lead_id: int, kind: str, summary: str = "", text: str = "", payload: dict | None = None):
    # For the writes of this module that have just saved the lead with its new last_activity_at (_lead_upsert):
    # the event alone, without touching the lead a second time.
    return LeadEvent.objects.create(
        lead_id=lead_id, kind=kind[:40], summary=summary[:300], text=text, payload=payload or {}
    )


def _status_summary(old: str, new: str) -> str:
    return _("%(old)s → %(new)s") % {"old": Lead.Status(old).label, "new": Lead.Status(new).label}


def lead_set_status(*, lead: Lead, status: str, by=None) -> Lead:
    """Move a lead to any status of the pipeline (staff decide); the move goes on the timeline."""
    if status not in Lead.Status.values:
        raise LeadError(_("Statut inconnu."), field="status", code="status")
    if status == lead.status:
        return lead
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        old = lead.status
        lead.status = status
        lead.save(update_fields=["status", "updated_at"])
        LeadEvent.objects.create(
            lead=lead,
            kind=LeadEvent.Kind.STATUS_CHANGED,
            summary=_status_summary(old, status),
            payload={"from": old, "to": status},
            author=by,
        )
    return lead


def lead_add_note(*, lead: Lead, text: str, by=None) -> LeadEvent:
    """A staff note on the lead's timeline."""
    text = (text or "").strip()
    if not text:
        raise LeadError(_("La note est vide : écrivez quelques mots."), field="text", code="empty")
    return LeadEvent.objects.create(lead=lead, kind=LeadEvent.Kind.NOTE, text=text, author=by)


def lead_set_next_action(*, lead: Lead, on: datetime.date | None, text: str, by=None) -> Lead:
    """Set (or clear, with no date and no text) what to do next with the lead and when."""
    text = (text or "").strip()
    if on is not None and not text:
        raise LeadError(
            _("Dites quelle est la prochaine action, pas seulement sa date."), field="text", code="empty"
        )
    with transaction.atomic():
        lead.next_action_on = on
        lead.next_action = text[:200]
        lead.save(update_fields=["next_action_on", "next_action", "updated_at"])
        LeadEvent.objects.create(
            lead=lead,
            kind=LeadEvent.Kind.NEXT_ACTION,
            summary=text[:300],
            payload={"on": on.isoformat() if on else None, "text": text},
            author=by,
        )
    return lead


# --- The contact form -------------------------------------------------------------------------------------

CONTACT_MESSAGE_MAX_LENGTH = 5000
CONTACT_NAME_MAX_LENGTH = 120
CONTACT_COMPANY_MAX_LENGTH = 160
# Fixed window of the per-IP limit (CONTACT_RATE_LIMIT messages per window).
CONTACT_RATE_WINDOW = 3600
# Words of the message kept in the timeline's one-line summary.
_SUMMARY_WORDS = 12


class ContactSubject(models.TextChoices):
    """What a contact message is about; the value is kept in the timeline's payload."""

    TRAINING_SELF = "formation-individuelle", pgettext_lazy("objet de contact", "Une formation pour moi")
    TRAINING_TEAM = "formation-equipe", pgettext_lazy("objet de contact", "Une formation pour mon équipe")
    AUTOMATION = "automatisation", pgettext_lazy("objet de contact", "Une automatisation")
    OTHER = "autre", pgettext_lazy("objet de contact", "Autre question")


class ContactError(LeadError):
    """A contact message refused: `errors` maps each form field to its French message (the first one is also
    `message` and `field`)."""


def contact_clean_message(message: str) -> str:
    """The message as the person sees it: line ends made "\n" (a browser sends "\r\n", which would count
    twice against the limit), no NUL (PostgreSQL refuses it), no blank margin."""
    return (message or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def contact_rate_limited(*, ip: str) -> bool:
    """Count one contact message from `ip`; True when it is over CONTACT_RATE_LIMIT in the hour."""
    return rate_limit_hit(
        scope="contact", key=ip, limit=settings.CONTACT_RATE_LIMIT, window_seconds=CONTACT_RATE_WINDOW
    )


def _contact_summary(subject: str, message: str) -> str:
    words = message.split()
    start = " ".join(words[:_SUMMARY_WORDS])
    if len(words) > _SUMMARY_WORDS:
        start += "…"
    return f"{ContactSubject(subject).label} — {start}"


def _contact_check(
    *, name: str, email: str, company: str, subject: str, message: str, consent: bool, consent_text: str
) -> dict:
    errors: dict[str, str] = {}
    cleaned = {
        "name": single_line(name),
        "company": single_line(company),
        "subject": (subject or "").strip(),
        "message": contact_clean_message(message),
    }
    if not cleaned["name"]:
        errors["name"] = _("Indiquez votre nom.")
    elif len(cleaned["name"]) > CONTACT_NAME_MAX_LENGTH:
        errors["name"] = _("Votre nom dépasse %(limit)d caractères : abrégez-le.") % {
            "limit": CONTACT_NAME_MAX_LENGTH
        }
    try:
        cleaned["email"] = lead_normalize_email(email)
    except LeadError as error:
        errors["email"] = error.message
    if len(cleaned["company"]) > CONTACT_COMPANY_MAX_LENGTH:
        errors["company"] = _("Le nom de l'entreprise dépasse %(limit)d caractères : abrégez-le.") % {
            "limit": CONTACT_COMPANY_MAX_LENGTH
        }
    if cleaned["subject"] not in ContactSubject.values:
        errors["subject"] = _("Choisissez l'objet de votre message dans la liste.")
    if not cleaned["message"]:
        errors["message"] = _("Votre message est vide : écrivez quelques mots avant de l'envoyer.")
    elif len(cleaned["message"]) > CONTACT_MESSAGE_MAX_LENGTH:
        errors["message"] = _(
            "Votre message dépasse %(limit)s caractères (il en compte %(count)s) : raccourcissez-le un peu."
        ) % {
            "limit": number_format(CONTACT_MESSAGE_MAX_LENGTH, force_grouping=True),
            "count": number_format(len(cleaned["message"]), force_grouping=True),
        }
    if not consent or not (consent_text or "").strip():
        errors["consent"] = _(
            "Cochez la case de consentement : sans elle, nous ne pouvons pas enregistrer votre message."
        )
    if errors:
        raise ContactError(errors=errors)
    return cleaned


def contact_submit(
    *,
    name: str,
    email: str,
    company: str,
    subject: str,
    message: str,
    consent: bool,
    consent_text: str,
    ip: str,
    source: str = Source.CONTACT,
    conversation: str = "",
) -> Lead:
    """Record a message of the contact form on the sender's lead and have it delivered.

    `source` is where the message was written (the contact page, or the bot when a visitor asks for a person);
    `conversation`, the transcript of the bot's conversation it follows, travels with it to the team.

    Checks every field (all errors at once, raised as ContactError with French messages per field); then, in
    one transaction, the sender's lead as `lead_touch` keeps it (source "contact", the consent text exactly as
    shown) and a timeline event carrying the subject and the message (`lead_event_record`). Once committed, the task queue sends the team a notice
    (Reply-To: the sender, with the lead's back-office link) and the sender a copy of their message. Copies
    to one address are limited like the form itself, so that the form cannot be used to flood a mailbox.
    Nothing is written or sent when it raises.
    """
    cleaned = _contact_check(
        name=name,
        email=email,
        company=company,
        subject=subject,
        message=message,
        consent=consent,
        consent_text=consent_text,
    )
    with transaction.atomic(), translation.override("fr"):
        lead = _lead_upsert(
            email=cleaned["email"],
            name=cleaned["name"],
            company=cleaned["company"],
            source=source,
            consent_text=consent_text,
            ip=ip,
            advance_to=None,
            at=timezone.now(),
        )
        payload = {"subject": cleaned["subject"], "message": cleaned["message"]}
        if source != Source.CONTACT:
            payload["source"] = source
        if conversation:
            payload["conversation"] = conversation[:20000]
        event_id = _event_create(
            lead_id=lead.pk,
            kind=LeadEvent.Kind.CONTACT,
            summary=_contact_summary(cleaned["subject"], cleaned["message"]),
            text=cleaned["message"]
            + (f"\n\n{_('Conversation avec le bot :')}\n{payload['conversation']}" if conversation else ""),
            payload=payload,
        ).pk
        send_copy = not rate_limit_hit(
            scope="contact-copy",
            key=cleaned["email"],
            limit=settings.CONTACT_RATE_LIMIT,
            window_seconds=CONTACT_RATE_WINDOW,
        )

        def notify():
            from . import tasks

            tasks.send_contact_to_team.enqueue(event_id=event_id)
            if send_copy:
                tasks.send_contact_copy.enqueue(event_id=event_id)

        transaction.on_commit(notify)
    return lead

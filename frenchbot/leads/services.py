"""Writes of the leads pipeline. Every form of the site that collects an e-mail calls `lead_touch`."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.net import ip_fingerprint

from .models import CLOSED_STATUSES, PIPELINE, ConsentRecord, Lead, LeadEvent, Source


class LeadError(Exception):
    """A refusal to show a person: `message` is French (translated), `field` where it belongs in a form."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def lead_normalize_email(email: str) -> str:
    """The one spelling of an address the pipeline keys on; raises LeadError when it is not an address."""
    normalized = (email or "").strip().lower()
    try:
        validate_email(normalized)
    except ValidationError:
        raise LeadError(
            _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
            field="email",
            code="email",
        ) from None
    return normalized


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
    ip: str = "",
    advance_to: str | None = None,
) -> Lead:
    """Create or update the one lead of `email` (case-insensitive) and append `event` to its timeline.

    - `source`: a `Source` value; it becomes the lead's origin when the lead is new.
    - `consent_text`: the exact words the person agreed to; when given, a `ConsentRecord` keeps them with the
      time and a keyed hash of `ip` (never the address itself).
    - `event`: the timeline kind (`LeadEvent.Kind` values, or another app's own kind such as
      `audit_completed`), with an optional French `summary` for staff and a JSON-serialisable `payload`.
    - `name` / `company`: when given, they replace what was known (people correct their details).
    - `advance_to`: a pipeline status the lead moves to if it is further than where the lead stands; a lead
      never moves back, and a client or lost lead stays where staff put it.

    Runs in one transaction (joins the caller's): the booking that calls this rolls the lead back with it.
    Raises LeadError for an invalid address or an unknown source.
    """
    email = lead_normalize_email(email)
    if source not in Source.values:
        raise LeadError(_("Origine de prospect inconnue."), code="source")
    now = timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().filter(email=email).first()
        if lead is None:
            try:
                # A savepoint: two first contacts racing meet the unique constraint, and the loser reads
                # the winner's row instead of failing the caller's transaction.
                with transaction.atomic():
                    lead = Lead.objects.create(
                        email=email, name=name.strip(), company=company.strip(), source=source
                    )
            except IntegrityError:
                lead = Lead.objects.select_for_update().get(email=email)
        changed = ["last_activity_at", "updated_at"]
        lead.last_activity_at = now
        if name.strip() and name.strip() != lead.name:
            lead.name = name.strip()[:120]
            changed.append("name")
        if company.strip() and company.strip() != lead.company:
            lead.company = company.strip()[:160]
            changed.append("company")
        if advance_to and _moves_forward(lead.status, advance_to):
            LeadEvent.objects.create(
                lead=lead,
                kind=LeadEvent.Kind.STATUS_CHANGED,
                summary=_status_summary(lead.status, advance_to),
                payload={"from": lead.status, "to": advance_to, "automatic": True},
            )
            lead.status = advance_to
            changed.append("status")
        lead.save(update_fields=changed)
        if consent_text:
            ConsentRecord.objects.create(
                lead=lead,
                purpose=source,
                text=consent_text,
                ip_fingerprint=ip_fingerprint(ip) if ip else "",
            )
        LeadEvent.objects.create(lead=lead, kind=event[:40], summary=summary[:300], payload=payload or {})
    return lead


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
        raise LeadError(_("La note est vide : écrivez quelques mots."), field="text", code="empty")
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

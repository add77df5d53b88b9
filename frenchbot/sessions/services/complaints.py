"""Complaints (« réclamations », Qualiopi indicator 31): received from anyone through /reclamation/ under a
reference of their own, then followed by the team to an answer and an improvement action, each step dated.

Writes: `complaint_create` (the form), `complaint_update` (the back-office). Reads for the team's pages:
`complaints_for_staff`, `complaint_get`, `complaint_age_days`.
"""

import datetime
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Length
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import single_line
from frenchbot.leads.models import Lead, LeadEvent, Source
from frenchbot.leads.services import LeadError, lead_event_record, lead_normalize_email, lead_touch

from ..errors import SessionError
from ..models import Complaint
from . import form_rate_limit

# The delay the form and the acknowledgement promise for an answer (working days).
COMPLAINT_ANSWER_WORKING_DAYS = 10
COMPLAINT_NAME_MAX_LENGTH = 160
COMPLAINT_COMPANY_MAX_LENGTH = 160
COMPLAINT_SUBJECT_MAX_LENGTH = 200
COMPLAINT_BODY_MAX_LENGTH = 10000
COMPLAINT_TEXT_MAX_LENGTH = 10000  # the team's answer and improvement action
# A reference taken by a racing request is retried with the next number; this many times at most.
_REFERENCE_ATTEMPTS = 5

S = Complaint.Status
OPEN_STATUSES = (S.RECEIVED, S.IN_PROGRESS, S.ANSWERED)


def complaint_clean_text(text: str) -> str:
    """A text as the person sees it: "\n" line ends (a browser sends "\r\n", which would count twice against the
    limit), no NUL (PostgreSQL refuses it), no blank margin."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def _too_long(limit: int, count: int) -> str:
    return _("Ce texte dépasse %(limit)s caractères (il en compte %(count)s) : raccourcissez-le un peu.") % {
        "limit": number_format(limit, force_grouping=True),
        "count": number_format(count, force_grouping=True),
    }


def complaint_reference_next(*, year: int) -> str:
    """The next free reference of `year`, « R-2026-0007 » (four digits at least, more after 9999)."""
    prefix = f"R-{year}-"
    # By length first: "R-2026-10000" sorts before "R-2026-9999" as text.
    last = (
        Complaint.objects.filter(reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    match = re.fullmatch(r"\d+", last.removeprefix(prefix)) if last else None
    number = (
        int(match.group(0)) + 1
        if match
        else Complaint.objects.filter(reference__startswith=prefix).count() + 1
    )
    return f"{prefix}{number:04d}"


def _complaint_insert(*, fields: dict, year: int) -> Complaint:
    # Two complaints arriving together may read the same last reference; the unique constraint lets one win and
    # the other, rolled back to its savepoint, reads again and takes the next number.
    for _attempt in range(_REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Complaint.objects.create(reference=complaint_reference_next(year=year), **fields)
        except IntegrityError:
            continue
    raise SessionError(
        _(
            "Trop de réclamations arrivent en même temps : renvoyez la vôtre dans un instant, elle est conservée."
        ),
        code="busy",
    )


def _check(*, name: str, email: str, company: str, role: str, subject: str, body: str) -> dict:
    errors: dict[str, str] = {}
    cleaned = {
        "name": single_line(name),
        "company": single_line(company),
        "role": (role or "").strip(),
        "subject": single_line(subject),
        "body": complaint_clean_text(body),
    }
    if not cleaned["name"]:
        errors["name"] = _("Indiquez votre nom.")
    elif len(cleaned["name"]) > COMPLAINT_NAME_MAX_LENGTH:
        errors["name"] = _("Votre nom dépasse %(limit)d caractères : abrégez-le.") % {
            "limit": COMPLAINT_NAME_MAX_LENGTH
        }
    try:
        cleaned["email"] = lead_normalize_email(email)
    except LeadError as error:
        errors["email"] = error.message
    if len(cleaned["company"]) > COMPLAINT_COMPANY_MAX_LENGTH:
        errors["company"] = _("Le nom de l'entreprise dépasse %(limit)d caractères : abrégez-le.") % {
            "limit": COMPLAINT_COMPANY_MAX_LENGTH
        }
    if cleaned["role"] not in Complaint.Role.values:
        errors["role"] = _("Dites-nous qui vous êtes : choisissez une réponse dans la liste.")
    if not cleaned["subject"]:
        errors["subject"] = _("Indiquez l'objet de votre réclamation en quelques mots.")
    elif len(cleaned["subject"]) > COMPLAINT_SUBJECT_MAX_LENGTH:
        errors["subject"] = _("L'objet dépasse %(limit)d caractères : abrégez-le.") % {
            "limit": COMPLAINT_SUBJECT_MAX_LENGTH
        }
    if not cleaned["body"]:
        errors["body"] = _("Votre réclamation est vide : décrivez ce qui s'est passé avant de l'envoyer.")
    elif len(cleaned["body"]) > COMPLAINT_BODY_MAX_LENGTH:
        errors["body"] = _too_long(COMPLAINT_BODY_MAX_LENGTH, len(cleaned["body"]))
    if errors:
        raise SessionError(errors=errors)
    return cleaned


def complaint_create(
    *,
    name: str,
    email: str,
    role: str,
    subject: str,
    body: str,
    company: str = "",
    training=None,
    session=None,
    ip: str = "",
    now: datetime.datetime | None = None,
) -> Complaint:
    """Record a complaint under a new reference « R-<year>-<number> » (the year in Paris; numbers follow each
    other within the year, unique whatever the concurrency).

    Checks every field (all errors at once: SessionError with `errors` per field, in French) and the rate limit
    of `ip`. In one transaction: the complaint, and the sender's lead with a « Réclamation » event on its
    timeline (`lead_touch`, source "complaint": the team sees it beside everything else the person did). Once
    committed, the task queue sends the person an acknowledgement with the reference and the delay of the
    answer (limited per address like the form, so that the form cannot flood a mailbox) and the team a notice.
    Nothing is written or sent when it raises.
    """
    cleaned = _check(name=name, email=email, company=company, role=role, subject=subject, body=body)
    form_rate_limit(ip=ip, scope="complaint")
    now = now or timezone.now()
    fields = {**cleaned, "training": training, "session": session, "status": S.RECEIVED}
    with transaction.atomic():
        complaint = _complaint_insert(fields=fields, year=timezone.localtime(now).year)
        with translation.override("fr"):
            lead_touch(
                email=complaint.email,
                name=complaint.name,
                company=complaint.company,
                source=Source.COMPLAINT,
                event=LeadEvent.Kind.COMPLAINT,
                summary=f"{complaint.reference} — {complaint.subject}",
                text=complaint.body,
                payload={
                    "complaint": complaint.pk,
                    "reference": complaint.reference,
                    "role": complaint.role,
                    "training": training.slug if training else "",
                },
                ip=ip,
            )
        acknowledge = not rate_limit_hit(
            scope="sessions-complaint-copy",
            key=complaint.email,
            limit=settings.SESSIONS_FORM_RATE_LIMIT,
            window_seconds=settings.SESSIONS_FORM_RATE_WINDOW,
        )
        complaint_id = complaint.pk

        def notify():
            from .. import tasks

            tasks.send_complaint_to_staff.enqueue(complaint_id=complaint_id)
            if acknowledge:
                tasks.send_complaint_acknowledgement.enqueue(complaint_id=complaint_id)

        transaction.on_commit(notify)
    return complaint


def complaint_update(*, complaint: Complaint, by, status: str, answer: str, action: str) -> Complaint:
    """Record the team's follow-up of `complaint`: its `status`, the `answer` to the person, the improvement
    `action`; `by` becomes the person handling it.

    - The answer, when first given, is stamped (`answered_at`), e-mailed to the person once committed and noted
      on their lead's timeline; the status moves on to « Répondue » if it was still before. Once sent it is
      kept as sent: changing it is refused (a complement goes by e-mail, and in the action).
    - The action is stamped (`action_at`) when first written; emptying it removes the date.
    - « Répondue » and « Close » need an answer; closing stamps `closed_at`, reopening removes it.

    One transaction, on the row locked; raises SessionError (`errors` per field, in French) and writes nothing.
    """
    answer = complaint_clean_text(answer)
    action = complaint_clean_text(action)
    now = timezone.now()
    with transaction.atomic():
        current = Complaint.objects.select_for_update().get(pk=complaint.pk)
        errors: dict[str, str] = {}
        if status not in S.values:
            errors["status"] = _("Choisissez un statut dans la liste.")
        if current.answered_at and answer != current.answer:
            errors["answer"] = _(
                "La réponse a été envoyée le %(date)s : elle ne se modifie plus. Écrivez un complément à la "
                "personne par e-mail et notez-le dans l'action d'amélioration."
            ) % {"date": _date_text(current.answered_at)}
        elif len(answer) > COMPLAINT_TEXT_MAX_LENGTH:
            errors["answer"] = _too_long(COMPLAINT_TEXT_MAX_LENGTH, len(answer))
        elif not answer and status == S.CLOSED:
            errors["answer"] = _(
                "Une réclamation ne peut être close qu'après une réponse à la personne : écrivez d'abord la "
                "réponse (elle lui sera envoyée par e-mail)."
            )
        elif not answer and status == S.ANSWERED:
            errors["answer"] = _(
                "Pour passer la réclamation en « Répondue », écrivez la réponse : elle sera envoyée par e-mail."
            )
        if len(action) > COMPLAINT_TEXT_MAX_LENGTH:
            errors["action"] = _too_long(COMPLAINT_TEXT_MAX_LENGTH, len(action))
        if errors:
            raise SessionError(errors=errors)

        newly_answered = bool(answer) and current.answered_at is None
        if newly_answered:
            current.answer, current.answered_at = answer, now
            if status in (S.RECEIVED, S.IN_PROGRESS):
                status = S.ANSWERED
        if action != current.action:
            current.action_at = (current.action_at or now) if action else None
            current.action = action
        if status == S.CLOSED:
            current.closed_at = current.closed_at or now
        else:
            current.closed_at = None
        current.status = status
        current.handled_by = by
        current.save()

        if newly_answered:
            lead_id = Lead.objects.filter(email=current.email).values_list("pk", flat=True).first()
            if lead_id is not None:
                with translation.override("fr"):
                    lead_event_record(
                        lead_id=lead_id,
                        kind=LeadEvent.Kind.COMPLAINT,
                        summary=_("%(reference)s — réponse envoyée") % {"reference": current.reference},
                        text=answer,
                        payload={"complaint": current.pk, "reference": current.reference, "answered": True},
                        at=now,
                    )
            complaint_id = current.pk

            def send():
                from .. import tasks

                tasks.send_complaint_answer.enqueue(complaint_id=complaint_id)

            transaction.on_commit(send)
    return current


def _date_text(value: datetime.datetime) -> str:
    return date_format(timezone.localtime(value), "j F Y")


# --- Reads for the team's pages ---------------------------------------------------------------------------
def complaints_for_staff(*, status: str = "") -> QuerySet[Complaint]:
    """The complaints, open ones first (the longest waiting at the top), then the closed ones (latest first);
    `status` keeps one status, or "open" every one not closed."""
    complaints = Complaint.objects.select_related("training", "handled_by")
    if status == "open":
        complaints = complaints.exclude(status=S.CLOSED)
    elif status in S.values:
        complaints = complaints.filter(status=status)
    return complaints.annotate(
        closed_rank=Case(When(status=S.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()),
        open_since=Case(
            When(status=S.CLOSED, then=Value(None)), default=F("created_at"), output_field=DateTimeField()
        ),
    ).order_by("closed_rank", F("open_since").asc(nulls_last=True), "-created_at")


def complaint_get(*, complaint_id: int) -> Complaint | None:
    return (
        Complaint.objects.select_related("training", "session", "handled_by").filter(pk=complaint_id).first()
    )


def complaint_age_days(*, complaint: Complaint, today: datetime.date | None = None) -> int:
    """Days from the complaint's arrival to its closing, or to `today` while it is open (dates in Paris)."""
    end = timezone.localdate(complaint.closed_at) if complaint.closed_at else (today or timezone.localdate())
    return max(0, (end - timezone.localdate(complaint.created_at)).days)
